import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../main.ts';
import { GenApiResourceSchemaError, genApiResourceSchemas } from './gen-apiresourceschema.ts';

const testdata = resolve(import.meta.dirname, '../../../../examples/syncagent/testdata');
const clusters = join(testdata, 'postgresql.cnpg.io_clusters.yaml');
const databases = join(testdata, 'postgresql.cnpg.io_databases.yaml');

async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const widgetCrd = (version: string): string => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.io
spec:
  group: example.io
  names: {plural: widgets, kind: Widget}
  scope: Namespaced
  versions:
${version}`;

// The CNPG CRDs are large: parsing them takes seconds on a busy machine.
describe('gen apiresourceschema', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kubeloom-ars-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names schemas as api-syncagent does (the Go-verified names of the CNPG CRDs)', async () => {
    const { schemas } = await genApiResourceSchemas({ files: [clusters, databases] });
    expect(schemas.map((s) => s.metadata.name)).toEqual([
      'v07575a90.clusters.postgresql.cnpg.io',
      'vc44db4dd.databases.postgresql.cnpg.io',
    ]);
    expect(schemas[0]?.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1', true, true]]);
    expect(schemas[0]?.spec.versions[0]?.subresources).toEqual({
      status: {},
      scale: {
        specReplicasPath: '.spec.instances',
        statusReplicasPath: '.status.instances',
        labelSelectorPath: '.status.selector',
      },
    });
  });

  it('takes a prefix and writes an APIExport skeleton exporting every schema', async () => {
    const result = await genApiResourceSchemas({
      files: [clusters, databases],
      prefix: 'v20260301',
      exportName: 'postgres.example.io',
    });
    expect(result.files.map((f) => f.fileName)).toEqual([
      'apiresourceschema-clusters.postgresql.cnpg.io.yaml',
      'apiresourceschema-databases.postgresql.cnpg.io.yaml',
      'apiexport-postgres.example.io.yaml',
    ]);
    expect(result.apiExport).toEqual({
      apiVersion: 'apis.kcp.io/v1alpha2',
      kind: 'APIExport',
      metadata: { name: 'postgres.example.io' },
      spec: {
        resources: [
          {
            group: 'postgresql.cnpg.io',
            name: 'clusters',
            schema: 'v20260301.clusters.postgresql.cnpg.io',
            storage: { crd: {} },
          },
          {
            group: 'postgresql.cnpg.io',
            name: 'databases',
            schema: 'v20260301.databases.postgresql.cnpg.io',
            storage: { crd: {} },
          },
        ],
      },
    });
  });

  it('prints the YAML documents to stdout, which parse back to the schemas and the export', async () => {
    const { code, out, err } = await run('gen', 'apiresourceschema', databases, '--export', 'db.example.io');
    expect({ code, err }).toEqual({ code: 0, err: [] });
    const documents = parseAllDocuments(out.join('\n')).map((d) => d.toJS());
    const expected = await genApiResourceSchemas({ files: [databases], exportName: 'db.example.io' });
    expect(documents).toEqual([...expected.schemas, expected.apiExport]);
  });

  it('--out writes one file each and leaves unchanged files alone', async () => {
    const out = join(dir, 'out');
    expect(
      await run('gen', 'apiresourceschema', databases, '--export', 'db.example.io', '--out', out),
    ).toEqual({
      code: 0,
      out: [`kubeloom gen apiresourceschema: 2 files in ${out}: 2 written, 0 unchanged`],
      err: [],
    });
    expect(await run('gen', 'apiresourceschema', databases, '--export', 'db.example.io', '-o', out)).toEqual({
      code: 0,
      out: [`kubeloom gen apiresourceschema: 2 files in ${out}: 0 written, 2 unchanged`],
      err: [],
    });
    const exportYaml = await readFile(join(out, 'apiexport-db.example.io.yaml'), 'utf8');
    expect(exportYaml).toContain(
      '# Add spec.permissionClaims for objects the provider needs in consumer workspaces',
    );
  });

  it('names the file, the path in the CRD and what is wrong, for every problem', async () => {
    const path = join(dir, 'broken.yaml');
    await writeFile(
      path,
      `${widgetCrd(`  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: objekt
            required: size
            properties:
              sizes: {type: array, items: [{type: string}]}
  - name: v2
    served: true
    storage: true
`)}---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
`,
    );
    const { code, out, err } = await run('gen', 'apiresourceschema', path);
    const at = `${path}, document 1 (line 1)`;
    expect({ code, out }).toEqual({ code: 1, out: [] });
    expect(err).toEqual([
      [
        'kubeloom gen apiresourceschema: 6 problems:',
        `  ${at}: spec.versions[0].schema.openAPIV3Schema.properties.spec.type: expected one of object, array, string, integer, number, boolean, got "objekt"`,
        `  ${at}: spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.sizes.items: expected one schema for every item, got a list (tuple schemas are not structural)`,
        `  ${at}: spec.versions[0].schema.openAPIV3Schema.properties.spec.required: expected a list of field names, got a string`,
        `  ${at}: spec.versions[1].schema.openAPIV3Schema: version v2 has no schema (got nothing); kcp serves only structural schemas: add the version's OpenAPI v3 schema`,
        `  ${at}: spec.versions: exactly one version must have storage: true, found 2 (v1, v2)`,
        `  ${path}, document 2 (line 26): ConfigMap settings (v1) is not a CustomResourceDefinition (apiextensions.k8s.io/v1); give gen apiresourceschema only CRD files`,
      ].join('\n'),
    ]);
  });

  it('reports one problem on one line, and checks the CRD name', async () => {
    const path = join(dir, 'misnamed.yaml');
    await writeFile(
      path,
      widgetCrd(
        '  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}\n',
      ).replace('name: widgets.example.io', 'name: widget.example.io'),
    );
    await expect(genApiResourceSchemas({ files: [path] })).rejects.toThrow(
      new GenApiResourceSchemaError([
        {
          origin: `${path}, document 1 (line 1)`,
          path: 'metadata.name',
          message: 'expected widgets.example.io (<spec.names.plural>.<spec.group>), got "widget.example.io"',
        },
      ]),
    );
    expect((await run('gen', 'apiresourceschema', path)).err).toEqual([
      `kubeloom gen apiresourceschema: ${path}, document 1 (line 1): metadata.name: expected widgets.example.io (<spec.names.plural>.<spec.group>), got "widget.example.io"`,
    ]);
  });

  it('rejects a malformed prefix or export name, and wrong usage', async () => {
    expect(await run('gen', 'apiresourceschema', databases, '--prefix', 'V1')).toEqual({
      code: 1,
      out: [],
      err: [
        `kubeloom gen apiresourceschema: --prefix "V1" must be a lower-case DNS label (letters, digits and '-', starting with a letter), e.g. v1 or v20260301`,
      ],
    });
    expect((await run('gen', 'apiresourceschema', databases, '--export', 'DB')).err).toEqual([
      'kubeloom gen apiresourceschema: --export "DB" must be a lower-case DNS subdomain, e.g. widgets.example.io',
    ]);
    expect(await run('gen', 'apiresourceschema')).toEqual({
      code: 2,
      out: [],
      err: [
        'kubeloom: gen apiresourceschema: nothing to read: give CRD files or directories',
        'Run kubeloom --help for usage.',
      ],
    });
    expect((await run('gen', 'apiresourceschema', databases, '--check')).code).toBe(2);
  });
});
