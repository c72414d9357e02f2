import { clusterOf } from '@kubeloom/core';
import type { APIBinding } from '../apis/apis.ts';
import { getCondition } from '../apis/conditions.ts';
import {
  type MissingPermissionClaim,
  type RequiredPermissionClaim,
  describeMissingClaim,
} from './permission-claims.ts';

/** What the tracker decides; the provider carries it out (asynchronously, outside the watch callback). */
export interface BindingDecisions {
  engage(cluster: string): void;
  disengage(cluster: string, reason: string): void;
}

/** Options for {@link BindingTracker}. */
export interface BindingTrackerOptions {
  /**
   * Disengage a workspace none of whose bindings has served (see {@link bindingServes}) for
   * {@link notReadyGraceMs}. Default true.
   */
  disengageWhenNotReady?: boolean;
  /** Grace period before a not-Ready workspace is disengaged. Default 30 s. */
  notReadyGraceMs?: number;
  /**
   * The permission claims the controllers need accepted in each consumer's APIBinding. Default: every
   * claim the APIExport makes. A binding that misses some is reported (a warning and the
   * `kubeloom_kcp_binding_missing_claims` gauge) and, with {@link engageOnlyWithRequiredClaims}, held back.
   */
  requiredPermissionClaims?: readonly RequiredPermissionClaim[];
  /**
   * Engage a workspace only once its binding accepts every required claim, and disengage it (at once) when
   * one is later rejected. Default false: such a workspace is engaged, and only reported.
   */
  engageOnlyWithRequiredClaims?: boolean;
}

/**
 * Whether the APIExport's virtual workspace already serves `binding`'s workspace to the provider.
 *
 * kcp's `Ready` on an APIBinding summarises `InitialBindingCompleted` alone, which turns True once the
 * bound CRD of every exported resource is established (kcp `pkg/reconciler/apis/apibinding`), and never
 * turns back. The virtual workspace lets the provider into a workspace earlier: its authorizer admits a
 * request for `/clusters/<workspace>` as soon as the workspace has a binding to the export that names the
 * export's logical cluster (`status.apiExportClusterName`, written on the binding's first `Binding`
 * pass); claimed resources are served from then on (objects appear as kcp labels them), exported ones as
 * their CRDs become established (kcp `pkg/virtual/apiexport/authorizer/binding.go`). So a binding serves
 * when it is Ready, or while it is still coming up (not Ready only because its APIs are being established)
 * with its export resolved. One that is not Ready for any other reason (a naming conflict, a missing
 * export) does not.
 */
export function bindingServes(binding: APIBinding): boolean {
  const ready = getCondition(binding, 'Ready');
  if (ready?.status === 'True') return true;
  if (!binding.status?.apiExportClusterName) return false;
  return ready === undefined || ready.reason === waitingForEstablished;
}

/** kcp's reason on a binding whose bound CRDs are still being established (its normal start). */
const waitingForEstablished = 'WaitingForEstablished';

/** Where a binding stands, for engagement. */
interface BindingState {
  /** See {@link bindingServes}. */
  serves: boolean;
  /** Required claims it lacks (empty unless claims gate engagement). */
  missingClaims: readonly MissingPermissionClaim[];
}

/**
 * Decides, from the APIBindings an APIExport's virtual workspace serves, which workspaces should be
 * engaged: a workspace is engaged as soon as the virtual workspace serves it through one of its bindings
 * ({@link bindingServes}: Ready, or still coming up with its export resolved, which saves the wait for
 * Ready), disengaged when its last binding is gone, and (by option) disengaged when no binding of it has
 * served for a grace period (a binding that failed: not Ready for a reason other than coming up). kcp's
 * Go provider engages on any binding and never disengages on NotReady; we disengage, after a grace period,
 * so a flapping condition does not churn. With `engageOnlyWithRequiredClaims`, a serving binding counts
 * only if it also accepts the required permission claims, and losing one disengages at once (the user
 * decided; there is nothing to wait for).
 */
export class BindingTracker {
  readonly #decisions: BindingDecisions;
  readonly #disengageWhenNotReady: boolean;
  readonly #graceMs: number;
  readonly #gateOnClaims: boolean;
  /** cluster → binding name → state. */
  readonly #bindings = new Map<string, Map<string, BindingState>>();
  readonly #engaged = new Set<string>();
  readonly #graceTimers = new Map<string, NodeJS.Timeout>();

  constructor(decisions: BindingDecisions, options: BindingTrackerOptions = {}) {
    this.#decisions = decisions;
    this.#disengageWhenNotReady = options.disengageWhenNotReady ?? true;
    this.#graceMs = options.notReadyGraceMs ?? 30_000;
    this.#gateOnClaims = options.engageOnlyWithRequiredClaims ?? false;
  }

  /**
   * A binding was added or changed.
   *
   * @param missingClaims the required permission claims it does not accept (see `missingPermissionClaims`);
   *   they matter only with `engageOnlyWithRequiredClaims`
   */
  observe(binding: APIBinding, missingClaims: readonly MissingPermissionClaim[] = []): void {
    const cluster = clusterOf(binding);
    const name = binding.metadata.name ?? '';
    let bindings = this.#bindings.get(cluster);
    if (!bindings) {
      bindings = new Map();
      this.#bindings.set(cluster, bindings);
    }
    bindings.set(name, {
      serves: bindingServes(binding),
      missingClaims: this.#gateOnClaims ? missingClaims : [],
    });
    this.#reconsider(cluster);
  }

  /** A binding was deleted. */
  forget(binding: APIBinding): void {
    const cluster = clusterOf(binding);
    const bindings = this.#bindings.get(cluster);
    bindings?.delete(binding.metadata.name ?? '');
    if (bindings?.size === 0) this.#bindings.delete(cluster);
    this.#reconsider(cluster);
  }

  /** Whether the tracker currently wants `cluster` engaged. */
  isEngaged(cluster: string): boolean {
    return this.#engaged.has(cluster);
  }

  /** Clusters the tracker wants engaged. */
  engaged(): string[] {
    return [...this.#engaged];
  }

  /** Cancels pending grace timers (the endpoint stopped; its clusters disengage with it). */
  clear(): void {
    for (const timer of this.#graceTimers.values()) clearTimeout(timer);
    this.#graceTimers.clear();
    this.#engaged.clear();
    this.#bindings.clear();
  }

  #reconsider(cluster: string): void {
    const bindings = this.#bindings.get(cluster);
    const states = [...(bindings?.values() ?? [])];
    const anyServes = states.some((b) => b.serves && b.missingClaims.length === 0);
    if (!bindings) {
      this.#cancelGrace(cluster);
      if (this.#engaged.delete(cluster))
        this.#decisions.disengage(cluster, 'its last APIBinding was deleted');
      return;
    }
    if (anyServes) {
      this.#cancelGrace(cluster);
      if (!this.#engaged.has(cluster)) {
        this.#engaged.add(cluster);
        this.#decisions.engage(cluster);
      }
      return;
    }
    const lacking = states.find((b) => b.serves && b.missingClaims.length > 0);
    if (lacking) {
      this.#cancelGrace(cluster);
      if (this.#engaged.delete(cluster))
        this.#decisions.disengage(
          cluster,
          `its APIBinding no longer accepts permission claims the controllers need: ${lacking.missingClaims.map(describeMissingClaim).join(', ')}`,
        );
      return;
    }
    if (this.#engaged.has(cluster) && this.#disengageWhenNotReady && !this.#graceTimers.has(cluster)) {
      const timer = setTimeout(() => {
        this.#graceTimers.delete(cluster);
        const stillNotReady = ![...(this.#bindings.get(cluster)?.values() ?? [])].some(
          (b) => b.serves && b.missingClaims.length === 0,
        );
        if (stillNotReady && this.#engaged.delete(cluster)) {
          this.#decisions.disengage(cluster, `no APIBinding has been Ready for ${this.#graceMs} ms`);
        }
      }, this.#graceMs);
      timer.unref();
      this.#graceTimers.set(cluster, timer);
    }
  }

  #cancelGrace(cluster: string): void {
    const timer = this.#graceTimers.get(cluster);
    if (timer) clearTimeout(timer);
    this.#graceTimers.delete(cluster);
  }
}
