import type { Manifest } from '@kubeloom/core';
import { checkedCrdSpec, manifestProblems } from './crd-spec.ts';
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
    const { origin, problem } = manifestProblems(manifest, problems);
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
    const { spec, names } = checkedCrdSpec(manifest, { origin, problem });
    if (!spec || !names) continue;
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
        group: names.group,
        version: version.name,
        kind: names.kind,
        plural: names.plural,
        namespaced: names.namespaced,
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
