/**
 * A CustomResourceDefinition → the `apis.kcp.io/v1alpha1` APIResourceSchema kcp serves it from. kcp names
 * schemas `<prefix>.<plural>.<group>`, and schemas are immutable, so a changed CRD needs a new prefix. The
 * default prefix is derived like api-syncagent's: `v<first 8 hex of SHA-1(Go JSON of the spec without
 * conversion)>`, so each distinct spec gets its own name, and undoing a change finds the old one again.
 */
import { createHash } from 'node:crypto';
import type { APIResourceSchema } from '../apis/apis.ts';
import type { CustomResourceDefinition } from './crd.ts';
import { goEncodeCrdSpec } from './go-json.ts';

/**
 * The content-derived prefix of a CRD's schema name: `v` and the first 8 hex characters of the SHA-1 of
 * the spec (without `conversion`) as Go's JSON encoder writes it (api-syncagent's rule, byte for byte).
 */
export function apiResourceSchemaHashPrefix(crd: CustomResourceDefinition): string {
  const { conversion: _ignored, ...spec } = crd.spec;
  const checksum = createHash('sha1').update(goEncodeCrdSpec(spec), 'utf8').digest('hex');
  return `v${checksum.slice(0, 8)}`;
}

/**
 * The APIResourceSchema name for a CRD: `<prefix>.<plural>.<group>`, with {@link apiResourceSchemaHashPrefix}
 * when no prefix is given (api-syncagent's `GetAPIResourceSchemaName`).
 */
export function apiResourceSchemaName(crd: CustomResourceDefinition, prefix?: string): string {
  return `${prefix ?? apiResourceSchemaHashPrefix(crd)}.${crd.spec.names.plural}.${crd.spec.group}`;
}

/** Options for {@link toAPIResourceSchema}. */
export interface ToAPIResourceSchemaOptions {
  /** Name prefix; default {@link apiResourceSchemaHashPrefix}. Must be a lower-case DNS label. */
  prefix?: string;
  /** Labels for the schema's metadata. */
  labels?: Record<string, string>;
  /** Annotations for the schema's metadata. */
  annotations?: Record<string, string>;
}

/**
 * Builds the APIResourceSchema for a CRD, named by {@link apiResourceSchemaName}: group, names, scope and
 * each version's served/storage/deprecation flags, schema, subresources, printer columns and selectable
 * fields; `conversion: None` when there is more than one version (kcp cannot call a CRD's conversion
 * webhook). The CRD is not modified.
 */
export function toAPIResourceSchema(
  crd: CustomResourceDefinition,
  options: ToAPIResourceSchemaOptions = {},
): APIResourceSchema {
  const spec = crd.spec;
  const versions = spec.versions.map((v) => ({
    name: v.name,
    served: v.served,
    storage: v.storage,
    ...(v.deprecated ? { deprecated: true } : {}),
    ...(v.deprecationWarning !== undefined ? { deprecationWarning: v.deprecationWarning } : {}),
    schema: structuredClone(v.schema?.openAPIV3Schema ?? {}),
    ...(v.subresources ? { subresources: structuredClone(v.subresources) } : {}),
    ...(v.additionalPrinterColumns?.length
      ? { additionalPrinterColumns: structuredClone(v.additionalPrinterColumns) }
      : {}),
    ...(v.selectableFields?.length ? { selectableFields: structuredClone(v.selectableFields) } : {}),
  }));
  return {
    apiVersion: 'apis.kcp.io/v1alpha1',
    kind: 'APIResourceSchema',
    metadata: {
      name: apiResourceSchemaName(crd, options.prefix),
      ...(options.labels ? { labels: { ...options.labels } } : {}),
      ...(options.annotations ? { annotations: { ...options.annotations } } : {}),
    },
    spec: {
      group: spec.group,
      names: structuredClone(spec.names),
      scope: spec.scope,
      versions,
      ...(versions.length > 1 ? { conversion: { strategy: 'None' } } : {}),
    },
  };
}

/** Splits an APIResourceSchema name `<prefix>.<plural>.<group>` into its group and resource; undefined if malformed. */
export function parseApiResourceSchemaName(name: string): { group: string; resource: string } | undefined {
  const first = name.indexOf('.');
  const second = first < 0 ? -1 : name.indexOf('.', first + 1);
  if (first <= 0 || second < 0) return undefined;
  return { resource: name.slice(first + 1, second), group: name.slice(second + 1) };
}
