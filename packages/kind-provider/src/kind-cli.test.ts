import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KindCliError, kindKubeconfig, listKindClusters } from './kind-cli.ts';

/** A stand-in `kind` executable that answers like kind does for two clusters. */
function fakeKind(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-fake-kind-'));
  const path = join(dir, 'kind');
  writeFileSync(
    path,
    `#!/bin/sh
case "$1 $2" in
  "get clusters") printf 'dev\\nstaging\\n' ;;
  "get kubeconfig") if [ "$4" = "dev" ]; then echo "apiVersion: v1"; echo "kind: Config"; else echo "ERROR: could not locate any control plane nodes for cluster named '$4'" >&2; exit 1; fi ;;
  *) echo "unknown command" >&2; exit 2 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

describe('kind CLI helpers', () => {
  const kindBinary = fakeKind();
  it('lists clusters and reads a kubeconfig', async () => {
    expect(await listKindClusters({ kindBinary })).toEqual(['dev', 'staging']);
    expect(await kindKubeconfig('dev', { kindBinary })).toContain('kind: Config');
  });
  it('says what failed', async () => {
    await expect(kindKubeconfig('nope', { kindBinary })).rejects.toThrow(
      /could not locate any control plane nodes/,
    );
    await expect(listKindClusters({ kindBinary: '/nonexistent/kind' })).rejects.toThrow(KindCliError);
    await expect(listKindClusters({ kindBinary: '/nonexistent/kind' })).rejects.toThrow(
      /was not found; install kind/,
    );
  });
});
