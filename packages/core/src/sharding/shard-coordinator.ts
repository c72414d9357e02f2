import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Lease, LeaseResource } from '../client/builtins.ts';
import type { Client } from '../client/client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../client/errors.ts';
import { type Logger, silentLogger } from '../log/logger.ts';
import { LeaseObservations, heldLease, newHeldLease, releaseHeldLease } from '../manager/lease-record.ts';
import { assignBuckets } from './rendezvous.ts';

/** Label on every Lease of a sharding group; its value is the group name. */
export const SHARDING_GROUP_LABEL = 'sharding.kubeloom.io/group';
/** Label saying what a sharding Lease is: `member` (a replica's heartbeat) or `bucket` (a fence). */
export const SHARDING_ROLE_LABEL = 'sharding.kubeloom.io/role';

/** Settings of a sharding group: where its Leases live and how they are timed. */
export interface ShardingOptions {
  /** Client of the cluster or kcp workspace where every replica of the group keeps its Leases. */
  client: Client;
  /** Namespace of the Leases. Default `default`. */
  namespace?: string;
  /** Prefix of the Lease names and value of their group label; replicas sharing work share it. Default `kubeloom`. */
  group?: string;
  /** This replica's identity (the pod name is a good one). Default `<hostname>_<random uuid>`. */
  identity?: string;
  /**
   * Number of fencing Leases. Workspaces hash into buckets; a replica reconciles a workspace only while it
   * holds its bucket's Lease. Every replica of a group must use the same number. Default 64.
   */
  buckets?: number;
  /** How long a Lease is valid without renewal (whole seconds, rounded up). Default 15 s. */
  leaseDurationMs?: number;
  /**
   * A replica that could not renew a bucket for this long stops reconciling its workspaces, so it has
   * `leaseDurationMs - renewDeadlineMs` to finish in-flight reconciles before another may take over. Default 10 s.
   */
  renewDeadlineMs?: number;
  /** Interval between rounds (list Leases, renew, acquire, release). Default 2 s. */
  retryPeriodMs?: number;
  /** How far above the average number of workspaces a replica may go (see `assignBuckets`). Default 0.1. */
  balanceSlack?: number;
  /** Where handovers and failures are logged. Default: nowhere. */
  logger?: Logger;
}

/** What the coordinator asks of its owner (the sharded provider). */
export interface ShardCoordinatorHooks {
  /** Workspaces per bucket as this replica sees them. */
  load(): readonly number[];
  /** This replica now holds the bucket's Lease: engage its workspaces. */
  onAcquired(bucket: number): void;
  /**
   * The bucket must stop: abort its engagements and resolve once no reconcile of its workspaces runs.
   * `lost` means the Lease could not be renewed (or another replica holds it); otherwise the Lease is
   * still held and is released once this resolves.
   */
  onStopping(bucket: number, why: 'moved' | 'lost' | 'shutdown'): Promise<void>;
  /** The live members changed. */
  onMembers?(members: readonly string[]): void;
  /** This replica waited `seconds` between wanting a bucket and holding it. */
  onHandover?(bucket: number, seconds: number): void;
  /** The set of buckets assigned to this replica changed. */
  onRebalance?(): void;
}

interface HeldBucket {
  lease: Lease;
  renewedAt: number;
  stopping: boolean;
  /** The last write to its Lease: writes are serialised so a renew never races the release. */
  writing: Promise<void>;
  /** A renewal is under way. */
  renewing: boolean;
}

/**
 * Spreads buckets of workspaces over the live replicas of a group, on Kubernetes Leases only:
 *
 * - **membership**: each replica renews a Lease of its own (`<group>-member-<identity>`); the live set is
 *   the member Leases whose record changed within their duration (locally observed time, as client-go
 *   judges Leases) plus this replica;
 * - **assignment**: `assignBuckets` (rendezvous hashing with bounded loads) over the live set;
 * - **fencing**: one Lease per bucket (`<group>-bucket-<n>`), taken with optimistic concurrency only when
 *   free or expired; a bucket that moves away is stopped (engagements aborted, in-flight reconciles
 *   drained) while its Lease is still renewed, and released only then; a bucket that cannot be renewed
 *   within the renew deadline is stopped before its Lease can expire for the others.
 *
 * One LIST per round observes every Lease of the group, so a replica knows how long each bucket's holder
 * has been silent before it needs the bucket, and takes over a crashed replica's buckets one lease
 * duration after its last renewal.
 */
export class ShardCoordinator {
  /** This replica's name in the Leases it holds (holderIdentity). */
  readonly identity: string;
  /** Namespace of the Leases. */
  readonly namespace: string;
  /** Name of the replica group; the Leases are named after it. */
  readonly group: string;
  /** How many buckets workspaces are hashed into; each bucket is one Lease. */
  readonly buckets: number;
  /** How long a Lease stays valid without renewal; a crashed replica's buckets move after this. */
  readonly leaseDurationMs: number;
  /** How long a replica keeps working on a bucket it failed to renew. */
  readonly renewDeadlineMs: number;
  /** Interval between rounds. */
  readonly retryPeriodMs: number;
  readonly #client: Client;
  readonly #hooks: ShardCoordinatorHooks;
  readonly #logger: Logger;
  readonly #slack: number;
  readonly #observations = new LeaseObservations();
  readonly #held = new Map<number, HeldBucket>();
  /** When this replica started wanting a bucket it does not hold yet. */
  readonly #wantedSince = new Map<number, number>();
  #memberLease: Lease | undefined;
  #heartbeating = false;
  #members: string[] = [];
  #assigned = '';
  #running = false;

  constructor(options: ShardingOptions, hooks: ShardCoordinatorHooks) {
    this.#client = options.client;
    this.#hooks = hooks;
    this.namespace = options.namespace ?? 'default';
    this.group = options.group ?? 'kubeloom';
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.buckets = options.buckets ?? 64;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.#slack = options.balanceSlack ?? 0.1;
    this.#logger = (options.logger ?? silentLogger).child({ replica: this.identity, group: this.group });
    if (!Number.isInteger(this.buckets) || this.buckets < 1 || this.buckets > 4096) {
      throw new RangeError(`sharding buckets must be an integer from 1 to 4096, got ${this.buckets}`);
    }
    if (this.leaseDurationMs < 1000) {
      throw new RangeError(
        `sharding leaseDurationMs must be at least 1000 (Leases count whole seconds), got ${this.leaseDurationMs}`,
      );
    }
    if (this.renewDeadlineMs >= this.leaseDurationMs || this.retryPeriodMs >= this.renewDeadlineMs / 2) {
      throw new RangeError(
        `sharding needs retryPeriodMs (${this.retryPeriodMs}) < renewDeadlineMs / 2 (${this.renewDeadlineMs / 2}) and renewDeadlineMs < leaseDurationMs (${this.leaseDurationMs})`,
      );
    }
  }

  /** Name of the member Lease of `identity` (a DNS-1123 name derived from it). */
  memberLeaseName(identity = this.identity): string {
    const safe = identity
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
      .slice(0, 200);
    return `${this.group}-member-${safe || 'replica'}`;
  }

  /** Name of the fencing Lease of a bucket. */
  bucketLeaseName(bucket: number): string {
    return `${this.group}-bucket-${String(bucket).padStart(3, '0')}`;
  }

  /** The live members as last computed, sorted. */
  get members(): readonly string[] {
    return this.#members;
  }

  /** Whether this replica holds the bucket's Lease and has not begun to give it up. */
  isActive(bucket: number): boolean {
    const held = this.#held.get(bucket);
    return held !== undefined && !held.stopping;
  }

  /** Buckets whose Lease this replica holds (including those being given up), sorted. */
  heldBuckets(): number[] {
    return [...this.#held.keys()].toSorted((a, b) => a - b);
  }

  /**
   * Runs rounds until `signal` aborts, then stops every bucket, releases the bucket Leases and the member
   * Lease, so that the others take over within one round instead of one lease duration. Never rejects.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error('ShardCoordinator.run is already running');
    this.#running = true;
    const deadlines = setInterval(() => this.#enforceDeadlines(), Math.min(250, this.retryPeriodMs));
    deadlines.unref();
    this.#logger.info(
      { buckets: this.buckets, leaseDurationMs: this.leaseDurationMs, namespace: this.namespace },
      'joining the sharding group',
    );
    // Renewals run on their own cadence, so a slow LIST (or a slow takeover) never delays them.
    const renewals = this.#renewLoop(signal);
    try {
      while (!signal.aborted) {
        await this.#round(this.#bounded(signal)).catch((error: unknown) => {
          if (!signal.aborted) this.#logger.error({ err: error }, 'sharding round failed; retrying');
        });
        await sleep(this.retryPeriodMs * (0.8 + Math.random() * 0.4), undefined, { signal }).catch(() => {});
      }
      await renewals;
    } finally {
      clearInterval(deadlines);
      await this.#leave();
      this.#running = false;
    }
  }

  /** One round: observe, heartbeat, assign, then renew, release and acquire buckets. */
  async #round(signal: AbortSignal): Promise<void> {
    const list = await this.#client.list(LeaseResource, {
      namespace: this.namespace,
      labelSelector: `${SHARDING_GROUP_LABEL}=${this.group}`,
      signal,
    });
    const now = Date.now();
    const byName = new Map<string, Lease>();
    for (const lease of list.items) {
      const name = lease.metadata?.name ?? '';
      byName.set(name, lease);
      const renewed = Date.parse(lease.spec?.renewTime ?? '');
      const isMember = lease.metadata?.labels?.[SHARDING_ROLE_LABEL] === 'member';
      // A member Lease seen for the first time is judged by its renewTime (membership costs only time when
      // wrong); a bucket Lease only by what this replica observed (fencing must not trust remote clocks).
      this.#observations.observe(
        name,
        lease.spec,
        now,
        isMember && !Number.isNaN(renewed) ? renewed : undefined,
      );
    }
    for (const name of this.#observations.names()) if (!byName.has(name)) this.#observations.forget(name);

    this.#memberLease ??= byName.get(this.memberLeaseName());
    if (!this.#memberLease) await this.#heartbeat(signal);

    const members = new Set([this.identity]);
    for (const [name, lease] of byName) {
      if (lease.metadata?.labels?.[SHARDING_ROLE_LABEL] !== 'member') continue;
      const holder = lease.spec?.holderIdentity ?? '';
      if (holder && !this.#observations.isFree(name, lease.spec, now)) members.add(holder);
    }
    const sorted = [...members].toSorted();
    if (sorted.join('\n') !== this.#members.join('\n')) {
      this.#logger.info({ members: sorted }, `live replicas: ${sorted.join(', ')}`);
      this.#members = sorted;
      this.#hooks.onMembers?.(sorted);
    }

    const owners = assignBuckets({
      buckets: this.buckets,
      members: sorted,
      load: this.#hooks.load(),
      balanceSlack: this.#slack,
    });
    const mine = owners.flatMap((owner, bucket) => (owner === this.identity ? [bucket] : []));
    const assigned = mine.join(',');
    if (assigned !== this.#assigned) {
      if (this.#assigned !== '' || mine.length > 0) this.#hooks.onRebalance?.();
      this.#assigned = assigned;
      this.#logger.info({ buckets: mine }, `assigned ${mine.length} of ${this.buckets} buckets`);
    }
    const wanted = new Set(mine);
    const work: Array<Promise<void>> = [];
    for (const [bucket, held] of this.#held) {
      if (!wanted.has(bucket) && !held.stopping) void this.#stop(bucket, 'moved');
    }
    for (const bucket of wanted) {
      if (this.#held.has(bucket)) continue;
      if (!this.#wantedSince.has(bucket)) this.#wantedSince.set(bucket, now);
      work.push(this.#acquire(bucket, byName.get(this.bucketLeaseName(bucket)), now, signal));
    }
    for (const bucket of this.#wantedSince.keys()) if (!wanted.has(bucket)) this.#wantedSince.delete(bucket);
    await Promise.all(work);
  }

  /** `signal`, also aborted after the renew deadline: no request of a round may hang longer. */
  #bounded(signal: AbortSignal): AbortSignal {
    return AbortSignal.any([signal, AbortSignal.timeout(this.renewDeadlineMs)]);
  }

  /** Every retry period, renews the member Lease and every held bucket's Lease, each bounded in time. */
  async #renewLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      // Not tied to `signal`: a renewal under way at shutdown completes, so the release that follows it
      // works on the Lease as it is (an aborted request may still have reached the server).
      const round = AbortSignal.timeout(this.renewDeadlineMs);
      const writes = [this.#heartbeat(round)];
      for (const [bucket, held] of this.#held) {
        if (held.renewing) continue;
        held.renewing = true;
        writes.push(
          this.#serially(held, () => this.#renew(bucket, held, round)).finally(() => {
            held.renewing = false;
          }),
        );
      }
      // Do not wait for slow writes: the next renewals start on time, and a hung one ends at its deadline.
      void Promise.all(writes);
      await sleep(this.retryPeriodMs, undefined, { signal }).catch(() => {});
    }
  }

  /** Renews (or creates) this replica's member Lease. */
  async #heartbeat(signal: AbortSignal): Promise<void> {
    if (this.#heartbeating) return;
    this.#heartbeating = true;
    try {
      await this.#writeMemberLease(signal);
    } finally {
      this.#heartbeating = false;
    }
  }

  async #writeMemberLease(signal: AbortSignal): Promise<void> {
    const namespace = this.namespace;
    const name = this.memberLeaseName();
    const base = this.#memberLease;
    try {
      this.#memberLease = base
        ? await this.#client.update(
            LeaseResource,
            heldLease(base, this.identity, this.leaseDurationMs, Date.now()),
            {
              namespace,
              signal,
            },
          )
        : await this.#client.create(
            LeaseResource,
            newHeldLease(
              name,
              namespace,
              this.identity,
              this.leaseDurationMs,
              Date.now(),
              this.#labels('member'),
            ),
            { namespace, signal },
          );
    } catch (error) {
      this.#memberLease = undefined;
      if (signal.aborted) return;
      if (isConflict(error) || isAlreadyExists(error)) {
        this.#logger.debug('the member lease changed since it was read; renewing it next round');
      } else {
        this.#logger.warn(
          { err: error, lease: `${namespace}/${name}` },
          'renewing the member lease failed (may this replica create and update leases there?)',
        );
      }
    }
  }

  /** Takes a bucket's Lease if it is free, expired or already this replica's. */
  async #acquire(bucket: number, listed: Lease | undefined, now: number, signal: AbortSignal): Promise<void> {
    const name = this.bucketLeaseName(bucket);
    const namespace = this.namespace;
    const holder = listed?.spec?.holderIdentity ?? '';
    if (listed && holder !== this.identity && !this.#observations.isFree(name, listed.spec, now)) return;
    let lease: Lease;
    try {
      lease = listed
        ? await this.#client.update(
            LeaseResource,
            heldLease(listed, this.identity, this.leaseDurationMs, now),
            {
              namespace,
              signal,
            },
          )
        : await this.#client.create(
            LeaseResource,
            newHeldLease(name, namespace, this.identity, this.leaseDurationMs, now, this.#labels('bucket')),
            { namespace, signal },
          );
    } catch (error) {
      if (signal.aborted) return;
      if (isConflict(error) || isAlreadyExists(error)) {
        this.#logger.debug({ bucket }, 'another replica took the bucket lease first');
      } else {
        this.#logger.warn({ err: error, lease: `${namespace}/${name}` }, 'taking a bucket lease failed');
      }
      return;
    }
    // Recorded even if the round's deadline passed meanwhile: the Lease is ours, and is renewed or released.
    if (this.#held.has(bucket)) return;
    this.#held.set(bucket, {
      lease,
      renewedAt: now,
      stopping: false,
      writing: Promise.resolve(),
      renewing: false,
    });
    const since = this.#wantedSince.get(bucket) ?? now;
    this.#wantedSince.delete(bucket);
    const previous = holder && holder !== this.identity ? holder : undefined;
    this.#logger.info(
      {
        bucket,
        lease: name,
        ...(previous ? { previousHolder: previous } : {}),
        waitedMs: Date.now() - since,
      },
      `took bucket ${bucket}${previous ? ` over from ${previous}` : ''}`,
    );
    this.#hooks.onHandover?.(bucket, (Date.now() - since) / 1000);
    this.#hooks.onAcquired(bucket);
  }

  /** Runs `write` after the bucket's previous Lease write has finished. */
  #serially(held: HeldBucket, write: () => Promise<void>): Promise<void> {
    const next = held.writing.then(write, write);
    held.writing = next.catch(() => {});
    return next;
  }

  /** Renews a held bucket's Lease; a conflict re-reads it and stops the bucket if another replica holds it. */
  async #renew(bucket: number, held: HeldBucket, signal: AbortSignal): Promise<void> {
    if (this.#held.get(bucket) !== held) return;
    const namespace = this.namespace;
    const started = Date.now();
    try {
      held.lease = await this.#client.update(
        LeaseResource,
        heldLease(held.lease, this.identity, this.leaseDurationMs, started),
        { namespace, signal },
      );
      held.renewedAt = started;
      return;
    } catch (error) {
      if (signal.aborted) return;
      if (!isConflict(error)) {
        this.#logger.warn({ err: error, bucket }, 'renewing a bucket lease failed; retrying next round');
        return;
      }
    }
    try {
      const current = await this.#client.get(LeaseResource, this.bucketLeaseName(bucket), {
        namespace,
        signal,
      });
      if (current.spec?.holderIdentity === this.identity) {
        held.lease = current;
        return;
      }
      this.#logger.error(
        { bucket, holder: current.spec?.holderIdentity ?? '' },
        `lost bucket ${bucket}: another replica holds its lease`,
      );
    } catch (error) {
      if (signal.aborted || !isNotFound(error)) return;
      this.#logger.error({ bucket }, `lost bucket ${bucket}: its lease was deleted`);
    }
    this.#lose(bucket);
  }

  /** Stops buckets whose Lease could not be renewed within the renew deadline. */
  #enforceDeadlines(): void {
    const now = Date.now();
    for (const [bucket, held] of this.#held) {
      if (now - held.renewedAt < this.renewDeadlineMs) continue;
      this.#logger.error(
        { bucket, renewDeadlineMs: this.renewDeadlineMs },
        `lost bucket ${bucket}: its lease could not be renewed within ${this.renewDeadlineMs} ms; its workspaces stop here before another replica may take them`,
      );
      this.#lose(bucket);
    }
  }

  /** Forgets a bucket this replica no longer holds and stops its workspaces. */
  #lose(bucket: number): void {
    const held = this.#held.get(bucket);
    if (!held) return;
    this.#held.delete(bucket);
    if (held.stopping) return;
    held.stopping = true;
    const started = Date.now();
    void this.#hooks.onStopping(bucket, 'lost').then(() => {
      const tookMs = Date.now() - started;
      const marginMs = this.leaseDurationMs - this.renewDeadlineMs;
      if (tookMs > marginMs) {
        this.#logger.error(
          { bucket, tookMs, marginMs },
          `the reconciles of lost bucket ${bucket} took ${tookMs} ms to finish, longer than the ${marginMs} ms between the renew deadline and lease expiry; another replica may have reconciled the same workspaces meanwhile (raise leaseDurationMs or make reconciles honour their signal)`,
        );
      }
    });
  }

  /** Gives a bucket up: stops it while still renewing its Lease, then releases the Lease. */
  #stop(bucket: number, why: 'moved' | 'shutdown'): Promise<void> {
    const held = this.#held.get(bucket);
    if (!held || held.stopping) return Promise.resolve();
    held.stopping = true;
    this.#logger.info({ bucket }, `giving bucket ${bucket} up (${why}): stopping its workspaces`);
    return this.#hooks.onStopping(bucket, why).then(() =>
      this.#serially(held, async () => {
        if (this.#held.get(bucket) === held) await this.#release(bucket, held);
      }),
    );
  }

  async #release(bucket: number, held: HeldBucket): Promise<void> {
    const namespace = this.namespace;
    const signal = AbortSignal.timeout(this.renewDeadlineMs);
    this.#held.delete(bucket);
    try {
      const released = await releaseHeldLease(this.#client, held.lease, this.identity, {
        namespace,
        signal,
        now: Date.now,
      });
      if (released) this.#logger.info({ bucket }, `released bucket ${bucket}`);
    } catch (error) {
      this.#logger.warn(
        { err: error, bucket },
        `could not release bucket ${bucket}; another replica takes it when its lease expires`,
      );
    }
  }

  /** Graceful exit: stop and release every bucket, then the member Lease. */
  async #leave(): Promise<void> {
    const stopping = [...this.#held.keys()].map((bucket) => this.#stop(bucket, 'shutdown'));
    const done = await Promise.race([
      Promise.all(stopping).then(() => true),
      sleep(this.renewDeadlineMs).then(() => false),
    ]);
    if (!done) {
      this.#logger.warn(
        { buckets: this.heldBuckets() },
        'reconciles did not finish in time; the remaining bucket leases are left to expire',
      );
    }
    const member = this.#memberLease;
    if (member) {
      await releaseHeldLease(this.#client, member, this.identity, {
        namespace: this.namespace,
        signal: AbortSignal.timeout(this.renewDeadlineMs),
        now: Date.now,
      }).catch(() => undefined);
    }
    this.#logger.info('left the sharding group');
  }

  #labels(role: 'member' | 'bucket'): Record<string, string> {
    return { [SHARDING_GROUP_LABEL]: this.group, [SHARDING_ROLE_LABEL]: role };
  }
}
