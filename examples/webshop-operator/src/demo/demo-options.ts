/** The demo's command line. */

/** What the demo was asked to do. */
export interface DemoOptions {
  /** Keep everything running after the picture until SIGINT/SIGTERM. */
  keepRunning: boolean;
  /** Admin kubeconfig of a running kcp to use instead of starting one. */
  kcpKubeconfig?: string;
  /**
   * Admin kubeconfig of a running Kubernetes API server to use as the team cluster and the compute cluster
   * instead of starting two. It gets CRDs, PublishedResources and namespaces.
   */
  kubeconfig?: string;
  /**
   * Admin kubeconfig of a running Kubernetes API server to use as the observability team's cluster instead
   * of starting one. It gets the Elasticsearch CRD, a PublishedResource, a konnector and the Postgres CRDs
   * through kube-bind, so it must not be the `kubeconfig` cluster (which serves CloudNativePG's CRDs);
   * a fresh one each run (the binding stays after the demo, pointing at that run's backend, and a second run
   * stops at `kubeloom bind`'s message naming it).
   */
  observabilityKubeconfig?: string;
}

/** The usage text `--help` prints. */
export const DEMO_USAGE = `Usage: ./run demo [-- options]   (or: node examples/webshop-operator/demo.ts [options])

Runs the webshop story: a database team and an observability team publish their APIs into kcp through
syncagents, the webshop team's operator turns each tenant's Webshop into a database, a search instance and
a workload on a compute cluster, and two tenants each order a shop. The observability team's own cluster
binds the database team's Postgres API through kube-bind (a backend in kcp, a konnector on the cluster)
and gives each search instance a Postgres of its own. Prints who provides and who consumes what and where
every object lives, then stops everything.

Options:
  --keep-running            keep kcp, the clusters and the operators running until Ctrl-C
  --kcp-kubeconfig <path>   use this running kcp (an admin kubeconfig) instead of starting one
  --kubeconfig <path>       use this running cluster as team and compute cluster instead of starting two
  --observability-kubeconfig <path>
                            use this running cluster as the observability team's cluster instead of
                            starting one (not the --kubeconfig cluster: it gets Postgres through kube-bind;
                            a fresh one each run: the binding stays afterwards)
  --help                    print this text`;

/** A command line the demo cannot run with; the message says which argument and what to do. */
export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

/** Parses the demo's arguments; `undefined` means `--help`. */
export function parseDemoArguments(argv: readonly string[]): DemoOptions | undefined {
  const options: DemoOptions = { keepRunning: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (!v || (inline === undefined && v.startsWith('--')))
        throw new DemoUsageError(`${flag} needs a path to a kubeconfig, e.g. ${flag} /tmp/admin.kubeconfig`);
      return v;
    };
    switch (flag) {
      case '--':
        // `pnpm run demo -- <options>` passes the separator on.
        break;
      case '--help':
      case '-h':
        return undefined;
      case '--keep-running':
        options.keepRunning = true;
        break;
      case '--kcp-kubeconfig':
        options.kcpKubeconfig = value();
        break;
      case '--kubeconfig':
        options.kubeconfig = value();
        break;
      case '--observability-kubeconfig':
        options.observabilityKubeconfig = value();
        break;
      default:
        throw new DemoUsageError(`unknown argument "${arg}"; see --help`);
    }
  }
  if (options.observabilityKubeconfig && options.observabilityKubeconfig === options.kubeconfig) {
    throw new DemoUsageError(
      '--observability-kubeconfig must name another cluster than --kubeconfig: the team cluster serves CloudNativePG, which the observability cluster binds through kube-bind',
    );
  }
  return options;
}
