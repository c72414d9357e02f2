import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/** Where the `kubeloom` commands write; the process's streams by default. */
export interface CliOutput {
  /** One line of normal output (without the newline). */
  readonly out: (line: string) => void;
  /** One line of error output. */
  readonly err: (line: string) => void;
}

/** Writes to the process's stdout and stderr. */
export const processOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Reports wrong usage and returns exit code 2. */
export function usageError(output: CliOutput, message: string): number {
  output.err(`kubeloom: ${message}`);
  output.err('Run kubeloom --help for usage.');
  return 2;
}

/**
 * The command line's options and positionals as `parseArgs` reads them, or, for an unknown option or a
 * missing value, exit code 2 after reporting it as wrong usage (prefixed with `command` when given).
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
  output: CliOutput,
  command?: string,
): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>> | number {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, options });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return usageError(output, command ? `${command}: ${message}` : message);
  }
}

/** `1 file`, `3 files`. */
export function filesCount(n: number): string {
  return n === 1 ? '1 file' : `${n} files`;
}
