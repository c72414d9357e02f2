import { type CliOutput, filesCount, parseCommandLine, processOutput, usageError } from './cli-output.ts';
import { genApiResourceSchemaCommand } from './gen-apiresourceschema/command.ts';
import { genTypes } from './gen-types/gen-types.ts';
import { initCommand } from './init/command.ts';

/** `kubeloom --help`. */
export const usage = `Usage:
  kubeloom init <dir> [--name <package name>] [--group <api group>]
  kubeloom bind <backend-url> [<export>] | kubeloom bind konnector   (see kubeloom bind --help)
  kubeloom gen apiresourceschema <crd.yaml|dir>... [--prefix <p>] [--export <name>] [--out <dir>]
  kubeloom gen types <crd.yaml|dir>... --out <dir> [--check]
  kubeloom gen types --group <api group> [--group ...] [--kubeconfig <path>] [--context <name>]
                     [--workspace <kcp path>] --out <dir> [--check]

init scaffolds an operator project: a controller over an APIExport of its own, a test that runs it
against a real kcp, a README and the scripts build, test and start.

gen apiresourceschema converts CustomResourceDefinitions into kcp APIResourceSchemas named
<prefix>.<plural>.<group> (by default the prefix is derived from the CRD's content, as api-syncagent
names them) and, with --export, an APIExport exporting them; YAML to stdout, or one file each in --out.

gen types generates TypeScript types and resource descriptors, one file per group/version, from
CustomResourceDefinitions (apiextensions.k8s.io/v1) and kcp APIResourceSchemas (apis.kcp.io/v1alpha1)
in YAML or JSON files, or from a live cluster's or kcp workspace's OpenAPI v3.

Options:
  -o, --out <dir>        directory to write the files to
      --prefix <p>       apiresourceschema: the schemas' name prefix, e.g. v1 (default: from the content)
      --export <name>    apiresourceschema: also write an APIExport of this name exporting the schemas
      --name <name>      init: the package name (default the directory's name)
      --check            write nothing; exit 1 listing the files that are missing or differ (for CI)
      --group <group>    gen types: read this API group from the cluster (repeatable);
                         init: the API group of the project's own API (default <name>.example.com)
      --kubeconfig <p>   kubeconfig for --group (default $KUBECONFIG, then ~/.kube/config)
      --context <name>   kubeconfig context (default its current context)
      --workspace <path> kcp workspace to read, e.g. root:shop
  -h, --help             show this help`;

/**
 * Runs the `kubeloom` command line with `args` (without `node` and the script) and returns the exit code:
 * 0 done, 1 failed (or `--check` found differences), 2 wrong usage.
 */
export async function main(args: readonly string[], output: CliOutput = processOutput): Promise<number> {
  if (args[0] === 'init') return initCommand(args.slice(1), output);
  if (args[0] === 'bind') return bindCommand(args.slice(1), output);
  if (args[0] === 'gen' && args[1] === 'apiresourceschema') {
    return genApiResourceSchemaCommand(args.slice(2), output);
  }
  const parsed = parseCommandLine(
    args,
    {
      out: { type: 'string', short: 'o' },
      check: { type: 'boolean' },
      group: { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      workspace: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    output,
  );
  if (typeof parsed === 'number') return parsed;
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

/**
 * `kubeloom bind`: kube-bind's binding and konnector, from the `@kubeloom/kube-bind` package, which is
 * loaded only for this command.
 */
async function bindCommand(args: readonly string[], output: CliOutput): Promise<number> {
  const specifier = '@kubeloom/kube-bind/cli';
  let kubeBind: { bindCommand(args: readonly string[], output: CliOutput): Promise<number> };
  try {
    kubeBind = (await import(specifier)) as typeof kubeBind;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    output.err('kubeloom: bind needs the @kubeloom/kube-bind package; install it next to @kubeloom/cli');
    return 1;
  }
  return kubeBind.bindCommand(args, output);
}
