import { clusterOf } from '@kubeloom/core';
import type { APIBinding } from '../apis/apis.ts';
import { isConditionTrue } from '../apis/conditions.ts';
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
  /** Disengage a workspace whose bindings all stay not Ready for {@link notReadyGraceMs}. Default true. */
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

/** Where a binding stands, for engagement. */
interface BindingState {
  ready: boolean;
  /** Required claims it lacks (empty unless claims gate engagement). */
  missingClaims: readonly MissingPermissionClaim[];
}

/**
 * Decides, from the APIBindings an APIExport's virtual workspace serves, which workspaces should be
 * engaged: a workspace is engaged once one of its bindings is Ready, disengaged when its last binding is
 * gone, and (by option) disengaged when no binding of it has been Ready for a grace period. kcp's Go
 * provider never disengages on NotReady; we do, after a grace period, so a flapping condition does not churn.
 * With `engageOnlyWithRequiredClaims`, a Ready binding counts only if it also accepts the required
 * permission claims, and losing one disengages at once (the user decided; there is nothing to wait for).
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
      ready: isConditionTrue(binding, 'Ready'),
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
    const anyReady = states.some((b) => b.ready && b.missingClaims.length === 0);
    if (!bindings) {
      this.#cancelGrace(cluster);
      if (this.#engaged.delete(cluster))
        this.#decisions.disengage(cluster, 'its last APIBinding was deleted');
      return;
    }
    if (anyReady) {
      this.#cancelGrace(cluster);
      if (!this.#engaged.has(cluster)) {
        this.#engaged.add(cluster);
        this.#decisions.engage(cluster);
      }
      return;
    }
    const lacking = states.find((b) => b.ready && b.missingClaims.length > 0);
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
          (b) => b.ready && b.missingClaims.length === 0,
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
