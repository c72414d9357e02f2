import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedFile } from './generate-files.ts';

/** How a file on disk differs from what was generated. */
export interface FileDifference {
  /** Name within the output directory, e.g. `postgresql.cnpg.io_v1.ts`. */
  readonly fileName: string;
  /** `missing`, or the first differing line: `line 12 differs: on disk "...", generated "..."`. */
  readonly difference: string;
}

/** The generated files that are missing from `outDir` or differ from what is there (for `--check`). */
export async function compareWithDisk(
  outDir: string,
  files: readonly GeneratedFile[],
): Promise<FileDifference[]> {
  const differences: FileDifference[] = [];
  for (const file of files) {
    const onDisk = await readIfExists(join(outDir, file.fileName));
    if (onDisk === undefined) {
      differences.push({ fileName: file.fileName, difference: 'missing' });
    } else if (onDisk !== file.content) {
      differences.push({ fileName: file.fileName, difference: firstDifference(onDisk, file.content) });
    }
  }
  return differences;
}

/** What {@link writeChanged} did, by file name. */
export interface WrittenFiles {
  /** Files written because they were missing or differed. */
  readonly written: string[];
  /** Files that already had the generated content, left untouched. */
  readonly unchanged: string[];
}

/** Writes the files that differ from what is on disk; untouched files keep their modification time. */
export async function writeChanged(outDir: string, files: readonly GeneratedFile[]): Promise<WrittenFiles> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const path = join(outDir, file.fileName);
    if ((await readIfExists(path)) === file.content) {
      unchanged.push(file.fileName);
      continue;
    }
    await writeFile(path, file.content);
    written.push(file.fileName);
  }
  return { written, unchanged };
}

async function readIfExists(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw err;
  });
}

/** `line 12 differs: on disk "  replicas?: number;", generated "  replicas: number;"`. */
function firstDifference(onDisk: string, generated: string): string {
  const a = onDisk.split('\n');
  const b = generated.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1} differs: on disk ${excerpt(a[i])}, generated ${excerpt(b[i])}`;
    }
  }
  return 'differs';
}

function excerpt(line: string | undefined): string {
  if (line === undefined) return '(end of file)';
  const trimmed = line.trim();
  return JSON.stringify(trimmed.length > 60 ? `${trimmed.slice(0, 57)}...` : trimmed);
}
