import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installCrds } from './crd-install.ts';
import { FakeApiServer } from './fake-api-server.ts';

// Establishing CRDs is the real API server's behaviour (test/e2e/kube-test-environment.test.ts); these are
// the files refused before anything is sent.
const server = await FakeApiServer.start();
afterAll(() => server.stop());

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubeloom-crds-'));
  dirs.push(dir);
  const path = join(dir, 'crds.yaml');
  writeFileSync(path, text);
  return path;
}

describe('installCrds', () => {
  it('refuses a file with a document that is not a CRD, naming the file and the document', async () => {
    const path = file(
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a.b.c}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n',
    );
    await expect(installCrds(server.client(), [path])).rejects.toThrow(
      `${path}, document 2 (line 5) is a Deployment, not a CustomResourceDefinition; installCrds installs only CRDs`,
    );
  });

  it('reports invalid YAML and a missing file as the manifest loader does', async () => {
    const broken = file('kind: [unclosed\n');
    await expect(installCrds(server.client(), [broken])).rejects.toThrow(
      `${broken}, document 1 (line 2, column 1): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    );
    await expect(installCrds(server.client(), ['/nonexistent/crds.yaml'])).rejects.toThrow(
      'loadManifests: /nonexistent/crds.yaml does not exist',
    );
  });
});
