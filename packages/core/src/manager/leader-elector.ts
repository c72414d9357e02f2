import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Lease, LeaseResource } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.ts';
import { type Logger, silentLogger } from '../log/logger.ts';
import { heldLease, newHeldLease, releaseHeldLease } from './lease-record.ts';

/** Leader election settings (controller-runtime's defaults). */
export interface LeaderElectionOptions {
  /** Default true when the options are given at all. */
  enabled?: boolean;
  /** Name of the coordination.k8s.io/v1 Lease; every replica of one operator must use the same. */
  leaseName: string;
  /** Namespace of the Lease in the manager's local cluster. Default `default`. */
  leaseNamespace?: string;
  /** This replica's identity in the Lease. Default `<hostname>_<random uuid>` (the pod name plus a suffix). */
  identity?: string;
  /** How long a Lease is valid without renewal (stored in whole seconds, rounded up). Default 15 s. */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down. Must be less than the lease duration. Default 10 s. */
  renewDeadlineMs?: number;
  /** Interval between acquire and renew attempts. Default 2 s. */
  retryPeriodMs?: number;
  /** Clear the holder on graceful shutdown so another replica takes over at once. Default true. */
  releaseOnCancel?: boolean;
}

/** Options for {@link LeaderElector}: the election settings plus hooks. */
export interface LeaderElectorOptions extends Omit<LeaderElectionOptions, 'enabled'> {
  /** Where it logs. Default: nowhere. */
  logger?: Logger;
  /** This replica now holds the Lease. */
  onStartedLeading?: () => void;
  /** This replica lost the Lease (not called on a graceful release). */
  onStoppedLeading?: () => void;
  /** Another (or this) identity was observed holding the Lease. */
  onNewLeader?: (identity: string) => void;
  /** Leading changed; feeds `leader_election_master_status`. */
  onStatus?: (leading: boolean) => void;
  /** Local clock; tests may pin it. Default `Date.now`. */
  now?: () => number;
}

/** How {@link LeaderElector.run} ended. */
export type ElectionOutcome =
  /** Aborted before this replica became leader. */
  | 'stopped'
  /** Aborted while leading; the Lease was released (or release was disabled or failed). */
  | 'released'
  /** Leadership was lost: renewal failed for the renew deadline, or another holder was observed. */
  | 'lost';

/** client-go's jitter factor for acquire retries. */
const JITTER = 1.2;

/**
 * Leader election on a coordination.k8s.io/v1 Lease with client-go's semantics:
 *
 * - every retry period, try to acquire or renew with optimistic concurrency (PUT with the
 *   resourceVersion just read; a 409 means another replica won the race);
 * - take over only when the holder's record has not changed for its `leaseDurationSeconds` of *locally
 *   observed* time, never trusting the remote `renewTime`, so clock skew between replicas cannot cause two
 *   leaders; increment `leaseTransitions` on every takeover;
 * - a leader renews every retry period (first with the Lease it holds, falling back to a fresh read on
 *   conflict) and steps down when it could not renew for the renew deadline or sees another holder;
 * - on graceful shutdown it releases the Lease by clearing `holderIdentity` (with `leaseDurationSeconds: 1`)
 *   so a standby takes over immediately instead of waiting out the lease.
 */
export class LeaderElector {
  /** This replica's name in the Lease (holderIdentity). */
  readonly identity: string;
  /** Name of the Lease. */
  readonly leaseName: string;
  /** Namespace of the Lease. */
  readonly leaseNamespace: string;
  readonly #client: Client;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  readonly #releaseOnCancel: boolean;
  readonly #logger: Logger;
  readonly #options: LeaderElectorOptions;
  readonly #now: () => number;
  #leading = false;
  /** The Lease as last read or written. */
  #lease: Lease | undefined;
  /** The spec last observed, serialised, and when this replica observed it change. */
  #observedRecord = '';
  #observedAt = 0;
  #observedHolder = '';
  #running = false;

  constructor(client: Client, options: LeaderElectorOptions) {
    this.#client = client;
    this.#options = options;
    this.leaseName = options.leaseName;
    this.leaseNamespace = options.leaseNamespace ?? 'default';
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.#releaseOnCancel = options.releaseOnCancel ?? true;
    this.#now = options.now ?? Date.now;
    this.#logger = (options.logger ?? silentLogger).child({
      lease: `${this.leaseNamespace}/${this.leaseName}`,
      identity: this.identity,
    });
    if (!this.leaseName) throw new TypeError('leader election needs a leaseName');
    if (this.#leaseDurationMs < 1000) {
      throw new RangeError(
        `leaseDurationMs must be at least 1000 (Leases count whole seconds), got ${this.#leaseDurationMs}`,
      );
    }
    if (this.#leaseDurationMs <= this.#renewDeadlineMs) {
      throw new RangeError(
        `leaseDurationMs (${this.#leaseDurationMs}) must be greater than renewDeadlineMs (${this.#renewDeadlineMs})`,
      );
    }
    if (this.#retryPeriodMs <= 0 || this.#renewDeadlineMs <= JITTER * this.#retryPeriodMs) {
      throw new RangeError(
        `renewDeadlineMs (${this.#renewDeadlineMs}) must be greater than ${JITTER} × retryPeriodMs (${this.#retryPeriodMs})`,
      );
    }
  }

  /** Whether this replica holds the Lease right now. */
  get isLeader(): boolean {
    return this.#leading;
  }

  /** The holder last observed in the Lease (`''` when none or not yet read). */
  get observedLeader(): string {
    return this.#observedHolder;
  }

  /**
   * Campaigns until elected, then holds the Lease until `signal` aborts (releasing it) or leadership is
   * lost. Never rejects: API errors are logged and retried.
   */
  async run(signal: AbortSignal): Promise<ElectionOutcome> {
    if (this.#running) throw new Error('LeaderElector.run is already running');
    this.#running = true;
    try {
      this.#logger.info('campaigning for leadership');
      while (!(await this.#tryAcquireOrRenew(signal))) {
        if (!(await pause(this.#retryPeriodMs * (1 + Math.random() * JITTER), signal))) return 'stopped';
      }
      if (signal.aborted) {
        await this.#release();
        return 'stopped';
      }
      this.#setLeading(true);
      this.#logger.info('acquired leadership');
      this.#options.onStartedLeading?.();
      let lastRenew = this.#now();
      for (;;) {
        if (!(await pause(this.#retryPeriodMs, signal))) break;
        const deadline = lastRenew + this.#renewDeadlineMs;
        const attempt = AbortSignal.any([signal, AbortSignal.timeout(Math.max(1, deadline - this.#now()))]);
        if (await this.#tryAcquireOrRenew(attempt)) {
          lastRenew = this.#now();
          continue;
        }
        if (signal.aborted) break;
        const other = this.#observedHolder !== '' && this.#observedHolder !== this.identity;
        if (other || this.#now() >= deadline) {
          this.#setLeading(false);
          this.#logger.error(
            { holder: this.#observedHolder },
            other
              ? 'lost leadership: another replica holds the lease'
              : `lost leadership: could not renew the lease within ${this.#renewDeadlineMs} ms`,
          );
          this.#options.onStoppedLeading?.();
          return 'lost';
        }
      }
      if (this.#releaseOnCancel) await this.#release();
      this.#setLeading(false);
      return 'released';
    } finally {
      this.#running = false;
    }
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#options.onStatus?.(leading);
  }

  /** One attempt, client-go's `tryAcquireOrRenew`. True when this replica holds the Lease afterwards. */
  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const namespace = this.leaseNamespace;
    // Fast path: a leader renews the Lease it wrote last, without reading it first.
    if (this.#leading && this.#lease) {
      try {
        this.#observe(
          await this.#client.update(LeaseResource, this.#renewed(this.#lease), { namespace, signal }),
        );
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        if (!isConflict(error))
          this.#logger.warn({ err: error }, 'renewing the lease failed; retrying with a fresh read');
      }
    }
    let lease: Lease;
    try {
      lease = await this.#client.get(LeaseResource, this.leaseName, { namespace, signal });
    } catch (error) {
      if (signal.aborted) return false;
      if (!isNotFound(error)) {
        this.#logger.warn({ err: error }, 'reading the lease failed');
        return false;
      }
      return this.#create(signal);
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify(spec);
    const now = this.#now();
    if (record !== this.#observedRecord) {
      this.#observedRecord = record;
      this.#observedAt = now;
      this.#noteHolder(spec.holderIdentity ?? '');
    }
    const holder = spec.holderIdentity ?? '';
    const validForMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && holder !== this.identity && this.#observedAt + validForMs > now) return false;
    try {
      this.#observe(
        await this.#client.update(LeaseResource, this.#renewed(lease), {
          namespace,
          signal,
        }),
      );
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      if (isConflict(error)) this.#logger.debug('lost a race for the lease (409 Conflict)');
      else this.#logger.warn({ err: error }, 'updating the lease failed');
      return false;
    }
  }

  async #create(signal: AbortSignal): Promise<boolean> {
    const now = this.#now();
    try {
      const created = await this.#client.create(
        LeaseResource,
        newHeldLease(this.leaseName, this.leaseNamespace, this.identity, this.#leaseDurationMs, now),
        { namespace: this.leaseNamespace, signal },
      );
      this.#observe(created);
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      if (isAlreadyExists(error)) this.#logger.debug('another replica created the lease first');
      else
        this.#logger.warn(
          { err: error },
          'creating the lease failed (does the namespace exist, and may we create leases?)',
        );
      return false;
    }
  }

  /** The Lease with this replica as holder and a fresh renewTime; a takeover counts a transition. */
  #renewed(lease: Lease): Lease {
    return heldLease(lease, this.identity, this.#leaseDurationMs, this.#now());
  }

  /** Remembers a Lease this replica wrote: it is both the observed record and the base of the next renew. */
  #observe(lease: Lease): void {
    this.#lease = lease;
    this.#observedRecord = JSON.stringify(lease.spec ?? {});
    this.#observedAt = this.#now();
    this.#noteHolder(lease.spec?.holderIdentity ?? '');
  }

  #noteHolder(holder: string): void {
    if (holder === this.#observedHolder) return;
    this.#observedHolder = holder;
    if (holder) {
      if (holder !== this.identity) this.#logger.info({ leader: holder }, 'observed a new leader');
      this.#options.onNewLeader?.(holder);
    }
  }

  /**
   * Clears the holder so a standby takes over at once; failures only cost the standby one lease duration.
   * A renew aborted by the shutdown may still have reached the server, making the cached Lease stale: on a
   * conflict the Lease is read again and released if this replica still holds it.
   */
  async #release(): Promise<void> {
    if (!this.#lease) return;
    try {
      const released = await releaseHeldLease(this.#client, this.#lease, this.identity, {
        namespace: this.leaseNamespace,
        signal: AbortSignal.timeout(this.#renewDeadlineMs),
        now: this.#now,
      });
      if (!released) return;
      this.#lease = released;
      this.#logger.info('released the lease');
    } catch (error) {
      this.#logger.warn({ err: error }, 'could not release the lease; a standby takes over when it expires');
    }
  }
}

/** Waits `ms`; false if `signal` aborted first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
