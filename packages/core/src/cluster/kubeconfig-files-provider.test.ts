import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigMapResource } from '../client/builtins.ts';
import type { Logger } from '../log/logger.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import { KubeconfigFilesProvider, type KubeconfigFilesProviderOptions } from './kubeconfig-files-provider.ts';
import { recordingAware } from '../testing/recording-aware.ts';

function memoryLogger(): { logger: Logger; errors: string[] } {
  const errors: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (_obj, msg) => void errors.push(msg ?? ''),
    error: (_obj, msg) => void errors.push(msg ?? ''),
    child: () => logger,
  };
  return { logger, errors };
}

/** A kubeconfig with two contexts pointing at two kcp clusters of the same server. */
function twoContexts(server: FakeApiServer): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: one\n  cluster:\n    server: "${server.url}/clusters/one"\n    insecure-skip-tls-verify: true`,
    `- name: two\n  cluster:\n    server: "${server.url}/clusters/two"\n    insecure-skip-tls-verify: true`,
    'users:',
    `- name: u\n  user:\n    token: "${server.token}"`,
    'contexts:',
    '- name: east\n  context:\n    cluster: one\n    user: u',
    '- name: west\n  context:\n    cluster: two\n    user: u',
    'current-context: east',
    '',
  ].join('\n');
}

const until = (what: string, probe: () => boolean): Promise<true> =>
  waitFor(() => probe() || undefined, { what, timeoutMs: 3000, intervalMs: 10 });

describe('KubeconfigFilesProvider', () => {
  let server: FakeApiServer;
  let dir: string;
  let stop: AbortController;

  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource] });
    dir = await mkdtemp(join(tmpdir(), 'kubeloom-kubeconfigs-'));
    stop = new AbortController();
  });
  afterEach(async () => {
    stop.abort();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(options: Partial<KubeconfigFilesProviderOptions> = {}) {
    const provider = new KubeconfigFilesProvider({
      directory: dir,
      debounceMs: 10,
      rescanIntervalMs: 60_000,
      ...options,
    });
    const aware = recordingAware();
    const running = provider.start(aware, stop.signal);
    await provider.ready;
    return { provider, aware, running };
  }

  it('engages one cluster per file and context, named by file stem and context', async () => {
    await writeFile(join(dir, 'kcp.yaml'), server.kubeconfig({ cluster: 'root' }));
    await writeFile(join(dir, 'fleet.kubeconfig'), twoContexts(server));
    await writeFile(join(dir, '.hidden'), 'not a kubeconfig');
    const { provider, aware } = await start();
    expect(aware.live()).toEqual(['fleet/east', 'fleet/west', 'kcp']);
    expect((await provider.get('kcp')).client.rest.server).toBe(`${server.url}/clusters/root`);
    expect((await provider.get('fleet/west')).client.rest.server).toBe(`${server.url}/clusters/two`);
  });

  it('follows adds, content changes and removals through fs.watch', async () => {
    const { provider, aware } = await start();
    expect(aware.live()).toEqual([]);

    await writeFile(join(dir, 'a.yaml'), server.kubeconfig({ cluster: 'first' }));
    await until('a to be engaged', () => aware.live().includes('a'));
    const first = aware.engaged.find((e) => e.name === 'a');

    await writeFile(join(dir, 'a.yaml'), server.kubeconfig({ cluster: 'second' }));
    await until('a to be re-engaged', () => aware.engaged.filter((e) => e.name === 'a').length === 2);
    expect(first?.signal.aborted).toBe(true);
    expect(aware.live()).toEqual(['a']);
    expect((await provider.get('a')).client.rest.server).toBe(`${server.url}/clusters/second`);

    await unlink(join(dir, 'a.yaml'));
    await until('a to be disengaged', () => aware.live().length === 0);
    expect(provider.names()).toEqual([]);
  });

  it('re-engages only the contexts that changed', async () => {
    await writeFile(join(dir, 'fleet.yaml'), twoContexts(server));
    const { provider, aware } = await start();
    await writeFile(join(dir, 'fleet.yaml'), twoContexts(server).replace('/clusters/two', '/clusters/three'));
    await provider.rescan();
    expect(aware.engaged.map((e) => `${e.name}:${e.signal.aborted}`)).toEqual([
      'fleet/east:false',
      'fleet/west:true',
      'fleet/west:false',
    ]);
  });

  it('falls back to periodic rescans when no watch event arrives', async () => {
    // A debounce far longer than the test: only the rescan timer can pick the file up.
    const { aware } = await start({ debounceMs: 60_000, rescanIntervalMs: 30 });
    await writeFile(join(dir, 'late.yaml'), server.kubeconfig());
    await until('late to be engaged by a rescan', () => aware.live().includes('late'));
    expect(aware.live()).toEqual(['late']);
  });

  it('logs a bad file clearly once, keeps the clusters of its last good version, and recovers', async () => {
    const { logger, errors } = memoryLogger();
    await writeFile(join(dir, 'a.yaml'), server.kubeconfig());
    await writeFile(join(dir, 'junk.yaml'), 'clusters: [ this is not yaml');
    const { provider, aware } = await start({ logger });
    expect(aware.live()).toEqual(['a']);
    expect(errors.filter((e) => e.includes('junk.yaml is not valid'))).toHaveLength(1);

    await writeFile(join(dir, 'a.yaml'), 'half written: [');
    await provider.rescan();
    await provider.rescan();
    expect(aware.live()).toEqual(['a']);
    expect(
      errors.filter((e) => e.includes('a.yaml is not valid') && e.includes('keeping the clusters')),
    ).toHaveLength(1);

    await writeFile(join(dir, 'a.yaml'), server.kubeconfig({ cluster: 'fixed' }));
    await provider.rescan();
    expect((await provider.get('a')).client.rest.server).toBe(`${server.url}/clusters/fixed`);
  });

  it('logs a context that points at an undefined cluster, and starts even without the directory', async () => {
    const { logger, errors } = memoryLogger();
    await rm(dir, { recursive: true });
    const { provider, aware } = await start({ logger });
    expect(aware.live()).toEqual([]);
    expect(errors.some((e) => e.includes('cannot read kubeconfig directory'))).toBe(true);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dir);
    await writeFile(
      join(dir, 'broken.yaml'),
      server.kubeconfig().replace('cluster: fake', 'cluster: missing'),
    );
    await provider.rescan();
    await provider.rescan();
    expect(errors.filter((e) => e.includes('broken.yaml, context "fake" cannot be used'))).toHaveLength(1);
    expect(aware.live()).toEqual([]);
  });

  it('disengages everything when stopped', async () => {
    await writeFile(join(dir, 'a.yaml'), server.kubeconfig());
    const { aware, running } = await start();
    stop.abort();
    await running;
    expect(aware.live()).toEqual([]);
  });
});
