import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Fresh temporary directories for one test file, removed together when it is done:
 *
 * ```ts
 * const scratch = new ScratchDirectories('my-tool-');
 * afterAll(() => scratch.removeAll());
 * it('writes its cache', () => { const dir = scratch.make(); ... });
 * ```
 */
export class ScratchDirectories {
  readonly #prefix: string;
  readonly #made: string[] = [];

  /** `prefix` starts every directory's name (under the system's temporary directory), to tell whose it is. */
  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  /** A new empty directory. */
  make(): string {
    const dir = mkdtempSync(join(tmpdir(), this.#prefix));
    this.#made.push(dir);
    return dir;
  }

  /** Removes every directory made so far, with whatever is in it. */
  removeAll(): void {
    for (const dir of this.#made.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
