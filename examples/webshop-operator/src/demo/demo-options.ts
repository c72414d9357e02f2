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
}

/** The usage text `--help` prints. */
export const DEMO_USAGE = `Usage: ./run demo [-- options]   (or: node examples/webshop-operator/demo.ts [options])

Runs the webshop story: a database team and an observability team publish their APIs into kcp through
syncagents, the webshop team's operator turns each tenant's Webshop into a database, a search instance and
a workload on a compute cluster, and two tenants each order a shop. Prints who provides and who consumes
what and where every object lives, then stops everything.

Options:
  --keep-running            keep kcp, the clusters and the operators running until Ctrl-C
  --kcp-kubeconfig <path>   use this running kcp (an admin kubeconfig) instead of starting one
  --kubeconfig <path>       use this running cluster as team and compute cluster instead of starting two
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
      default:
        throw new DemoUsageError(`unknown argument "${arg}"; see --help`);
    }
  }
  return options;
}
