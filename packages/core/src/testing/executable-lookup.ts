import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** True if `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable called `name` in the directories of a `PATH`-style list, like a shell finds it. */
export function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The Go name of this machine's operating system (`linux`, `darwin`, `windows`), as release assets use it. */
export function goOs(): string {
  return process.platform === 'win32' ? 'windows' : process.platform;
}

/** The Go name of this machine's CPU architecture (`amd64`, `arm64`, ...), as release assets use it. */
export function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}
