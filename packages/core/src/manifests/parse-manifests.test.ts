import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestError } from './manifest-error.ts';
import { loadManifests, manifestOrigin, parseManifests } from './parse-manifests.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-manifests-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function problem(parse: Promise<unknown>): Promise<ManifestError> {
  const err = await parse.then(
    () => new Error('expected a ManifestError'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ManifestError);
  return err as ManifestError;
}

describe('parseManifests', () => {
  it('splits documents, skips empty and comment-only ones, and remembers where each came from', async () => {
    const text = [
      '# leading comment',
      '---',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: shop',
      '---',
      '---',
      '# nothing but a comment',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: settings, namespace: shop }',
      'data:',
      '  enabled: "true"',
      '---',
      '',
    ].join('\n');
    const manifests = await parseManifests(text, { source: 'shop.yaml' });
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Namespace/shop',
      'ConfigMap/settings',
    ]);
    expect(manifests[1]?.data).toEqual({ enabled: 'true' });
    expect(manifests.map(manifestOrigin)).toEqual([
      { source: 'shop.yaml', document: 1, line: 3 },
      { source: 'shop.yaml', document: 4, line: 11 },
    ]);
  });

  it('returns nothing for empty text', async () => {
    await expect(parseManifests('')).resolves.toEqual([]);
    await expect(parseManifests('---\n# only comments\n---\n')).resolves.toEqual([]);
  });

  it('reads JSON too', async () => {
    const manifests = await parseManifests('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}');
    expect(manifests).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'j' } }]);
  });

  it('flattens List and typed lists, filling in what a typed list leaves out', async () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata: { name: a }',
      '- apiVersion: v1',
      '  kind: Namespace',
      '  metadata: { name: b }',
      '---',
      'apiVersion: v1',
      'kind: ConfigMapList',
      'items:',
      '- metadata: { name: c, namespace: a }',
    ].join('\n');
    const manifests = await parseManifests(text, { source: 'lists.yaml' });
    expect(manifests).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' } },
    ]);
    expect(manifestOrigin(manifests[2] ?? {})).toEqual({
      source: 'lists.yaml',
      document: 2,
      item: 1,
      line: 11,
    });
  });

  it('reports a manifest without a name with file, document and line', async () => {
    const text =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x-\n';
    const err = await problem(parseManifests(text, { source: 'app.yaml' }));
    expect(err.message).toBe(
      'app.yaml, document 2 (line 5): the ConfigMap has no metadata.name; every manifest needs apiVersion, kind and metadata.name (generateName cannot be applied)',
    );
    expect(err.problems).toEqual([
      {
        source: 'app.yaml',
        document: 2,
        line: 5,
        message:
          'the ConfigMap has no metadata.name; every manifest needs apiVersion, kind and metadata.name (generateName cannot be applied)',
      },
    ]);
  });

  it('reports every problem at once: missing fields, a non-mapping document, a bad List item, invalid YAML', async () => {
    const text = [
      'metadata: {name: nameless-kind}', // 1
      '---',
      '- just',
      '- a list', // 2
      '---',
      'apiVersion: v1',
      'kind: List',
      'items: [42]', // 3
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: dup}',
      'metadata: {name: dup}', // 4
    ].join('\n');
    const err = await problem(parseManifests(text, { source: 'bad.yaml' }));
    expect(err.message).toBe(
      [
        '4 problems in manifests:',
        '  bad.yaml, document 1 (line 1): has no apiVersion, kind; every manifest needs apiVersion, kind and metadata.name (generateName cannot be applied)',
        '  bad.yaml, document 2 (line 3): a manifest must be a mapping with apiVersion, kind and metadata, got a list',
        '  bad.yaml, document 3, item 1 (line 6): a manifest must be a mapping with apiVersion, kind and metadata, got a number',
        '  bad.yaml, document 4 (line 13, column 1): invalid YAML: Map keys must be unique',
      ].join('\n'),
    );
  });

  it('names the line and column of a YAML syntax error', async () => {
    const err = await problem(
      parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n', { source: 's.yaml' }),
    );
    expect(err.problems[0]?.line).toBeGreaterThanOrEqual(4);
    expect(err.message).toMatch(/^s\.yaml, document 1 \(line \d+, column \d+\): invalid YAML: /);
  });

  it('refuses something that is not text', async () => {
    await expect(parseManifests({ kind: 'ConfigMap' } as unknown as string)).rejects.toThrow(
      'parseManifests(manifests): expected YAML or JSON text, got object',
    );
  });
});

describe('loadManifests', () => {
  it('reads files in order and names the file in errors', async () => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: one}\n');
    writeFileSync(b, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: two, namespace: one}\n');
    const manifests = await loadManifests([a, b]);
    expect(manifests.map((m) => m.metadata.name)).toEqual(['one', 'two']);
    expect(manifestOrigin(manifests[1] ?? {})?.source).toBe(b);

    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'kind: ConfigMap\nmetadata: {name: x}\n');
    expect((await problem(loadManifests([a, broken]))).message).toBe(
      `${broken}, document 1 (line 1): the ConfigMap has no apiVersion; every manifest needs apiVersion, kind and metadata.name (generateName cannot be applied)`,
    );
    await expect(loadManifests(join(dir, 'missing.yaml'))).rejects.toThrow(
      `loadManifests: ${join(dir, 'missing.yaml')} does not exist`,
    );
  });

  it('reads a directory as its manifest files in name order', async () => {
    const folder = mkdtempSync(join(dir, 'folder-'));
    writeFileSync(
      join(folder, '20-app.yml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: ns}\n',
    );
    writeFileSync(join(folder, '10-ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n');
    writeFileSync(
      join(folder, '30-extra.json'),
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"extra","namespace":"ns"}}',
    );
    writeFileSync(join(folder, 'README.md'), '# not a manifest\n');
    const manifests = await loadManifests(folder);
    expect(manifests.map((m) => m.metadata.name)).toEqual(['ns', 'app', 'extra']);
    expect(manifestOrigin(manifests[1] ?? {})?.source).toBe(join(folder, '20-app.yml'));
  });

  it('does not load the yaml library until manifests are parsed', { timeout: 60_000 }, async () => {
    const core = fileURLToPath(new URL('../index.ts', import.meta.url));
    const script = `
      import { registerHooks } from 'node:module';
      const loaded = [];
      registerHooks({ resolve(specifier, context, next) {
        const result = next(specifier, context);
        if (/[\\\\/]node_modules[\\\\/]yaml[\\\\/]/.test(result.url)) loaded.push(result.url);
        return result;
      } });
      const core = await import(${JSON.stringify(core)});
      const before = loaded.length;
      await core.parseManifests('apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: a}\\n');
      console.log(JSON.stringify({ before, after: loaded.length > 0 }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({ before: 0, after: true });
  });
});
