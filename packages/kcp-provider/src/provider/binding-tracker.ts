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
  /** An APIBinding of `cluster` serves the export and accepts every claim the controllers need: engage it. */
  engage(cluster: string): void;
  /**
   * No APIBinding of `cluster` does any more (deleted, claims withdrawn, not Ready): disengage it; `reason`
   * says why.
   */
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
 * Whether the APIExport's virtual workspace serves `binding`'s workspace to the provider, or is about to.
 *
 * kcp's `Ready` on an APIBinding summarises `InitialBindingCompleted` alone, which turns True once the
 * bound CRD of every exported resource is established (kcp `pkg/reconciler/apis/apibinding`), and never
 * turns back. The virtual workspace does not wait for it: claimed objects join the wildcard list and watch
 * as soon as kcp's permission-claim labeller has labelled them, which it does for the binding's accepted
 * claims independently of the binding's status; per-workspace requests are admitted once the binding
 * names the export's logical cluster (`status.apiExportClusterName`, a few ms to a few hundred ms after
 * creation), and exported resources as their CRDs become established (kcp
 * `pkg/virtual/apiexport/authorizer/binding.go`). So a binding counts from the moment it appears, as in
 * kcp's Go provider (a write in those first moments may be refused with 403 and is retried like any
 * failed reconcile), until kcp says it failed: `Ready` False for a reason other than the normal
 * `WaitingForEstablished` (a naming conflict, a missing export).
 */
export function bindingServes(binding: APIBinding): boolean {
  const ready = getCondition(binding, 'Ready');
  return ready?.status !== 'False' || ready.reason === waitingForEstablished;
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
 * engaged: a workspace is engaged as soon as one of its bindings appears ({@link bindingServes}: the
 * virtual workspace serves its claimed objects without waiting for Ready), disengaged when its last
 * binding is gone, and (by option) disengaged when no binding of it has served for a grace period (a
 * binding that failed: not Ready for a reason other than coming up). kcp's Go provider also engages on
 * any binding, but never disengages on NotReady; we disengage, after a grace period, so a flapping
 * condition does not churn. With `engageOnlyWithRequiredClaims`, a serving binding counts
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
