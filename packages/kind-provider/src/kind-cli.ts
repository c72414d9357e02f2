import { type ExecFileException, execFile } from 'node:child_process';
import { redact } from '@kubeloom/core';

/** The environment variable that names the kind executable when no `kindBinary` option is given. */
export const KIND_BIN_ENV = 'KIND_BIN';

/** Options for the kind CLI helpers. */
export interface KindCliOptions {
  /** The kind executable: a path, or a name looked up on PATH. Default `$KIND_BIN`, else `kind` on PATH. */
  kindBinary?: string;
  /** Kills the command when aborted; the helper then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How long one kind command may take before it is killed. Default 30 s (kind asks docker/podman). */
  timeoutMs?: number;
}

/** The kind CLI is missing or failed; the message says which command, which binary and what it printed. */
export class KindCliError extends Error {
  /** `KindCliError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'KindCliError';
}

/** Which kind executable the helpers run, and where that choice came from (for error messages). */
export interface ResolvedKindBinary {
  /** Path (or name on PATH) of the kind executable to run. */
  readonly binary: string;
  /** `the kindBinary option`, `$KIND_BIN` or `PATH`. */
  readonly origin: string;
}

/** The kind executable for `option`: the option itself, else `$KIND_BIN`, else `kind` looked up on PATH. */
export function resolveKindBinary(option?: string): ResolvedKindBinary {
  if (option) return { binary: option, origin: 'the kindBinary option' };
  const fromEnv = process.env[KIND_BIN_ENV];
  if (fromEnv) return { binary: fromEnv, origin: `$${KIND_BIN_ENV}` };
  return { binary: 'kind', origin: 'PATH' };
}

/** Longest stderr excerpt kept in an error message; kind's own errors are one or two lines. */
const MAX_STDERR_CHARS = 2000;

/** Runs kind and returns its stdout; every failure becomes one {@link KindCliError} that says what to do. */
function runKind(args: readonly string[], options: KindCliOptions): Promise<string> {
  const { binary, origin } = resolveKindBinary(options.kindBinary);
  const command = `kind ${args.join(' ')}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      {
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        if (options.signal?.aborted) return reject(options.signal.reason);
        reject(describeFailure(error, { binary, origin, command, stderr, timeoutMs }));
      },
    );
  });
}

function describeFailure(
  error: ExecFileException,
  context: { binary: string; origin: string; command: string; stderr: string; timeoutMs: number },
): KindCliError {
  const { binary, origin, command, stderr, timeoutMs } = context;
  const howToSet = `install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) or set its path with the provider's kindBinary option or $${KIND_BIN_ENV}`;
  if (error.code === 'ENOENT') {
    return new KindCliError(`the kind binary "${binary}" (from ${origin}) was not found; ${howToSet}`, {
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new KindCliError(
      `the kind binary "${binary}" (from ${origin}) cannot be executed (permission denied); make it executable or ${howToSet}`,
      { cause: error },
    );
  }
  if (error.killed && error.signal) {
    return new KindCliError(
      `\`${command}\` (${binary}) did not finish within ${timeoutMs / 1000} s and was killed; check that docker (or podman) answers`,
      { cause: error },
    );
  }
  const printed = stderr.trim().slice(0, MAX_STDERR_CHARS);
  const exit = typeof error.code === 'number' ? `exit code ${error.code}` : (error.signal ?? 'failed');
  return new KindCliError(
    `\`${command}\` (${binary}) failed with ${exit}: ${printed ? redact(printed) : 'it printed nothing on stderr'}`,
    { cause: error },
  );
}

/**
 * Cluster names in the output of `kind get clusters`: one per line. When there are none kind prints
 * "No kind clusters found." on stderr and nothing on stdout, so stdout alone is parsed.
 */
export function parseKindClusters(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && line !== 'No kind clusters found.');
}

/** Names of the kind clusters on this machine (`kind get clusters`). */
export async function listKindClusters(options: KindCliOptions = {}): Promise<string[]> {
  return parseKindClusters(await runKind(['get', 'clusters'], options));
}

/** Options for {@link kindKubeconfig}. */
export interface KindKubeconfigOptions extends KindCliOptions {
  /**
   * The kubeconfig for the docker network of the kind nodes (`--internal`: the server is the control-plane
   * container's address) instead of the one for the host (`https://127.0.0.1:<port>`). Use it when the
   * program runs in a container on that network, e.g. in another kind cluster.
   */
  internal?: boolean;
}

/** The kubeconfig (YAML) of one kind cluster (`kind get kubeconfig --name <name>`). */
export function kindKubeconfig(name: string, options: KindKubeconfigOptions = {}): Promise<string> {
  return runKind(['get', 'kubeconfig', ...(options.internal ? ['--internal'] : []), '--name', name], options);
}
