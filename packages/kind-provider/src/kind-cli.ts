import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Options for the kind CLI helpers. */
export interface KindCliOptions {
  /** The kind executable. Default `kind` on PATH (or `$KIND_BIN`). */
  kindBinary?: string;
  signal?: AbortSignal;
}

/** The kind CLI failed or is missing; the message says which command and what it printed. */
export class KindCliError extends Error {
  override readonly name = 'KindCliError';
}

async function kind(args: string[], options: KindCliOptions): Promise<string> {
  const binary = options.kindBinary ?? process.env.KIND_BIN ?? 'kind';
  try {
    const { stdout } = await execFileAsync(binary, args, {
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new KindCliError(
        `\`${binary}\` was not found; install kind (https://kind.sigs.k8s.io) or set KIND_BIN`,
        {
          cause: err,
        },
      );
    }
    throw new KindCliError(`\`${binary} ${args.join(' ')}\` failed: ${(e.stderr ?? e.message).trim()}`, {
      cause: err,
    });
  }
}

/** Names of the kind clusters on this machine (`kind get clusters`). */
export async function listKindClusters(options: KindCliOptions = {}): Promise<string[]> {
  const out = await kind(['get', 'clusters'], options);
  // kind prints "No kind clusters found." on stderr and nothing on stdout when there are none.
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** The kubeconfig (YAML) of one kind cluster (`kind get kubeconfig --name <name>`). */
export function kindKubeconfig(name: string, options: KindCliOptions = {}): Promise<string> {
  return kind(['get', 'kubeconfig', '--name', name], options);
}
