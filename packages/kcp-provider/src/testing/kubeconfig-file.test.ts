import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readKubeconfigFile, writeKubeconfigFile } from './kubeconfig-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-file-'));
  dirs.push(dir);
  return join(dir, 'kubeconfig');
}

describe('kubeconfig files for the kcp test environments', () => {
  it('writes entries that read back the same, in kubeconfig field names, readable only by the owner', () => {
    const path = tempFile();
    writeKubeconfigFile(path, {
      clusters: [
        {
          name: 'root',
          server: 'https://127.0.0.1:6443/clusters/root',
          caData: 'Q0E=',
          skipTLSVerify: false,
        },
        { name: 'base', server: 'https://127.0.0.1:6443', skipTLSVerify: true },
      ],
      users: [{ name: 'admin', token: 'secret-token' }],
      contexts: [
        { name: 'root', cluster: 'root', user: 'admin' },
        { name: 'base', cluster: 'base', user: 'admin' },
      ],
      currentContext: 'root',
    });

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(raw['current-context']).toBe('root');
    expect(JSON.stringify(raw)).toContain('"certificate-authority-data":"Q0E="');

    const read = readKubeconfigFile(path);
    expect(read.getCurrentCluster()).toMatchObject({
      name: 'root',
      server: 'https://127.0.0.1:6443/clusters/root',
      caData: 'Q0E=',
    });
    expect(read.getCluster('base')?.skipTLSVerify).toBe(true);
    expect(read.getCurrentUser()).toMatchObject({ name: 'admin', token: 'secret-token' });
    expect(read.getContextObject('base')).toMatchObject({ cluster: 'base', user: 'admin' });
  });
});
