import { parseArgs } from 'node:util';
import { genTypes } from './gen-types/gen-types.ts';

/** Where {@link main} writes; the process's streams by default. */
export interface CliOutput {
  /** One line of normal output (without the newline). */
  readonly out: (line: string) => void;
  /** One line of error output. */
  readonly err: (line: string) => void;
}

/** `kubeloom --help`. */
export const usage = `Usage:
  kubeloom gen types <crd.yaml|dir>... --out <dir> [--check]
  kubeloom gen types --group <api group> [--group ...] [--kubeconfig <path>] [--context <name>]
                     [--workspace <kcp path>] --out <dir> [--check]

Generates TypeScript types and resource descriptors, one file per group/version, from
CustomResourceDefinitions (apiextensions.k8s.io/v1) and kcp APIResourceSchemas (apis.kcp.io/v1alpha1)
in YAML or JSON files, or from a live cluster's or kcp workspace's OpenAPI v3.

Options:
  -o, --out <dir>        directory to write the files to
      --check            write nothing; exit 1 listing the files that are missing or differ (for CI)
      --group <group>    read this API group from the cluster (repeatable)
      --kubeconfig <p>   kubeconfig for --group (default $KUBECONFIG, then ~/.kube/config)
      --context <name>   kubeconfig context (default its current context)
      --workspace <path> kcp workspace to read, e.g. root:shop
  -h, --help             show this help`;

const defaultOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs the `kubeloom` command line with `args` (without `node` and the script) and returns the exit code:
 * 0 done, 1 failed (or `--check` found differences), 2 wrong usage.
 */
export async function main(args: readonly string[], output: CliOutput = defaultOutput): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        check: { type: 'boolean' },
        group: { type: 'string', multiple: true },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        workspace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usageError(output, err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output.out(usage);
    return 0;
  }
  const [command, subcommand, ...files] = positionals;
  if (command !== 'gen' || subcommand !== 'types') {
    const given = positionals.slice(0, 2).join(' ');
    return usageError(output, given ? `unknown command "${given}"` : 'no command given');
  }
  const fromCluster =
    values.group !== undefined ||
    values.kubeconfig !== undefined ||
    values.context !== undefined ||
    values.workspace !== undefined;
  if (!values.out) {
    return usageError(
      output,
      'gen types: --out <dir> is required: the directory to write the generated files to',
    );
  }
  if (fromCluster && files.length > 0) {
    return usageError(
      output,
      'gen types: give either CRD/APIResourceSchema files or --group (to read a live cluster), not both',
    );
  }
  if (fromCluster && !values.group?.length) {
    return usageError(
      output,
      'gen types: --group <api group> is required to read a live cluster, e.g. --group postgresql.cnpg.io',
    );
  }
  if (!fromCluster && files.length === 0) {
    return usageError(
      output,
      'gen types: nothing to read: give CRD or APIResourceSchema files (or directories), or --group <api group> to read a live cluster',
    );
  }
  const outDir = values.out;
  try {
    const result = await genTypes({
      outDir,
      check: values.check ?? false,
      ...(fromCluster
        ? {
            cluster: {
              groups: values.group ?? [],
              kubeconfig: values.kubeconfig,
              context: values.context,
              workspace: values.workspace,
            },
          }
        : { files }),
    });
    const total = filesCount(result.files.length);
    if (values.check) {
      if (result.differences.length === 0) {
        output.out(`kubeloom gen types --check: ${total} in ${outDir} up to date`);
        return 0;
      }
      output.err(
        `kubeloom gen types --check: ${result.differences.length} of ${total} in ${outDir} ${result.differences.length === 1 ? 'differs' : 'differ'} from what the sources generate:`,
      );
      for (const d of result.differences) output.err(`  ${d.fileName}: ${d.difference}`);
      output.err('Run the same command without --check to regenerate them, and commit the result.');
      return 1;
    }
    output.out(
      `kubeloom gen types: ${total} in ${outDir}: ${result.written.length} written, ${result.unchanged.length} unchanged`,
    );
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    output.err(message.startsWith('kubeloom') ? message : `kubeloom gen types: ${message}`);
    return 1;
  }
}

function usageError(output: CliOutput, message: string): number {
  output.err(`kubeloom: ${message}`);
  output.err('Run kubeloom --help for usage.');
  return 2;
}

function filesCount(n: number): string {
  return n === 1 ? '1 file' : `${n} files`;
}
