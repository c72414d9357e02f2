import { statSync } from 'node:fs';

/**
 * Notices when files were replaced or rewritten, by comparing inode, size and times from `stat` (the files
 * are never read here). Used for the CA bundle and client certificate/key a kubeconfig names by path, which
 * cert-manager, kubelet or a mounted Secret rotate in place: a Secret volume swaps a symlink, which changes
 * the inode seen through it.
 */
export class FileChangeDetector {
  /** The files watched, without duplicates. */
  readonly paths: readonly string[];
  readonly #minIntervalMs: number;
  #marked: string;
  #checkedAt = Number.NEGATIVE_INFINITY;

  /** `minIntervalMs` throttles {@link changed}: at most one round of `stat` calls per interval. */
  constructor(paths: Iterable<string>, minIntervalMs: number) {
    this.paths = [...new Set(paths)];
    this.#minIntervalMs = minIntervalMs;
    this.#marked = this.#signature();
  }

  /** Records the files' current state. Call it just before reading them, so a change during the read is seen later. */
  mark(): void {
    this.#marked = this.#signature();
  }

  /** True when a file differs from the last {@link mark}; false without looking when checked less than the interval ago. */
  changed(now: number = Date.now()): boolean {
    if (this.paths.length === 0 || now - this.#checkedAt < this.#minIntervalMs) return false;
    this.#checkedAt = now;
    return this.#signature() !== this.#marked;
  }

  #signature(): string {
    return this.paths
      .map((path) => {
        try {
          const s = statSync(path);
          return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  }
}
