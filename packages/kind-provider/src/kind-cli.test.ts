import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KindCliError, kindKubeconfig, listKindClusters, parseKindClusters } from './kind-cli.ts';
import { STAND_IN_KIND, useStandInKindDir } from './stand-in-kind.test.support.ts';

describe('parseKindClusters', () => {
  it('reads one name per line and nothing else', () => {
    expect(parseKindClusters('dev\nfleet-a\n')).toEqual(['dev', 'fleet-a']);
    expect(parseKindClusters('')).toEqual([]);
    expect(parseKindClusters('\n  \n')).toEqual([]);
    // kind writes this on stderr; should a wrapper merge the streams it still is no cluster.
    expect(parseKindClusters('No kind clusters found.\n')).toEqual([]);
  });
});

describe('kind CLI helpers against a stand-in kind', () => {
  let kindDir: string;
  let restoreEnv: () => void;
  const kindBinary = STAND_IN_KIND;

  beforeEach(() => {
    ({ dir: kindDir, restore: restoreEnv } = useStandInKindDir());
  });
  afterEach(() => restoreEnv());

  it('lists clusters and reads a kubeconfig', async () => {
    writeFileSync(join(kindDir, 'staging.kubeconfig'), 'apiVersion: v1\nkind: Config\n');
    writeFileSync(join(kindDir, 'dev.kubeconfig'), 'apiVersion: v1\nkind: Config\n');
    expect(await listKindClusters({ kindBinary })).toEqual(['dev', 'staging']);
    expect(await kindKubeconfig('dev', { kindBinary })).toBe('apiVersion: v1\nkind: Config\n');
  });

  it('asks for the internal kubeconfig with --internal', async () => {
    writeFileSync(join(kindDir, 'dev.kubeconfig'), 'server: https://127.0.0.1:40000\n');
    writeFileSync(join(kindDir, 'dev.internal-kubeconfig'), 'server: https://dev-control-plane:6443\n');
    expect(await kindKubeconfig('dev', { kindBinary, internal: true })).toBe(
      'server: https://dev-control-plane:6443\n',
    );
  });

  it('gives no clusters when kind prints "No kind clusters found."', async () => {
    expect(await listKindClusters({ kindBinary })).toEqual([]);
  });

  it('says which command failed, with exit code and what kind printed', async () => {
    await expect(kindKubeconfig('nope', { kindBinary })).rejects.toThrow(
      new KindCliError(
        `\`kind get kubeconfig --name nope\` (${kindBinary}) failed with exit code 1: ERROR: could not locate any control plane nodes for cluster named 'nope'. Use the --name option to select a different cluster`,
      ),
    );
    writeFileSync(
      join(kindDir, 'fail'),
      'ERROR: failed to list clusters: command "docker ps -a" failed with error: exit status 1\n',
    );
    await expect(listKindClusters({ kindBinary })).rejects.toThrow(
      `\`kind get clusters\` (${kindBinary}) failed with exit code 1: ERROR: failed to list clusters: command "docker ps -a" failed with error: exit status 1`,
    );
  });

  it('keeps credentials kind printed out of the error', async () => {
    writeFileSync(join(kindDir, 'fail'), 'ERROR: bad config: token: s3cr3t-t0ken-value\n');
    await expect(listKindClusters({ kindBinary })).rejects.toThrow(
      `\`kind get clusters\` (${kindBinary}) failed with exit code 1: ERROR: bad config: token: [REDACTED]`,
    );
  });

  it('names a missing binary, where its name came from, and how to set it', async () => {
    await expect(listKindClusters({ kindBinary: '/nonexistent/kind' })).rejects.toThrow(
      new KindCliError(
        'the kind binary "/nonexistent/kind" (from the kindBinary option) was not found; install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) or set its path with the provider\'s kindBinary option or $KIND_BIN',
      ),
    );
    const saved = { path: process.env.PATH, kindBin: process.env.KIND_BIN };
    try {
      process.env.KIND_BIN = '/opt/missing/kind';
      await expect(listKindClusters()).rejects.toThrow(
        'the kind binary "/opt/missing/kind" (from $KIND_BIN) was not found;',
      );
      delete process.env.KIND_BIN;
      process.env.PATH = mkdtempSync(join(tmpdir(), 'kubeloom-empty-path-'));
      await expect(listKindClusters()).rejects.toThrow('the kind binary "kind" (from PATH) was not found;');
    } finally {
      process.env.PATH = saved.path;
      if (saved.kindBin === undefined) delete process.env.KIND_BIN;
      else process.env.KIND_BIN = saved.kindBin;
    }
  });

  it('says when the binary cannot be executed', async () => {
    const path = join(kindDir, 'not-executable-kind');
    writeFileSync(path, '#!/bin/sh\necho hi\n');
    chmodSync(path, 0o644);
    await expect(listKindClusters({ kindBinary: path })).rejects.toThrow(
      `the kind binary "${path}" (from the kindBinary option) cannot be executed (permission denied); make it executable or install kind`,
    );
  });

  it('kills a kind that hangs and says so', async () => {
    const path = join(kindDir, 'hanging-kind');
    writeFileSync(path, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(path, 0o755);
    await expect(listKindClusters({ kindBinary: path, timeoutMs: 300 })).rejects.toThrow(
      `\`kind get clusters\` (${path}) did not finish within 0.3 s and was killed; check that docker (or podman) answers`,
    );
  });
});
