import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObject, applyStatus } from '../reconcile/apply.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { type ConfigMap, ConfigMapResource, NamespaceResource } from './builtins.ts';
import { Client } from './client.ts';
import { InvalidObjectError } from './errors.ts';
import { PatchType } from './rest-client.ts';

const yamlText = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n';
const yamlHint =
  ' (did you pass YAML text? parse it with parseManifests first, or read a file with loadManifests)';

function circular(): ConfigMap {
  const spec: { self?: unknown } = {};
  spec.self = spec;
  return { metadata: { name: 'a', namespace: 'default' }, spec } as ConfigMap;
}

/** What every verb that takes an object says about an object it cannot send (the part after the call). */
const unsendable: Array<[string, unknown, string]> = [
  ['null', null, 'the object must be a plain object, got null'],
  ['undefined', undefined, 'the object must be a plain object, got undefined'],
  ['a number', 42, 'the object must be a plain object, got the number 42'],
  ['YAML text', yamlText, `the object must be a plain object, got a string${yamlHint}`],
  [
    'JSON text',
    '{"metadata":{"name":"a"}}',
    'the object must be a plain object, got a string (did you pass JSON text? parse it with JSON.parse first)',
  ],
  [
    'an array',
    [{ metadata: { name: 'a' } }],
    'the object must be a plain object, got an array (send one object per call; applyManifests applies many)',
  ],
  ['a Map', new Map([['metadata', { name: 'a' }]]), 'the object must be a plain object, got a Map'],
  [
    'a Promise',
    Promise.resolve({ metadata: { name: 'a' } }),
    'the object must be a plain object, got a Promise (did you forget an await?)',
  ],
  [
    'a circular structure',
    circular(),
    'the object has a circular reference at spec.self (it contains itself), which JSON cannot carry',
  ],
  [
    'a BigInt',
    { metadata: { name: 'a', namespace: 'default' }, data: { size: 10n } },
    'the object holds a BigInt at data.size, which JSON cannot carry; convert it to a number or a string',
  ],
  [
    'NaN',
    { metadata: { name: 'a', namespace: 'default', generation: Number.NaN } },
    'the object holds NaN at metadata.generation, which JSON would send as null; use a finite number',
  ],
  [
    'a Map inside',
    { metadata: { name: 'a', namespace: 'default' }, data: new Map([['k', 'v']]) },
    'the object holds a Map at data, which JSON would send as {}; convert it to a plain object or array (Object.fromEntries, [...set])',
  ],
  ['metadata that is a string', { metadata: 'a' }, 'metadata must be an object, got a string'],
  [
    'a number as name',
    { metadata: { name: 7, namespace: 'default' } },
    'metadata.name must be a string, got the number 7',
  ],
  [
    'another kind',
    { kind: 'Secret', metadata: { name: 'a', namespace: 'default' } },
    'the object\'s kind is "Secret", but the resource is ConfigMap; pass the resource descriptor that matches the object\'s kind',
  ],
];

describe('client verbs refuse objects they cannot send, before any request', () => {
  let server: FakeApiServer;
  let client: Client;
  let sent = 0;
  beforeAll(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource, NamespaceResource] });
    client = new Client(server.client().rest.withObserver({ requestStarted: () => sent++ }));
  });
  afterAll(() => server.stop());

  /** The verbs that take a whole object, as `call label -> send`. */
  const verbs: Array<[string, (obj: unknown) => Promise<unknown>]> = [
    ['create(ConfigMap)', (obj) => client.create(ConfigMapResource, obj as ConfigMap)],
    ['update(ConfigMap)', (obj) => client.update(ConfigMapResource, obj as ConfigMap)],
    ['updateStatus(ConfigMap)', (obj) => client.updateStatus(ConfigMapResource, obj as ConfigMap)],
    ['apply(ConfigMap)', (obj) => client.apply(ConfigMapResource, obj as ConfigMap, { fieldManager: 't' })],
    [
      'apply(ConfigMap)',
      (obj) => applyObject(client, ConfigMapResource, obj as ConfigMap, { fieldManager: 't' }),
    ],
    [
      'apply(ConfigMap)',
      (obj) => applyStatus(client, ConfigMapResource, obj as ConfigMap, { fieldManager: 't' }),
    ],
  ];

  async function refusal(send: () => Promise<unknown>): Promise<InvalidObjectError> {
    const before = sent;
    const err = await send().then(
      () => new Error('expected a refusal'),
      (e: unknown) => e,
    );
    expect(sent).toBe(before);
    expect(err).toBeInstanceOf(InvalidObjectError);
    return err as InvalidObjectError;
  }

  for (const [what, value, message] of unsendable) {
    it(`every object verb refuses ${what}`, async () => {
      for (const [call, send] of verbs) {
        const err = await refusal(() => send(value));
        expect(err.message).toBe(`${call}: ${message}`);
        expect(err.call).toBe(call);
      }
    });
  }

  it('names the missing name and namespace per verb', async () => {
    const noName = { metadata: { namespace: 'default' } };
    expect((await refusal(() => client.create(ConfigMapResource, noName))).message).toBe(
      'create(ConfigMap): metadata.name is missing; set it, or set metadata.generateName to have the server pick one',
    );
    expect((await refusal(() => client.update(ConfigMapResource, noName))).message).toBe(
      'update(ConfigMap): metadata.name is missing; set it to the name of the object',
    );
    const err = await refusal(() => client.apply(ConfigMapResource, {}, { fieldManager: 't' }));
    expect(err.message).toBe('apply(ConfigMap): metadata.name is missing; set it to the name of the object');
    expect(err.problem).toBe('MissingName');
    expect((await refusal(() => client.create(ConfigMapResource, { metadata: { name: 'a' } }))).message).toBe(
      'create(ConfigMap): ConfigMap is namespaced, but the object has no metadata.namespace and no namespace option was given',
    );
    expect(
      (
        await refusal(() =>
          client.apply(ConfigMapResource, { metadata: { name: 'a' } }, { fieldManager: 't' }),
        )
      ).message,
    ).toBe('apply(ConfigMap): ConfigMap is namespaced, but the object has no metadata.namespace');
  });

  it('refuses a missing name for get and delete instead of addressing the whole collection', async () => {
    await client.create(ConfigMapResource, { metadata: { name: 'survivor', namespace: 'default' } });
    const get = await refusal(() => client.get(ConfigMapResource, undefined as unknown as string));
    expect(get.message).toBe('get(ConfigMap): the name must be a non-empty string, got undefined');
    const del = await refusal(() => client.delete(ConfigMapResource, '', { namespace: 'default' }));
    expect(del.message).toBe('delete(ConfigMap): the name must be a non-empty string, got an empty string');
    expect((await client.get(ConfigMapResource, 'survivor', { namespace: 'default' })).metadata?.name).toBe(
      'survivor',
    );
  });

  it('refuses patches that do not fit their type', async () => {
    const patch = (name: unknown, body: unknown, type?: PatchType) =>
      refusal(() =>
        client.patch(ConfigMapResource, name as string, body as never, {
          namespace: 'default',
          ...(type ? { type, fieldManager: 't' } : {}),
        }),
      );
    expect((await patch(undefined, { data: {} })).message).toBe(
      'patch(ConfigMap): the name must be a non-empty string, got undefined',
    );
    expect((await patch('a', null)).message).toBe(
      'patch(ConfigMap): the patch must be a plain object, got null',
    );
    expect((await patch('a', [{ op: 'add', path: '/data/x', value: '1' }])).message).toBe(
      'patch(ConfigMap): the patch must be a plain object, got an array (a list of operations is a JSON patch: pass type: PatchType.Json)',
    );
    expect((await patch('a', { data: { x: 1n } }, PatchType.StrategicMerge)).message).toBe(
      'patch(ConfigMap): the object holds a BigInt at data.x, which JSON cannot carry; convert it to a number or a string',
    );
    expect((await patch('a', { data: {} }, PatchType.Json)).message).toBe(
      'patch(ConfigMap): a JSON patch must be an array of operations ({ op, path, value }), got an object',
    );
    expect((await patch('a', [{ path: '/data' }], PatchType.Json)).message).toBe(
      'patch(ConfigMap): JSON patch operation 0 must be an object with string op and path, got an object',
    );
    expect((await patch('a', undefined, PatchType.Apply)).message).toBe(
      'apply(ConfigMap): the patch must be a plain object, got undefined',
    );
    expect((await refusal(() => client.patch(ConfigMapResource, 'a', { data: {} }))).message).toBe(
      'patch(ConfigMap): ConfigMap is namespaced; pass the namespace option',
    );
  });

  it('still sends what is fine: generateName, cluster-scoped objects, text patches, class instances', async () => {
    const before = sent;
    const created = await client.create(ConfigMapResource, {
      metadata: { generateName: 'gen-', namespace: 'default' },
    });
    expect(created.metadata?.name).toMatch(/^gen-/);
    await client.create(NamespaceResource, { metadata: { name: 'checked' } });
    await client.patch(ConfigMapResource, created.metadata?.name ?? '', '{"data":{"x":"1"}}', {
      namespace: 'default',
    });
    class Model {
      metadata = { name: 'from-class', namespace: 'default' };
      data = { when: new Date(0) };
    }
    const fromClass = await client.create(ConfigMapResource, new Model());
    // A Date is sent as the API server writes timestamps, to the second.
    expect(fromClass.data).toEqual({ when: '1970-01-01T00:00:00Z' });
    expect(sent - before).toBe(4);
  });
});
