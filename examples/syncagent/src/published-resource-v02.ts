/**
 * Reads a PublishedResource as stored on the service cluster and normalises it into the current shape, so
 * that objects written for api-syncagent v0.2 (the KubeCon London 2025 workshop uses them) keep working:
 *
 * - `spec.resource.version: v1` becomes `versions: [v1]` (same selection upstream makes);
 * - legacy `$remoteName`-style naming becomes the equivalent Go template (same names);
 * - a v0.2 related entry `{kind: Secret, reference: {name: {path, regex}, namespace: {…}}}` becomes
 *   `{group: "", version: v1, resource: secrets, object: {reference: {path, regex}, namespace: {reference: …}}}`,
 *   and the deprecated `kind: ConfigMap|Secret` of current objects becomes the same GVR.
 *
 * Conflicting or malformed input is left as it is for {@link validatePublishedResource} to report; this
 * function never throws.
 */
import { isRecord } from './is-record.ts';
import { legacyPatternToTemplate } from './naming.ts';
import type {
  PublishedResource,
  RelatedResourceObjectSpec,
  RelatedResourceSpec,
} from './published-resource.ts';

/** The normalised object and one note per conversion applied (for a log line or an event). */
export interface ReadPublishedResource {
  resource: PublishedResource;
  conversions: string[];
}

/** Core resources the deprecated `related[].kind` may name. */
const legacyRelatedKinds: Record<string, string> = { ConfigMap: 'configmaps', Secret: 'secrets' };

/** A v0.2 reference: a path into the primary object plus an optional rewrite. */
interface V02PathReference {
  path?: string;
  regex?: { pattern?: string; replacement?: string };
}

/** Normalises `raw` (a deep copy is made; the input is not modified). */
export function readPublishedResource(raw: unknown): ReadPublishedResource {
  const resource = structuredClone((isRecord(raw) ? raw : {}) as unknown as PublishedResource);
  const conversions: string[] = [];
  const spec = resource.spec as PublishedResource['spec'] | undefined;
  if (!isRecord(spec)) return { resource, conversions };

  const source = spec.resource;
  if (
    isRecord(source) &&
    typeof source.version === 'string' &&
    source.version &&
    source.versions === undefined
  ) {
    source.versions = [source.version];
    delete source.version;
    conversions.push(`spec.resource.version: converted to versions: [${source.versions[0]}]`);
  }

  if (isRecord(spec.naming)) {
    for (const field of ['namespace', 'name'] as const) {
      const pattern = spec.naming[field];
      if (typeof pattern === 'string' && pattern.includes('$remote') && !pattern.includes('{{')) {
        spec.naming[field] = legacyPatternToTemplate(pattern);
        conversions.push(`spec.naming.${field}: converted "${pattern}" to "${spec.naming[field]}"`);
      }
    }
  }

  if (Array.isArray(spec.related)) {
    spec.related = spec.related.map((entry, i) =>
      isRecord(entry) ? convertRelated(entry, `spec.related[${i}]`, conversions) : entry,
    );
  }
  return { resource, conversions };
}

function convertRelated(
  entry: RelatedResourceSpec,
  path: string,
  conversions: string[],
): RelatedResourceSpec {
  const out: RelatedResourceSpec = { ...entry };
  const legacy = (entry as { reference?: unknown }).reference;
  if (isRecord(legacy) && out.object === undefined) {
    const name = legacy.name as V02PathReference | undefined;
    const namespace = legacy.namespace as V02PathReference | undefined;
    const object: RelatedResourceSpec['object'] = isRecord(name) ? referenceSpec(name) : {};
    if (isRecord(namespace)) object.namespace = referenceSpec(namespace);
    out.object = object;
    delete (out as { reference?: unknown }).reference;
    conversions.push(`${path}.reference: converted the v0.2 reference to object.reference`);
  }
  const kind = entry.kind;
  if (
    typeof kind === 'string' &&
    Object.hasOwn(legacyRelatedKinds, kind) &&
    out.version === undefined &&
    out.resource === undefined &&
    out.group === undefined
  ) {
    out.group = '';
    out.version = 'v1';
    out.resource = legacyRelatedKinds[kind] as string;
    delete out.kind;
    conversions.push(`${path}.kind: converted ${kind} to group "", version v1, resource ${out.resource}`);
  }
  return out;
}

function referenceSpec(reference: V02PathReference): RelatedResourceObjectSpec {
  const converted: NonNullable<RelatedResourceObjectSpec['reference']> = { path: reference.path as string };
  if (reference.regex !== undefined) converted.regex = reference.regex;
  return { reference: converted };
}
