import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The stand-in `kind` executable the unit and e2e tests share (test/e2e/fixtures/kind): it answers
 * `kind get clusters` and `kind get kubeconfig --name X` from `$KUBELOOM_STAND_IN_KIND_DIR`, where each
 * `<name>.kubeconfig` file is a cluster, and fails like kind when a file named `fail` exists there.
 */
export const STAND_IN_KIND = resolve(import.meta.dirname, '../../../test/e2e/fixtures/kind');

/** Environment variable naming the stand-in's directory of clusters. */
export const STAND_IN_KIND_DIR_ENV = 'KUBELOOM_STAND_IN_KIND_DIR';

/** A fresh, empty directory of stand-in kind clusters, set in the environment until `restore()`. */
export function useStandInKindDir(): { dir: string; restore: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-stand-in-kind-'));
  const saved = process.env[STAND_IN_KIND_DIR_ENV];
  process.env[STAND_IN_KIND_DIR_ENV] = dir;
  return {
    dir,
    restore() {
      if (saved === undefined) delete process.env[STAND_IN_KIND_DIR_ENV];
      else process.env[STAND_IN_KIND_DIR_ENV] = saved;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
