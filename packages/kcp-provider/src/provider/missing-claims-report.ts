import { type Logger, clusterOf, promClient } from '@kubeloom/core';
import type { Gauge, Registry } from 'prom-client';
import type { APIBinding } from '../apis/apis.ts';
import { type MissingPermissionClaim, describeMissingClaim, missingClaimsKey } from './permission-claims.ts';

/** Name of the gauge of missing permission claims per APIBinding. */
export const MISSING_CLAIMS_METRIC = 'kubeloom_kcp_binding_missing_claims';

type Labels = 'cluster' | 'workspace' | 'binding';

/**
 * Tells the user about APIBindings that do not grant the permission claims the controllers need: one
 * warning per binding, and another when its set of missing claims changes (an info line once it is
 * complete), plus the gauge {@link MISSING_CLAIMS_METRIC}`{cluster, workspace, binding}` = number of
 * missing claims, present only for bindings that miss some.
 */
export class MissingClaimsReport {
  readonly #log: Logger;
  readonly #gauge: Gauge<Labels> | undefined;
  readonly #engageOnlyWithClaims: boolean;
  /** `cluster|binding` → key of the missing set last reported, and the labels it was reported under. */
  readonly #reported = new Map<string, { key: string; labels: Record<Labels, string> }>();

  /**
   * @param registry where the gauge is registered (e.g. the manager's `registry`); shared by every provider
   *   that reports into it
   * @param engageOnlyWithClaims whether such workspaces are held back, for the wording of the warning
   */
  constructor(log: Logger, registry: Registry | undefined, engageOnlyWithClaims: boolean) {
    this.#log = log;
    this.#engageOnlyWithClaims = engageOnlyWithClaims;
    if (registry) {
      const existing = registry.getSingleMetric(MISSING_CLAIMS_METRIC) as Gauge<Labels> | undefined;
      this.#gauge =
        existing ??
        new (promClient().Gauge)<Labels>({
          name: MISSING_CLAIMS_METRIC,
          help: 'Permission claims the controllers need that a kcp APIBinding does not accept (only bindings missing some)',
          labelNames: ['cluster', 'workspace', 'binding'],
          registers: [registry],
        });
    }
  }

  /** A binding was added or changed; `missing` is what it lacks (see `missingPermissionClaims`). */
  observe(binding: APIBinding, missing: readonly MissingPermissionClaim[]): void {
    const labels = bindingLabels(binding);
    const id = `${labels.cluster}|${labels.binding}`;
    const previous = this.#reported.get(id);
    const key = missingClaimsKey(missing);
    if (missing.length === 0) {
      if (!previous) return;
      this.#reported.delete(id);
      this.#gauge?.remove(previous.labels);
      this.#log.info(
        { cluster: labels.cluster, workspace: labels.workspace, binding: labels.binding },
        `APIBinding "${labels.binding}" in ${describeWorkspace(labels)} now accepts every permission claim the controllers need`,
      );
      return;
    }
    this.#gauge?.set(labels, missing.length);
    if (previous?.key === key) return;
    this.#reported.set(id, { key, labels });
    this.#log.warn(
      {
        cluster: labels.cluster,
        workspace: labels.workspace,
        binding: labels.binding,
        missingClaims: missing.map(describeMissingClaim),
      },
      missingClaimsWarning(binding, missing, this.#engageOnlyWithClaims),
    );
  }

  /** A binding was deleted: its series goes. */
  forget(binding: APIBinding): void {
    const labels = bindingLabels(binding);
    const id = `${labels.cluster}|${labels.binding}`;
    const previous = this.#reported.get(id);
    if (!previous) return;
    this.#reported.delete(id);
    this.#gauge?.remove(previous.labels);
  }

  /** Drops every series (the endpoint or the provider stopped). */
  clear(): void {
    for (const { labels } of this.#reported.values()) this.#gauge?.remove(labels);
    this.#reported.clear();
  }
}

/**
 * The warning for a binding that misses claims: which workspace (path and logical cluster), which binding,
 * which claims, what to do, and what the provider does meanwhile.
 */
export function missingClaimsWarning(
  binding: APIBinding,
  missing: readonly MissingPermissionClaim[],
  engageOnlyWithClaims: boolean,
): string {
  const labels = bindingLabels(binding);
  const consequence = engageOnlyWithClaims
    ? 'the workspace is not engaged until they are (engageOnlyWithRequiredClaims)'
    : 'the workspace is engaged anyway, but the controllers cannot see or change those objects there';
  return `APIBinding "${labels.binding}" in ${describeWorkspace(labels)} does not accept permission claims the controllers need: ${missing.map(describeMissingClaim).join(', ')}. Accept them in the binding's spec.permissionClaims (state Accepted, with the verbs the APIExport claims); ${consequence}`;
}

function bindingLabels(binding: APIBinding): Record<Labels, string> {
  return {
    cluster: clusterOf(binding),
    workspace: binding.metadata.annotations?.['kcp.io/path'] ?? '',
    binding: binding.metadata.name ?? '',
  };
}

function describeWorkspace(labels: Record<Labels, string>): string {
  return labels.workspace
    ? `workspace ${labels.workspace} (logical cluster ${labels.cluster})`
    : `logical cluster ${labels.cluster}`;
}
