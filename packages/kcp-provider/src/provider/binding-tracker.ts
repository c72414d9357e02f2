import { clusterOf } from '@kubeloom/core';
import type { APIBinding } from '../apis/apis.ts';
import { isConditionTrue } from '../apis/conditions.ts';

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
}

/**
 * Decides, from the APIBindings an APIExport's virtual workspace serves, which workspaces should be
 * engaged: a workspace is engaged once one of its bindings is Ready, disengaged when its last binding is
 * gone, and (by option) disengaged when no binding of it has been Ready for a grace period. kcp's Go
 * provider never disengages on NotReady; we do, after a grace period, so a flapping condition does not churn.
 */
export class BindingTracker {
  readonly #decisions: BindingDecisions;
  readonly #disengageWhenNotReady: boolean;
  readonly #graceMs: number;
  /** cluster → binding name → Ready. */
  readonly #bindings = new Map<string, Map<string, boolean>>();
  readonly #engaged = new Set<string>();
  readonly #graceTimers = new Map<string, NodeJS.Timeout>();

  constructor(decisions: BindingDecisions, options: BindingTrackerOptions = {}) {
    this.#decisions = decisions;
    this.#disengageWhenNotReady = options.disengageWhenNotReady ?? true;
    this.#graceMs = options.notReadyGraceMs ?? 30_000;
  }

  /** A binding was added or changed. */
  observe(binding: APIBinding): void {
    const cluster = clusterOf(binding);
    const name = binding.metadata.name ?? '';
    let bindings = this.#bindings.get(cluster);
    if (!bindings) {
      bindings = new Map();
      this.#bindings.set(cluster, bindings);
    }
    bindings.set(name, isConditionTrue(binding, 'Ready'));
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
    const anyReady = bindings !== undefined && [...bindings.values()].some(Boolean);
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
    if (this.#engaged.has(cluster) && this.#disengageWhenNotReady && !this.#graceTimers.has(cluster)) {
      const timer = setTimeout(() => {
        this.#graceTimers.delete(cluster);
        const stillNotReady = ![...(this.#bindings.get(cluster)?.values() ?? [])].some(Boolean);
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
