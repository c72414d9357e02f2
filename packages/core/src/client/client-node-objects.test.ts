import { V1ConfigMap, V1Lease, V1LeaseSpec, V1ObjectMeta } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { ConfigMapResource, LeaseResource } from './builtins.ts';
import type { Client } from './client.ts';
import { withRfc3339Dates } from './client-node-objects.ts';

const at = new Date('2026-01-02T03:04:05.678Z');

function clientNodeConfigMap(): V1ConfigMap {
  const cm = new V1ConfigMap();
  cm.metadata = Object.assign(new V1ObjectMeta(), {
    name: 'from-client-node',
    namespace: 'default',
    creationTimestamp: at,
    managedFields: [{ manager: 'm', operation: 'Update', time: at }],
  });
  cm.data = { key: 'value' };
  return cm;
}

describe('withRfc3339Dates', () => {
  it('writes Time fields to the second and MicroTime fields with six digits, as the API server does', () => {
    const lease = Object.assign(new V1Lease(), {
      metadata: { name: 'l', creationTimestamp: at },
      spec: Object.assign(new V1LeaseSpec(), { holderIdentity: 'me', renewTime: at, acquireTime: at }),
    });
    expect(JSON.parse(JSON.stringify(withRfc3339Dates(lease)))).toEqual({
      metadata: { name: 'l', creationTimestamp: '2026-01-02T03:04:05Z' },
      spec: {
        holderIdentity: 'me',
        renewTime: '2026-01-02T03:04:05.678000Z',
        acquireTime: '2026-01-02T03:04:05.678000Z',
      },
    });
  });

  it('returns an object without Dates as it is, and leaves the input unchanged', () => {
    const plain = { metadata: { name: 'a' }, data: { a: 'b' }, list: [1, { x: 'y' }] };
    expect(withRfc3339Dates(plain)).toBe(plain);
    const cm = clientNodeConfigMap();
    const out = withRfc3339Dates(cm);
    expect(out).not.toBe(cm);
    expect(cm.metadata?.creationTimestamp).toBe(at);
    expect(out.metadata?.managedFields?.[0]?.time).toBe('2026-01-02T03:04:05Z');
  });
});

describe('client verbs take @kubernetes/client-node model objects', () => {
  let server: FakeApiServer;
  let client: Client;
  beforeEach(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource, LeaseResource] });
    client = server.client();
  });
  afterEach(() => server.stop());

  it('creates, updates and patches with them, sending their Dates as RFC 3339 text', async () => {
    const created = await client.create(ConfigMapResource, clientNodeConfigMap());
    expect(created.data).toEqual({ key: 'value' });
    const stored = server.getObject(ConfigMapResource, { namespace: 'default', name: 'from-client-node' });
    expect(
      (stored as { metadata: { managedFields: { time: unknown }[] } }).metadata.managedFields[0]?.time,
    ).toBe('2026-01-02T03:04:05Z');

    const changed = clientNodeConfigMap();
    changed.data = { key: 'changed' };
    changed.metadata = Object.assign(changed.metadata ?? {}, {
      resourceVersion: created.metadata?.resourceVersion,
    });
    expect((await client.update(ConfigMapResource, changed)).data).toEqual({ key: 'changed' });

    const lease = await client.create(LeaseResource, {
      metadata: { name: 'l', namespace: 'default' },
      spec: { holderIdentity: 'me' },
    });
    const renewed = await client.patch(
      LeaseResource,
      'l',
      { spec: { renewTime: at } },
      { namespace: 'default' },
    );
    expect(renewed.spec?.renewTime).toBe('2026-01-02T03:04:05.678000Z');
    expect(lease.spec?.holderIdentity).toBe('me');
  });
});
