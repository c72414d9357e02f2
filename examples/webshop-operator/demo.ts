/**
 * `./run demo`: the whole provider-to-consumer story on an embedded kcp and real Kubernetes API servers.
 *
 * The database team (a syncagent and a stand-in CloudNativePG, on the team cluster) and the observability
 * team (a second syncagent and a stand-in Elastic operator, on its own cluster) publish their APIs into
 * kcp; the webshop team exports the Webshop API, and its operator turns each tenant's Webshop into a
 * Postgres database and an Elasticsearch instance in the tenant's own workspace and a workload on the
 * compute cluster. The observability cluster binds the database team's Postgres API through kube-bind (a
 * backend in kcp, a konnector on the cluster), and a composition controller there gives each
 * Elasticsearch a Postgres, which the database team's stand-in serves. Two tenants each order a shop; the
 * demo prints progress, then who provides and who consumes what and where every object lives, and stops
 * everything (or keeps it running with `--keep-running`).
 */
import { type Logger, waitFor } from '@kubeloom/core';
import { KubeTestEnvironment } from '@kubeloom/core/testing';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { type Webshop, WebshopResource } from './src/api/index.ts';
import { DEMO_USAGE, type DemoOptions, DemoUsageError, parseDemoArguments } from './src/demo/demo-options.ts';
import { followComposition } from './src/demo/follow-composition.ts';
import { platformPicture } from './src/demo/platform-picture.ts';
import { createWebshopOperator, installWebshopApi } from './src/operator/index.ts';
import { runInBackground } from './src/platform/background-manager.ts';
import { type Platform, startPlatform } from './src/platform/platform.ts';

export { DEMO_USAGE, type DemoOptions, parseDemoArguments } from './src/demo/demo-options.ts';

/** How long one step may take on a busy machine. */
const STEP_MS = 600_000;
/** The Webshop each tenant orders. */
const WEBSHOP = 'shop';
/** The tenants and what they order. */
const ORDERS: ReadonlyArray<{ tenant: string; spec: Webshop['spec'] }> = [
  { tenant: 'acme', spec: { image: 'ghcr.io/acme/shop:1.4', replicas: 2, search: { enabled: true } } },
  { tenant: 'globex', spec: { image: 'ghcr.io/globex/shop:2.0', replicas: 1, search: { enabled: true } } },
];

/** What a finished demo reports. */
export interface DemoResult {
  /** Each tenant's workspace path and how long its Webshop took from created to Ready. */
  tenants: Array<{ path: string; readyAfterMs: number }>;
  /** Each tenant's Postgres composed on the observability cluster, and how long from the order to Ready there. */
  composed: Array<{ tenant: string; postgres: string; readyAfterMs: number }>;
  /** The closing picture. */
  picture: string[];
  /** From start to the picture (servers started, everything set up, both shops Ready). */
  wallMs: number;
}

/** A logger that keeps the agents' and the operator's errors for the failure report and prints nothing. */
function collectingLogger(errors: string[]): Logger {
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (obj, msg) => {
      errors.push(typeof obj === 'string' ? obj : `${msg ?? ''} ${JSON.stringify(obj)}`.trim());
    },
    child: () => logger,
  };
  return logger;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Waits until both Webshops are Ready, printing each condition of each Webshop as it turns True.
 * Returns how long each took from `createdAt`.
 */
async function followWebshops(
  platformKcp: KcpTestEnvironment,
  tenants: readonly KcpWorkspace[],
  createdAt: number,
  log: (line: string) => void,
): Promise<number[]> {
  const seen = new Set<string>();
  const readyAfter = new Map<string, number>();
  await waitFor(
    async () => {
      for (const tenant of tenants) {
        const webshop = await platformKcp
          .clientFor(tenant.path)
          .get(WebshopResource, WEBSHOP, { namespace: 'default' });
        if (webshop.status?.observedGeneration !== webshop.metadata?.generation) continue;
        for (const c of webshop.status?.conditions ?? []) {
          const key = `${tenant.path} ${c.type}=${c.status}`;
          if (c.status !== 'True' || seen.has(key)) continue;
          seen.add(key);
          log(`${tenant.path} Webshop ${WEBSHOP}: ${c.type}${c.message ? ` — ${c.message}` : ''}`);
          if (c.type === 'Ready') readyAfter.set(tenant.path, Date.now() - createdAt);
        }
      }
      return readyAfter.size === tenants.length;
    },
    { what: `both Webshops to be Ready`, timeoutMs: STEP_MS, intervalMs: 500 },
  );
  return tenants.map((t) => readyAfter.get(t.path) ?? 0);
}

/** Runs the demo; `log` gets every line it prints. */
export async function runDemo(
  options: DemoOptions,
  log: (line: string) => void = console.log,
): Promise<DemoResult> {
  const started = Date.now();
  /** A progress line, stamped with the time since the start. */
  const step = (line: string): void => log(`[${seconds(Date.now() - started).padStart(7)}] ${line}`);
  const errors: string[] = [];
  const logger = collectingLogger(errors);
  const cleanup: Array<() => Promise<void>> = [];
  let cleaningUp: Promise<void> | undefined;
  const runCleanup = (): Promise<void> =>
    (cleaningUp ??= (async () => {
      for (const stop of cleanup.toReversed()) await stop().catch(() => {});
    })());
  // Ctrl-C or SIGTERM mid-way still stops the servers and removes their directories; with
  // --keep-running, after the picture, it is the way to stop.
  let keptRunning = false;
  const stopRequested = Promise.withResolvers<void>();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (keptRunning) return stopRequested.resolve();
    step(`${signal}: stopping everything the demo started…`);
    void runCleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    step(options.kcpKubeconfig ? `kcp: using ${options.kcpKubeconfig}` : 'kcp: starting an embedded kcp…');
    const startKube = (name: string) =>
      options.kubeconfig
        ? KubeTestEnvironment.attach({ kubeconfigPath: options.kubeconfig })
        : KubeTestEnvironment.start({ name, startTimeoutMs: 180_000 });
    const [kcp, teamCluster, compute, observabilityCluster] = await Promise.all([
      options.kcpKubeconfig
        ? KcpTestEnvironment.attach({ kubeconfigPath: options.kcpKubeconfig })
        : KcpTestEnvironment.start(),
      startKube('team-cluster'),
      startKube('compute'),
      // Never the team cluster: that one serves CloudNativePG, which this one binds through kube-bind.
      options.observabilityKubeconfig
        ? KubeTestEnvironment.attach({ kubeconfigPath: options.observabilityKubeconfig })
        : KubeTestEnvironment.start({ name: 'observability', startTimeoutMs: 180_000 }),
    ]);
    cleanup.push(
      () => kcp.stop(),
      () => teamCluster.stop(),
      () => compute.stop(),
      () => observabilityCluster.stop(),
    );
    step(
      options.kubeconfig
        ? `team cluster and compute cluster: using ${options.kubeconfig}`
        : `team cluster ${teamCluster.serverUrl} and compute cluster ${compute.serverUrl}: started (kube-apiserver, etcd, kube-controller-manager)`,
    );
    step(
      options.observabilityKubeconfig
        ? `observability cluster: using ${options.observabilityKubeconfig}`
        : `observability cluster ${observabilityCluster.serverUrl}: started (kube-apiserver, etcd, kube-controller-manager)`,
    );
    // On a kcp or cluster that is not the demo's own, its names get a fresh prefix so runs never collide.
    const shared = Boolean(options.kcpKubeconfig || options.kubeconfig);
    const prefix = shared ? `demo-${Date.now().toString(36)}-` : '';
    const platform: Platform = await startPlatform({
      kcp,
      teamClusters: teamCluster,
      observabilityCluster,
      compute,
      prefix,
      log: step,
      logger,
      timeoutMs: STEP_MS,
    });
    cleanup.push(() => platform.stop());

    const webshopTeam = kcp.clientFor(platform.webshopTeam.path);
    const webshopExport = await installWebshopApi(webshopTeam, platform.exports);
    step(
      `webshop team: ${webshopExport.path} exports ${webshopExport.name} (claims the Postgres and Elastic APIs by identity hash)`,
    );
    const operator = await createWebshopOperator({
      kcp: webshopTeam,
      compute: compute.client,
      logger,
      exports: platform.exports,
    });
    const runningOperator = runInBackground(operator);
    cleanup.push(() => runningOperator.stop());
    step('webshop operator: running (every tenant that binds the Webshop export, and the compute cluster)');

    const tenants = await Promise.all(
      ORDERS.map(({ tenant }) =>
        platform.createTenant(tenant, [platform.exports.postgres, platform.exports.elastic, webshopExport]),
      ),
    );
    for (const t of tenants)
      step(
        `tenant ${t.path}: bound postgresql.cnpg.io, ${platform.exports.elastic.name} and ${webshopExport.name}`,
      );
    const createdAt = Date.now();
    await Promise.all(
      ORDERS.map(({ spec }, i) =>
        kcp.clientFor(tenants[i]?.path ?? '').create(WebshopResource, {
          apiVersion: 'webshop.kubeloom.dev/v1alpha1',
          kind: 'Webshop',
          metadata: { name: WEBSHOP, namespace: 'default' },
          spec,
        }),
      ),
    );
    step(`tenants ordered their shops (Webshop ${WEBSHOP}); waiting until both are Ready…`);
    // Both sides at once, so each line and time says when it happened: the shops, and each tenant's
    // search instance getting its Postgres through kube-bind on the observability cluster.
    const [readyAfter, composedAsReady] = await Promise.all([
      followWebshops(kcp, tenants, createdAt, step),
      followComposition(
        observabilityCluster.client,
        tenants,
        createdAt,
        STEP_MS,
        ({ tenant, elasticsearch, postgres }) =>
          step(
            `observability cluster: Postgres Cluster ${postgres} for ${tenant}'s Elasticsearch ${elasticsearch} is Ready (composition → kube-bind → kcp → database team's syncagent, and back)`,
          ),
      ),
    ]);
    // In the tenants' order, whichever came first.
    const composed = tenants.flatMap((t) => composedAsReady.filter((c) => c.tenant === t.path));
    const picture = await platformPicture({
      kcp,
      providers: [
        {
          team: 'database team',
          exportRef: platform.exports.postgres,
          servedBy: 'syncagent + stand-in CloudNativePG (team cluster)',
        },
        {
          team: 'observability team',
          exportRef: platform.exports.elastic,
          servedBy: 'syncagent + stand-in Elastic (observability cluster)',
        },
        {
          team: 'webshop team',
          exportRef: webshopExport,
          servedBy: 'webshop operator (tenants + compute cluster)',
        },
      ],
      tenants,
      webshop: WEBSHOP,
      teamCluster: teamCluster.client,
      observabilityCluster: observabilityCluster.client,
      ...(platform.kubeBind ? { kubeBind: platform.kubeBind } : {}),
      compute: compute.client,
    });
    const wallMs = Date.now() - started;
    log('');
    for (const line of picture) log(line);
    log('');
    log(
      `Both search instances got a Postgres through kube-bind (order → Ready on the observability cluster: ${composed.map((c) => `${c.tenant} ${seconds(c.readyAfterMs)}`).join(', ')}).`,
    );
    log(
      `Both shops Ready (created → Ready: ${tenants.map((t, i) => `${t.path} ${seconds(readyAfter[i] ?? 0)}`).join(', ')}); whole demo ${seconds(wallMs)}.`,
    );
    if (options.keepRunning) {
      log('');
      log(
        `Keeping everything running. kcp: KUBECONFIG=${kcp.kubeconfigPath} (workspaces ${[platform.databaseTeam, platform.observabilityTeam, platform.webshopTeam, ...(platform.kubeBind ? [platform.kubeBind.backendWorkspace] : []), ...tenants].map((w) => w.path).join(', ')})`,
      );
      log(
        `team cluster: KUBECONFIG=${teamCluster.kubeconfigPath}   compute cluster: KUBECONFIG=${compute.kubeconfigPath}   observability cluster: KUBECONFIG=${observabilityCluster.kubeconfigPath}`,
      );
      if (platform.kubeBind) log(`kube-bind backend: ${platform.kubeBind.backendUrl}`);
      log('Press Ctrl-C to stop.');
      keptRunning = true;
      await stopRequested.promise;
    }
    return {
      tenants: tenants.map((t, i) => ({ path: t.path, readyAfterMs: readyAfter[i] ?? 0 })),
      composed: composed.map(({ tenant, postgres, readyAfterMs }) => ({ tenant, postgres, readyAfterMs })),
      picture,
      wallMs,
    };
  } catch (error) {
    if (errors.length > 0)
      log(`last errors of the agents and the operator:\n  ${errors.slice(-5).join('\n  ')}`);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await runCleanup();
  }
}

/** The command: parses `argv`, runs the demo, and resolves with the exit code. */
export async function main(
  argv: readonly string[],
  log: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let options: DemoOptions | undefined;
  try {
    options = parseDemoArguments(argv);
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    err(`demo: ${error.message}`);
    return 2;
  }
  if (!options) {
    log(DEMO_USAGE);
    return 0;
  }
  try {
    await runDemo(options, log);
    return 0;
  } catch (error) {
    err(`demo failed: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2), console.log, console.error);
}
