/**
 * Turns a service-cluster CRD into the CRD kcp should serve, the way upstream's projection does: keep
 * only the versions the PublishedResource selects, make sure one is the storage version, then apply
 * `spec.projection` (group, version renames, kind/plural/scope/shortNames/categories). Errors carry
 * upstream's messages.
 */
import type { CrdSpec, CrdVersion, CustomResourceDefinition } from '@kubeloom/kcp-provider/schemas';
import type { PublishedResource } from './published-resource.ts';

/** The CRD cannot be projected as the PublishedResource asks. */
export class ProjectionError extends Error {
  override readonly name = 'ProjectionError';
}

/** Annotation the API server requires on CRDs of protected (`*.k8s.io`) groups; kept on the ARS source. */
export const apiApprovedAnnotation = 'api-approved.kubernetes.io';

/**
 * Reduces a CRD as served by the service cluster to what is published: only name, generation and the
 * api-approved annotation remain of the metadata, conversion becomes `None` (a webhook of the service
 * cluster is unreachable from kcp), and a non-structural CRD's missing schemas become "any object".
 */
export function stripServiceCrd(crd: CustomResourceDefinition): CustomResourceDefinition {
  const copy = structuredClone(crd);
  const approved = crd.metadata.annotations?.[apiApprovedAnnotation];
  const nonStructural = (
    crd as { status?: { conditions?: Array<{ type?: string; status?: string }> } }
  ).status?.conditions?.some((c) => c.type === 'NonStructuralSchema' && c.status === 'True');
  if (nonStructural) {
    for (const version of copy.spec.versions) {
      if (!version.schema?.openAPIV3Schema) {
        version.schema = {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        };
      }
    }
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      ...(crd.metadata.name !== undefined ? { name: crd.metadata.name } : {}),
      ...(approved !== undefined ? { annotations: { [apiApprovedAnnotation]: approved } } : {}),
      ...(crd.metadata.generation !== undefined ? { generation: crd.metadata.generation } : {}),
    },
    spec: { ...copy.spec, conversion: { strategy: 'None' } },
  };
}

/** Projects `crd` (not modified) for `pr`. Throws {@link ProjectionError}. */
export function projectCrd(crd: CustomResourceDefinition, pr: PublishedResource): CustomResourceDefinition {
  const result = structuredClone(crd);
  result.spec.versions = selectVersions(result.spec, pr);
  ensureStorageVersion(result.spec.versions);
  projectVersions(result.spec, pr);
  projectNames(result.spec, pr);
  result.metadata = { ...result.metadata, name: `${result.spec.names.plural}.${result.spec.group}` };
  return result;
}

/** The storage version of a (projected) CRD; throws when there is none. */
export function storageVersionOf(crd: CustomResourceDefinition): string {
  const storage = crd.spec.versions.find((v) => v.storage);
  if (!storage) throw new ProjectionError('CRD does not contain a storage version');
  return storage.name;
}

function selectVersions(spec: CrdSpec, pr: PublishedResource): CrdVersion[] {
  const { version, versions } = pr.spec.resource;
  if (version && versions && versions.length > 0) {
    throw new ProjectionError(
      'cannot configure both .version and .versions in as the source of a PublishedResource',
    );
  }
  const wanted = version ? [version] : (versions ?? []);
  const kept = wanted.length === 0 ? spec.versions : spec.versions.filter((v) => wanted.includes(v.name));
  if (kept.length === 0) {
    if (version) throw new ProjectionError(`CRD does not contain version ${version}`);
    if (wanted.length > 0)
      throw new ProjectionError(`CRD does not contain any of versions [${wanted.join(' ')}]`);
    throw new ProjectionError('CRD contains no versions');
  }
  return kept;
}

function ensureStorageVersion(versions: CrdVersion[]): void {
  const lastServed = versions.findLastIndex((v) => v.served);
  if (lastServed < 0) throw new ProjectionError('no CRD version selected that is marked as served');
  if (!versions.some((v) => v.storage)) (versions[lastServed] as CrdVersion).storage = true;
}

function projectVersions(spec: CrdSpec, pr: PublishedResource): void {
  const projection = pr.spec.projection;
  if (!projection) return;
  if (projection.version) {
    if (spec.versions.length !== 1) {
      throw new ProjectionError(
        `cannot project CRD version to a single version "${projection.version}" because it contains ${spec.versions.length} versions`,
      );
    }
    (spec.versions[0] as CrdVersion).name = projection.version;
    return;
  }
  const renames = projection.versions ?? {};
  if (Object.keys(renames).length === 0) return;
  for (const version of spec.versions) {
    const renamed = renames[version.name];
    if (renamed) version.name = renamed;
  }
  const seen = new Set<string>();
  for (const version of spec.versions) {
    if (seen.has(version.name)) {
      throw new ProjectionError(
        `CRD contains multiple entries for ${version.name} after applying mutation rules`,
      );
    }
    seen.add(version.name);
  }
  spec.versions = spec.versions.toSorted((a, b) => compareKubeAwareVersions(a.name, b.name));
}

function projectNames(spec: CrdSpec, pr: PublishedResource): void {
  const projection = pr.spec.projection;
  if (!projection) return;
  if (projection.group) spec.group = projection.group;
  if (projection.kind) {
    spec.names.kind = projection.kind;
    spec.names.listKind = `${projection.kind}List`;
    spec.names.singular = projection.kind.toLowerCase();
    spec.names.plural = `${spec.names.singular}s`;
  }
  if (projection.plural) spec.names.plural = projection.plural;
  if (projection.scope) spec.scope = projection.scope;
  if (projection.categories !== undefined && projection.categories !== null)
    spec.names.categories = projection.categories;
  if (projection.shortNames !== undefined && projection.shortNames !== null)
    spec.names.shortNames = projection.shortNames;
}

const kubeVersion = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Kubernetes' version ordering (Go `version.CompareKubeAwareVersionStrings`) as a sort comparator:
 * ascending puts non-Kubernetes names first (reverse lexical), then alpha, beta, GA, each by major then
 * minor number, e.g. `foo, v1alpha1, v1beta2, v1, v2`.
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const pa = parseKubeVersion(a);
  const pb = parseKubeVersion(b);
  if (!pa && !pb) return a < b ? 1 : a > b ? -1 : 0;
  if (!pa) return -1;
  if (!pb) return 1;
  if (pa.stability !== pb.stability) return pa.stability - pb.stability;
  if (pa.major !== pb.major) return pa.major - pb.major;
  return pa.minor - pb.minor;
}

function parseKubeVersion(v: string): { major: number; stability: number; minor: number } | undefined {
  const m = kubeVersion.exec(v);
  if (!m) return undefined;
  const stability = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
  return { major: Number(m[1]), stability, minor: m[3] ? Number(m[3]) : 0 };
}
