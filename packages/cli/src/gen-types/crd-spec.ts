import { type Manifest, describeOrigin, manifestOrigin } from '@kubeloom/core';
import { type SchemaProblem, describeValue, isMapping } from './resource-schema.ts';

/** The names a CRD or kcp APIResourceSchema gives its resource. */
export interface CrdNames {
  /** `spec.group`, e.g. `postgresql.cnpg.io`. */
  readonly group: string;
  /** `spec.names.kind`, e.g. `Cluster`. */
  readonly kind: string;
  /** `spec.names.plural`, e.g. `clusters`. */
  readonly plural: string;
  /** `spec.scope` is `Namespaced` (else `Cluster`). */
  readonly namespaced: boolean;
}

/** Records problems of one manifest, naming where it was read. */
export interface ManifestProblems {
  /** Where the manifest was read: `crds.yaml, document 2 (line 40)`, or its kind and name. */
  readonly origin: string;
  /** Records what is wrong at `path` in the manifest. */
  readonly problem: (path: string, message: string) => void;
}

/** A {@link ManifestProblems} that adds to `problems`. */
export function manifestProblems(manifest: Manifest, problems: SchemaProblem[]): ManifestProblems {
  const at = manifestOrigin(manifest);
  const origin = at ? describeOrigin(at) : `${manifest.kind} ${manifest.metadata.name}`;
  return { origin, problem: (path, message) => problems.push({ origin, path, message }) };
}

/**
 * The `spec` of a CustomResourceDefinition or APIResourceSchema, with its group, names and scope checked:
 * each that is missing or wrong is a problem.
 * @returns `spec` unless it is not a mapping, and `names` when all of them are right.
 */
export function checkedCrdSpec(
  manifest: Manifest,
  { problem }: ManifestProblems,
): { spec?: Record<string, unknown>; names?: CrdNames } {
  const spec = manifest.spec;
  if (!isMapping(spec)) {
    problem('spec', `expected a mapping, got ${describeValue(spec)}`);
    return {};
  }
  const names = isMapping(spec.names) ? spec.names : {};
  const fields: Record<string, unknown> = {
    'spec.group': spec.group,
    'spec.names.kind': names.kind,
    'spec.names.plural': names.plural,
  };
  let ok = true;
  for (const [path, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value) continue;
    problem(path, `expected a non-empty string, got ${describeValue(value)}`);
    ok = false;
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    problem('spec.scope', `expected Namespaced or Cluster, got ${JSON.stringify(spec.scope) ?? 'nothing'}`);
    ok = false;
  }
  if (!ok) return { spec };
  return {
    spec,
    names: {
      group: spec.group as string,
      kind: names.kind as string,
      plural: names.plural as string,
      namespaced: spec.scope === 'Namespaced',
    },
  };
}
