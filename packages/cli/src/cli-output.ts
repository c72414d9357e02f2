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

/** `1 file`, `3 files`. */
export function filesCount(n: number): string {
  return n === 1 ? '1 file' : `${n} files`;
}
