import { type Manifest, describeOrigin, manifestOrigin } from '@kubeloom/core';
import { type ResourceSchema, type SchemaProblem, describeValue, isMapping } from './resource-schema.ts';

const crdApiVersion = 'apiextensions.k8s.io/v1';
const apiResourceSchemaApiVersion = 'apis.kcp.io/v1alpha1';

/** What {@link schemasFromManifests} found: the schemas of every served version, and what is wrong. */
export interface ManifestSchemas {
  /** One entry per kind and served version found in the files. */
  readonly schemas: ResourceSchema[];
  /** What is wrong with documents that were skipped (reported with the rendering problems, in one run). */
  readonly problems: SchemaProblem[];
}

/**
 * The schemas of every served version of the CustomResourceDefinitions (`apiextensions.k8s.io/v1`) and kcp
 * APIResourceSchemas (`apis.kcp.io/v1alpha1`) among `manifests` (from core's `loadManifests`). Any other kind
 * is a problem: a file given to `gen types` that holds something else was most likely given by mistake.
 *
 * @param source Names the manifests in the generated files' header (e.g. the file path relative to them).
 */
export function schemasFromManifests(
  manifests: readonly Manifest[],
  source: (manifest: Manifest) => string,
): ManifestSchemas {
  const schemas: ResourceSchema[] = [];
  const problems: SchemaProblem[] = [];
  for (const manifest of manifests) {
    const at = manifestOrigin(manifest);
    const origin = at ? describeOrigin(at) : `${manifest.kind} ${manifest.metadata.name}`;
    const problem = (path: string, message: string): void => {
      problems.push({ origin, path, message });
    };
    const isCrd = manifest.apiVersion === crdApiVersion && manifest.kind === 'CustomResourceDefinition';
    const isArs =
      manifest.apiVersion === apiResourceSchemaApiVersion && manifest.kind === 'APIResourceSchema';
    if (!isCrd && !isArs) {
      problem(
        '',
        `${manifest.kind} ${manifest.metadata.name} (${manifest.apiVersion}) is neither a CustomResourceDefinition (${crdApiVersion}) nor a kcp APIResourceSchema (${apiResourceSchemaApiVersion}); give gen types only files with those`,
      );
      continue;
    }
    const spec = manifest.spec;
    if (!isMapping(spec)) {
      problem('spec', `expected a mapping, got ${describeValue(spec)}`);
      continue;
    }
    const names = isMapping(spec.names) ? spec.names : {};
    const fields: Record<string, unknown> = {
      'spec.group': spec.group,
      'spec.names.kind': names.kind,
      'spec.names.plural': names.plural,
    };
    const missing = Object.entries(fields).filter(([, v]) => typeof v !== 'string' || !v);
    for (const [path, value] of missing)
      problem(path, `expected a non-empty string, got ${describeValue(value)}`);
    if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
      problem('spec.scope', `expected Namespaced or Cluster, got ${JSON.stringify(spec.scope) ?? 'nothing'}`);
      continue;
    }
    if (missing.length > 0) continue;
    if (!Array.isArray(spec.versions) || spec.versions.length === 0) {
      problem('spec.versions', `expected a list of versions, got ${describeValue(spec.versions)}`);
      continue;
    }
    spec.versions.forEach((version: unknown, i) => {
      const path = `spec.versions[${i}]`;
      if (!isMapping(version) || typeof version.name !== 'string' || !version.name) {
        problem(path, 'expected a mapping with a name (the version, e.g. v1)');
        return;
      }
      if (version.served === false) return;
      const schemaPath = isCrd ? `${path}.schema.openAPIV3Schema` : `${path}.schema`;
      const schema = isCrd
        ? isMapping(version.schema)
          ? version.schema.openAPIV3Schema
          : undefined
        : version.schema;
      if (!isMapping(schema)) {
        problem(
          schemaPath,
          `version ${version.name} has no schema (got ${describeValue(schema)}); gen types needs it to know the fields`,
        );
        return;
      }
      const subresources = isMapping(version.subresources) ? version.subresources : {};
      schemas.push({
        group: spec.group as string,
        version: version.name,
        kind: names.kind as string,
        plural: names.plural as string,
        namespaced: spec.scope === 'Namespaced',
        statusSubresource: isMapping(subresources.status),
        schema,
        origin,
        schemaPath,
        source: source(manifest),
      });
    });
  }
  return { schemas, problems };
}
