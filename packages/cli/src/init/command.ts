import { type CliOutput, parseCommandLine, usageError } from '../cli-output.ts';
import { scaffoldOperator } from './scaffold.ts';

/** `kubeloom init <dir> [--name n] [--group g]`: scaffolds an operator project. Returns the exit code. */
export async function initCommand(args: readonly string[], output: CliOutput): Promise<number> {
  const parsed = parseCommandLine(
    args,
    { name: { type: 'string' }, group: { type: 'string' } },
    output,
    'init',
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    return usageError(
      output,
      'init: give one directory to create the project in, e.g. kubeloom init my-operator',
    );
  }
  const dir = positionals[0] ?? '';
  try {
    const result = await scaffoldOperator({ dir, name: values.name, group: values.group });
    output.out(
      `kubeloom init: created ${dir} (package ${result.name}, API group ${result.group}): ${result.files.join(', ')}`,
    );
    output.out('Next:');
    output.out(`  cd ${dir}`);
    output.out('  npm install');
    output.out('  npm test     # runs the operator against a real kcp');
    return 0;
  } catch (err) {
    output.err(`kubeloom init: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
