import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigMapResource,
  LeaseResource,
  SHARDING_GROUP_LABEL,
  SHARDING_ROLE_LABEL,
  assignBuckets,
  bucketOf,
  waitFor,
} from '@kubeloom/core';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { EXPORT_NAME, permissionClaims } from '@kubeloom/example-quickstart/setup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { type ReconcileRecord, mapBounded, overlaps, percentile } from './scale-out-checks.ts';

/**
 * Short Leases so that crash takeovers happen within seconds (the defaults are 15 s / 10 s / 2 s), yet long
 * enough for a loaded CI machine: there kcp took over 3.5 s for some Lease writes, and engaging a taken-over
 * workspace up to 4 s, which a 5 s lease did not leave room for.
 */
const LEASE_DURATION_MS = 8000;
const RENEW_DEADLINE_MS = 6000;
const RETRY_PERIOD_MS = 1000;
/** Must match the fixture's defaults: the test predicts the assignment to know when it has settled. */
const BUCKETS = 64;
const GROUP = 'e2e-scale-out';
const WORKSPACES = 30;
/** How many workspaces are created at once (kcp takes about a second for each). */
const CREATE_PARALLELISM = 6;
/** kcp on a loaded machine can take a minute or more to make a workspace Ready. */
const SETUP_TIMEOUT_MS = 240_000;
const REPLICA_SCRIPT = fileURLToPath(new URL('./fixtures/scale-out/sharded-replica.ts', import.meta.url));

const report = (line: string): void => {
  process.stderr.write(`[scale-out] ${line}\n`);
};

describe('scale-out: workspaces spread over replica processes with bucket fencing Leases', () => {
  let kcp: KcpTestEnvironment;
  let provider: KcpWorkspace;
  let consumers: KcpWorkspace[];
  const logDir = mkdtempSync(join(tmpdir(), 'kubeloom-scale-out-'));
  const replicas = new Map<string, ChildProcess>();
  const exits = new Map<string, { code: number | null; signal: NodeJS.Signals | null }>();
  const handover = { crash: [] as number[], graceful: [] as number[] };

  const logOf = (replica: string): string => join(logDir, `${replica}.reconciles.jsonl`);
  const records = (): ReconcileRecord[] =>
    [...replicas.keys()].flatMap((replica) =>
      existsSync(logOf(replica))
        ? readFileSync(logOf(replica), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as ReconcileRecord)
        : [],
    );

  function startReplica(name: string): void {
    const stderr = openSync(join(logDir, `${name}.log`), 'a');
    const child = spawn(process.execPath, [REPLICA_SCRIPT], {
      env: {
        ...process.env,
        KUBECONFIG_PATH: kcp.kubeconfigPath,
        PROVIDER_WORKSPACE: provider.path,
        ENDPOINT_SLICE: EXPORT_NAME,
        REPLICA: name,
        SCALE_OUT_LOG: logOf(name),
        LEASE_DURATION_MS: String(LEASE_DURATION_MS),
        RENEW_DEADLINE_MS: String(RENEW_DEADLINE_MS),
        RETRY_PERIOD_MS: String(RETRY_PERIOD_MS),
      },
      stdio: ['ignore', 'ignore', stderr],
    });
    closeSync(stderr);
    child.on('exit', (code, signal) => exits.set(name, { code, signal }));
    replicas.set(name, child);
  }

  const stopped = async (name: string): Promise<void> => {
    await waitFor(() => exits.has(name), { what: `replica ${name} to exit`, timeoutMs: 60_000 });
  };

  /** Which replica owns each bucket once `members` have settled, as every replica computes it. */
  function bucketOwners(members: readonly string[]): string[] {
    const load = Array.from({ length: BUCKETS }, () => 0);
    for (const c of consumers) {
      const bucket = bucketOf(c.clusterName, BUCKETS);
      load[bucket] = (load[bucket] ?? 0) + 1;
    }
    return assignBuckets({ buckets: BUCKETS, members, load });
  }

  /** Who should own each workspace once `members` have settled. */
  function expectedOwners(members: readonly string[]): Map<string, string> {
    const owners = bucketOwners(members);
    return new Map(consumers.map((c) => [c.clusterName, owners[bucketOf(c.clusterName, BUCKETS)] as string]));
  }

  /** Waits until every bucket Lease is held by the owner `members` imply (handovers are over). */
  async function settled(members: readonly string[]): Promise<Map<string, string>> {
    const expected = bucketOwners(members);
    const client = kcp.clientFor(provider.path);
    await waitFor(
      async () => {
        const leases = await client.list(LeaseResource, {
          namespace: 'default',
          labelSelector: `${SHARDING_GROUP_LABEL}=${GROUP},${SHARDING_ROLE_LABEL}=bucket`,
        });
        const holders = new Map(
          leases.items.map((l) => [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '']),
        );
        return expected.every(
          (owner, bucket) => holders.get(`${GROUP}-bucket-${String(bucket).padStart(3, '0')}`) === owner,
        );
      },
      {
        what: `every bucket lease held by its owner among ${members.join(', ')}`,
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    return expectedOwners(members);
  }

  /** Touches every workspace's ConfigMap and returns when each has been reconciled since; returns the time. */
  async function reconcileRound(round: string): Promise<number> {
    const since = Date.now();
    await mapBounded(consumers, CREATE_PARALLELISM, (c) =>
      kcp
        .clientFor(c.path)
        .patch(ConfigMapResource, 'welcome', { data: { round } }, { namespace: 'default' }),
    );
    await waitFor(
      () => {
        const seen = new Set(
          records()
            .filter((r) => r.start >= since)
            .map((r) => r.workspace),
        );
        return consumers.every((c) => seen.has(c.clusterName));
      },
      { what: `every workspace reconciled in round ${round}`, timeoutMs: 60_000, intervalMs: 250 },
    );
    return since;
  }

  /** For each workspace `owners` gave to `gone`, ms from `since` to its first reconcile by another replica. */
  async function takeoverTimes(gone: string, owners: Map<string, string>, since: number): Promise<number[]> {
    const moved = consumers.filter((c) => owners.get(c.clusterName) === gone).map((c) => c.clusterName);
    expect(moved.length).toBeGreaterThan(0);
    const firstByOther = (): Map<string, number> => {
      const first = new Map<string, number>();
      for (const r of records()) {
        if (r.replica === gone || r.start < since || !moved.includes(r.workspace)) continue;
        first.set(r.workspace, Math.min(first.get(r.workspace) ?? Number.POSITIVE_INFINITY, r.start));
      }
      return first;
    };
    await waitFor(() => firstByOther().size === moved.length, {
      what: `every workspace of ${gone} reconciled by another replica`,
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    return [...firstByOther().values()].map((start) => start - since);
  }

  /** A workspace bound to the export, with the `welcome` ConfigMap the replicas reconcile. */
  async function boundWorkspace(): Promise<KcpWorkspace> {
    // On a loaded shared kcp a workspace now and then stays Initializing for minutes: take another one.
    const workspace = await kcp
      .createWorkspace({ generateName: 'e2e-scale-out-', timeoutMs: SETUP_TIMEOUT_MS / 2 })
      .catch(() => kcp.createWorkspace({ generateName: 'e2e-scale-out-', timeoutMs: SETUP_TIMEOUT_MS }));
    await kcp.bindApiExport({
      workspace: workspace.path,
      exportPath: provider.path,
      exportName: EXPORT_NAME,
      timeoutMs: SETUP_TIMEOUT_MS,
    });
    await kcp.clientFor(workspace.path).create(ConfigMapResource, {
      metadata: { name: 'welcome', namespace: 'default' },
      data: {},
    });
    return workspace;
  }

  beforeAll(async () => {
    kcp = await sharedKcp();
    // A loaded shared kcp now and then answers a workspace create with a 500 (e.g. "resource quota
    // evaluation timed out"): try once more.
    provider = await kcp
      .createWorkspace({ generateName: 'e2e-scale-out-provider-', timeoutMs: SETUP_TIMEOUT_MS })
      .catch(() =>
        kcp.createWorkspace({ generateName: 'e2e-scale-out-provider-', timeoutMs: SETUP_TIMEOUT_MS }),
      );
    await kcp.createApiExport({
      workspace: provider.path,
      name: EXPORT_NAME,
      schemas: [],
      permissionClaims,
      timeoutMs: SETUP_TIMEOUT_MS,
    });
    const created = Date.now();
    consumers = await mapBounded(Array.from({ length: WORKSPACES }), CREATE_PARALLELISM, () =>
      boundWorkspace(),
    );
    report(`created ${WORKSPACES} bound workspaces in ${Date.now() - created} ms`);
    for (const name of ['a', 'b', 'c']) startReplica(name);
  }, 1_200_000);

  afterAll(async () => {
    for (const [name, child] of replicas) if (!exits.has(name)) child.kill('SIGKILL');
    await kcp?.stop();
    if (handover.crash.length || handover.graceful.length) {
      report(
        `handover after SIGKILL: p50 ${percentile(handover.crash, 50)} ms, p99 ${percentile(handover.crash, 99)} ms (n=${handover.crash.length}); after SIGTERM: p50 ${percentile(handover.graceful, 50)} ms, p99 ${percentile(handover.graceful, 99)} ms (n=${handover.graceful.length}); logs in ${logDir}`,
      );
    }
  });

  it('reconciles every workspace on exactly one replica, within ±30 % of an even share', async () => {
    const owners = await settled(['a', 'b', 'c']);
    const since = await reconcileRound('1');
    const after = records().filter((r) => r.start >= since);
    const byWorkspace = Map.groupBy(after, (r) => r.workspace);
    for (const c of consumers) {
      expect([...new Set(byWorkspace.get(c.clusterName)?.map((r) => r.replica))]).toEqual([
        owners.get(c.clusterName),
      ]);
    }
    const share = (replica: string): number =>
      consumers.filter((c) => owners.get(c.clusterName) === replica).length;
    report(`shares: a=${share('a')} b=${share('b')} c=${share('c')}`);
    for (const replica of ['a', 'b', 'c']) {
      expect(share(replica)).toBeGreaterThanOrEqual(Math.floor((WORKSPACES / 3) * 0.7));
      expect(share(replica)).toBeLessThanOrEqual(Math.ceil((WORKSPACES / 3) * 1.3));
    }
    expect(overlaps(records())).toEqual([]);
  });

  it('hands a killed replica’s workspaces to the others once its leases expire, never earlier', async () => {
    const owners = expectedOwners(['a', 'b', 'c']);
    const killedAt = Date.now();
    replicas.get('c')?.kill('SIGKILL');
    const times = await takeoverTimes('c', owners, killedAt);
    handover.crash.push(...times);
    report(`SIGKILL handover: p50 ${percentile(times, 50)} ms, p99 ${percentile(times, 99)} ms`);
    // Fencing: nobody starts before the lease expired (less the time the last renew was before the kill).
    expect(Math.min(...times)).toBeGreaterThanOrEqual(LEASE_DURATION_MS - RETRY_PERIOD_MS * 1.2 - 100);
    expect(Math.max(...times)).toBeLessThan(LEASE_DURATION_MS + 10_000);
    await settled(['a', 'b']);
    expect(overlaps(records())).toEqual([]);
  });

  it('gives a joining replica its share with no overlapping reconciles', async () => {
    startReplica('d');
    const owners = await settled(['a', 'b', 'd']);
    const since = await reconcileRound('2');
    const after = records().filter((r) => r.start >= since);
    const byWorkspace = Map.groupBy(after, (r) => r.workspace);
    for (const c of consumers) {
      expect([...new Set(byWorkspace.get(c.clusterName)?.map((r) => r.replica))]).toEqual([
        owners.get(c.clusterName),
      ]);
    }
    const share = consumers.filter((c) => owners.get(c.clusterName) === 'd').length;
    report(`replica d joined and owns ${share} workspaces`);
    expect(share).toBeGreaterThanOrEqual(Math.floor((WORKSPACES / 3) * 0.7));
    expect(overlaps(records())).toEqual([]);
  });

  it('hands over faster on SIGTERM: the leaving replica drains and releases its leases', async () => {
    const owners = expectedOwners(['a', 'b', 'd']);
    const signalledAt = Date.now();
    replicas.get('a')?.kill('SIGTERM');
    const times = await takeoverTimes('a', owners, signalledAt);
    handover.graceful.push(...times);
    report(`SIGTERM handover: p50 ${percentile(times, 50)} ms, p99 ${percentile(times, 99)} ms`);
    await stopped('a');
    expect(exits.get('a')).toEqual({ code: 0, signal: null });
    // Released leases are taken at the next round, without waiting for them to expire: the first takeover
    // comes before any lease of the leaver could have expired. (Later ones also wait for each workspace to
    // be engaged and reconciled, which a loaded machine can stretch past the lease duration.)
    expect(Math.min(...times)).toBeLessThan(LEASE_DURATION_MS);
    expect(percentile(times, 50)).toBeLessThan(percentile(handover.crash, 50));
    await settled(['b', 'd']);
    expect(overlaps(records())).toEqual([]);
  });
});
