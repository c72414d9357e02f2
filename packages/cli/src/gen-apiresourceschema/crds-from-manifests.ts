import type { Manifest } from '@kubeloom/core';
import type { CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';
import { checkedCrdSpec, manifestProblems } from '../gen-types/crd-spec.ts';
import { type SchemaProblem, describeValue, isMapping } from '../gen-types/resource-schema.ts';
import { structuralSchemaProblems } from './structural-schema-check.ts';

const crdApiVersion = 'apiextensions.k8s.io/v1';

/** What {@link crdsFromManifests} found: the CRDs that can be converted, and what is wrong with the rest. */
export interface ManifestCrds {
  /** The CRDs without problems, in input order. */
  readonly crds: CustomResourceDefinition[];
  /** Everything wrong with the others (file, path, what), in input order. */
  readonly problems: SchemaProblem[];
}

/**
 * The CustomResourceDefinitions among `manifests` (from core's `loadManifests`) that kcp can serve as
 * APIResourceSchemas, checked the way kcp would check them: names, scope, versions with exactly one storage
 * version, and a structural OpenAPI schema for every version. Every problem names its file and document,
 * the path in the CRD and what is wrong, so one run shows everything to fix.
 */
export function crdsFromManifests(manifests: readonly Manifest[]): ManifestCrds {
  const crds: CustomResourceDefinition[] = [];
  const problems: SchemaProblem[] = [];
  const seen = new Map<string, string>();
  for (const manifest of manifests) {
    const { origin, problem } = manifestProblems(manifest, problems);
    const before = problems.length;
    if (manifest.apiVersion !== crdApiVersion || manifest.kind !== 'CustomResourceDefinition') {
      problem(
        '',
        `${manifest.kind} ${manifest.metadata.name} (${manifest.apiVersion}) is not a CustomResourceDefinition (${crdApiVersion}); give gen apiresourceschema only CRD files`,
      );
      continue;
    }
    const { spec, names } = checkedCrdSpec(manifest, { origin, problem });
    if (!spec) continue;
    if (names) {
      const expectedName = `${names.plural}.${names.group}`;
      if (manifest.metadata.name !== expectedName) {
        problem(
          'metadata.name',
          `expected ${expectedName} (<spec.names.plural>.<spec.group>), got ${JSON.stringify(manifest.metadata.name)}`,
        );
      }
      const earlier = seen.get(expectedName);
      if (earlier) problem('', `${expectedName} is defined twice (also at ${earlier}); give each CRD once`);
      seen.set(expectedName, origin);
    }
    checkVersions(spec.versions, problem);
    if (problems.length === before) crds.push(manifest as unknown as CustomResourceDefinition);
  }
  return { crds, problems };
}

function checkVersions(versions: unknown, problem: (path: string, message: string) => void): void {
  if (!Array.isArray(versions) || versions.length === 0) {
    problem('spec.versions', `expected a list of versions, got ${describeValue(versions)}`);
    return;
  }
  const storage: string[] = [];
  versions.forEach((version: unknown, i) => {
    const path = `spec.versions[${i}]`;
    if (!isMapping(version) || typeof version.name !== 'string' || !version.name) {
      problem(path, 'expected a mapping with a name (the version, e.g. v1)');
      return;
    }
    for (const flag of ['served', 'storage'] as const) {
      if (typeof version[flag] !== 'boolean')
        problem(`${path}.${flag}`, `expected true or false, got ${describeValue(version[flag])}`);
    }
    if (version.storage === true) storage.push(version.name);
    const schema = isMapping(version.schema) ? version.schema.openAPIV3Schema : undefined;
    const schemaPath = `${path}.schema.openAPIV3Schema`;
    if (!isMapping(schema)) {
      problem(
        schemaPath,
        `version ${version.name} has no schema (got ${describeValue(schema)}); kcp serves only structural schemas: add the version's OpenAPI v3 schema`,
      );
      return;
    }
    for (const p of structuralSchemaProblems(schema, schemaPath)) problem(p.path, p.message);
  });
  if (storage.length !== 1) {
    problem(
      'spec.versions',
      `exactly one version must have storage: true, found ${storage.length}${storage.length > 1 ? ` (${storage.join(', ')})` : ''}`,
    );
  }
}
