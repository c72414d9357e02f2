import { type Lease, LeaseResource } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { isConflict } from '../client/errors.ts';
import { microTime } from './micro-time.ts';

/** The `spec` of a coordination.k8s.io/v1 Lease. */
export type LeaseSpec = NonNullable<Lease['spec']>;

/**
 * A new Lease held by `identity`, as a first acquirer creates it. Durations are stored in whole seconds
 * (rounded up), which is all a Lease can express.
 */
export function newHeldLease(
  name: string,
  namespace: string,
  identity: string,
  leaseDurationMs: number,
  nowMs: number,
  labels?: Record<string, string>,
): Lease {
  const now = microTime(nowMs);
  return {
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    },
  };
}

/**
 * `lease` held by `identity` with a fresh renewTime. Taking it over from another holder (or from nobody)
 * resets `acquireTime` and counts a transition, as client-go does; renewing keeps both.
 */
export function heldLease(lease: Lease, identity: string, leaseDurationMs: number, nowMs: number): Lease {
  const now = microTime(nowMs);
  const spec = lease.spec ?? {};
  const alreadyHolder = spec.holderIdentity === identity;
  return {
    ...lease,
    spec: {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: alreadyHolder && spec.acquireTime ? spec.acquireTime : now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (alreadyHolder ? 0 : 1),
    },
  };
}

/**
 * `lease` released: no holder and a one-second duration, so that the next acquirer need not wait out the
 * old duration (client-go's `ReleaseOnCancel`).
 */
export function releasedLease(lease: Lease, nowMs: number): Lease {
  const now = microTime(nowMs);
  return {
    ...lease,
    spec: {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: lease.spec?.leaseTransitions ?? 0,
    },
  };
}

/**
 * Releases `lease` if `identity` still holds it. A renew aborted by a shutdown may still have reached the
 * server, leaving `lease` stale: on a 409 Conflict the Lease is read again and released if `identity`
 * still holds it. Resolves to the released Lease, or undefined when another identity holds it (or it could
 * not be read again); rejects with the API error otherwise.
 */
export async function releaseHeldLease(
  client: Client,
  lease: Lease,
  identity: string,
  options: { namespace: string; signal: AbortSignal; now: () => number },
): Promise<Lease | undefined> {
  const { namespace, signal } = options;
  let current: Lease | undefined = lease;
  for (let attempt = 0; current?.spec?.holderIdentity === identity; attempt++) {
    try {
      return await client.update(LeaseResource, releasedLease(current, options.now()), { namespace, signal });
    } catch (error) {
      if (!isConflict(error) || attempt > 0) throw error;
      const name: string = current.metadata?.name ?? '';
      current = await client.get(LeaseResource, name, { namespace, signal }).catch(() => undefined);
    }
  }
  return undefined;
}

/**
 * When each Lease's record (its spec) last changed, by the *local* clock. client-go never trusts a remote
 * `renewTime` to decide expiry, because replicas' clocks may disagree: a Lease counts as expired only once
 * its record has not changed for its `leaseDurationSeconds` of locally observed time.
 */
export class LeaseObservations {
  readonly #seen = new Map<string, { record: string; at: number }>();

  /**
   * Notes the current spec of the Lease `name` at local time `nowMs`; true when it differs from the last
   * one observed (or is the first). `firstSeenAt` backdates a Lease never observed before (used only where
   * being wrong costs time, not safety).
   */
  observe(name: string, spec: LeaseSpec | undefined, nowMs: number, firstSeenAt?: number): boolean {
    const record = JSON.stringify(spec ?? {});
    const seen = this.#seen.get(name);
    if (seen?.record === record) return false;
    this.#seen.set(name, { record, at: seen ? nowMs : Math.min(nowMs, firstSeenAt ?? nowMs) });
    return true;
  }

  /** Local time at which the Lease's current record was first observed; undefined if never observed. */
  observedAt(name: string): number | undefined {
    return this.#seen.get(name)?.at;
  }

  /**
   * Whether the Lease as last observed is free for another identity at `nowMs`: no holder, or a record
   * unchanged for longer than its duration.
   */
  isFree(name: string, spec: LeaseSpec | undefined, nowMs: number): boolean {
    if (!spec?.holderIdentity) return true;
    const at = this.#seen.get(name)?.at ?? nowMs;
    return at + (spec.leaseDurationSeconds ?? 0) * 1000 <= nowMs;
  }

  /** Forgets a Lease that no longer exists. */
  forget(name: string): void {
    this.#seen.delete(name);
  }

  /** Names of every Lease observed. */
  names(): string[] {
    return [...this.#seen.keys()];
  }
}
