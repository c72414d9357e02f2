/**
 * `kubeloom gen apiresourceschema` end to end: the schema and APIExport it writes for the CNPG Database CRD
 * are applied to a provider workspace of a real kcp, a consumer workspace binds the export, and kcp serves
 * Databases there, validated by the converted schema.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  type KubeObject,
  applyManifests,
  defineResource,
  isInvalid,
  loadManifests,
  waitFor,
} from '@kubeloom/core';
import { APIExportResource } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';

const repo = resolve(import.meta.dirname, '../..');
const kubeloom = join(repo, 'packages/cli/dist/bundle/bin.js');
const crd = join(repo, 'examples/syncagent/testdata/postgresql.cnpg.io_databases.yaml');

interface Database extends KubeObject {
  spec: { name: string; owner: string; cluster: { name: string } };
}
const DatabaseResource = defineResource<Database>({
  group: 'postgresql.cnpg.io',
  version: 'v1',
  kind: 'Database',
  plural: 'databases',
  namespaced: true,
});

describe('kubeloom gen apiresourceschema on a real kcp', () => {
  let dir: string;
  let kcp: KcpTestEnvironment;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeloom-ars-e2e-'));
    kcp = await sharedKcp();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves the converted CRD to a workspace that binds the generated export', {
    timeout: 600_000,
  }, async () => {
    const exportName = 'databases.e2e.kubeloom.dev';
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [kubeloom, 'gen', 'apiresourceschema', crd, '--export', exportName, '--out', dir],
      { timeout: 60_000 },
    );
    expect(stdout).toBe(`kubeloom gen apiresourceschema: 2 files in ${dir}: 2 written, 0 unchanged\n`);

    const [provider, consumer] = await Promise.all([
      kcp.createWorkspace({ generateName: 'ars-provider-', timeoutMs: 180_000 }),
      kcp.createWorkspace({ generateName: 'ars-consumer-', timeoutMs: 180_000 }),
    ]);
    const applied = await applyManifests(kcp.clientFor(provider.path), await loadManifests(dir), {
      fieldManager: 'e2e-ars',
    });
    expect(applied.map((o) => `${o.kind} ${o.metadata?.name}`)).toEqual([
      `APIExport ${exportName}`,
      'APIResourceSchema vc44db4dd.databases.postgresql.cnpg.io',
    ]);
    await waitFor(
      async () =>
        (await kcp.clientFor(provider.path).get(APIExportResource, exportName)).status?.identityHash,
      { what: `APIExport ${exportName} to get its identity hash`, timeoutMs: 60_000 },
    );
    await kcp.bindApiExport({ workspace: consumer.path, exportPath: provider.path, exportName });

    const client = kcp.clientFor(consumer.path);
    const spec = { name: 'app', owner: 'app', cluster: { name: 'pg' } };
    // The binding is Ready; the consumer's API server may take a moment more to serve the new resource.
    const created = await waitFor(
      () =>
        client
          .create(DatabaseResource, { metadata: { name: 'app', namespace: 'default' }, spec })
          .catch(() => undefined),
      { what: 'the consumer workspace to accept a Database', timeoutMs: 60_000 },
    );
    // kcp fills in the defaults of the converted schema.
    const defaulted = { ...spec, databaseReclaimPolicy: 'retain', ensure: 'present' };
    expect(created.spec).toEqual(defaulted);
    expect((await client.get(DatabaseResource, 'app', { namespace: 'default' })).spec).toEqual(defaulted);

    // The converted schema is enforced: `owner` is required.
    const rejected = await client
      .create(DatabaseResource, {
        metadata: { name: 'broken', namespace: 'default' },
        spec: { name: 'x', cluster: { name: 'pg' } } as Database['spec'],
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(isInvalid(rejected)).toBe(true);
    expect((rejected as Error).message).toContain('spec.owner: Required value');
  });
});
