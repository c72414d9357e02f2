import { writeChanged } from '../gen-types/files-on-disk.ts';
import { type CliOutput, filesCount, parseCommandLine, usageError } from '../cli-output.ts';
import { genApiResourceSchemas } from './gen-apiresourceschema.ts';

/**
 * `kubeloom gen apiresourceschema <crd files...> [--prefix p] [--export name] [--out dir]`: the YAML
 * documents to stdout (separated by `---`), or one file each in `--out`. Returns the exit code.
 */
export async function genApiResourceSchemaCommand(
  args: readonly string[],
  output: CliOutput,
): Promise<number> {
  const parsed = parseCommandLine(
    args,
    { out: { type: 'string', short: 'o' }, prefix: { type: 'string' }, export: { type: 'string' } },
    output,
    'gen apiresourceschema',
  );
  if (typeof parsed === 'number') return parsed;
  const { values, positionals: files } = parsed;
  if (files.length === 0) {
    return usageError(output, 'gen apiresourceschema: nothing to read: give CRD files or directories');
  }
  try {
    const result = await genApiResourceSchemas({
      files,
      prefix: values.prefix,
      exportName: values.export,
    });
    if (values.out === undefined) {
      output.out(result.files.map((f) => f.content.trimEnd()).join('\n---\n'));
      return 0;
    }
    const { written, unchanged } = await writeChanged(values.out, result.files);
    output.out(
      `kubeloom gen apiresourceschema: ${filesCount(result.files.length)} in ${values.out}: ${written.length} written, ${unchanged.length} unchanged`,
    );
    return 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    output.err(message.startsWith('kubeloom') ? message : `kubeloom gen apiresourceschema: ${message}`);
    return 1;
  }
}
