import { describe, expect, it } from 'vitest';
import type { Webshop } from '../api/webshop.ts';
import { desiredComputeObjects } from './compute-objects.ts';
import { databaseCredentials, searchCredentials } from './credentials.ts';
import { computeNames, tenantOf, webshopOfSecret } from './names.ts';
import { desiredTenantObjects } from './tenant-objects.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const webshop = (spec: Partial<Webshop['spec']> = {}): Webshop => ({
  metadata: { name: 'acme', namespace: 'default', uid: 'u1', generation: 2 },
  spec: { image: 'shop:1.0', ...spec },
});

const postgresSecret = {
  data: {
    username: b64('app'),
    password: b64('s3cret'),
    host: b64('acme-db-rw'),
    port: b64('5432'),
    dbname: b64('shop'),
    uri: b64('postgresql://app:s3cret@acme-db-rw:5432/shop'),
  },
};

describe('desired compute objects', () => {
  const tenant = { cluster: 'kcp#2x9kq1tenant00', logicalCluster: '2x9kq1tenant00' };

  it('run the shop in the tenant namespace on the compute cluster, its environment from the credentials Secret', () => {
    const credentials = databaseCredentials(postgresSecret);
    if (!('data' in credentials)) throw new Error('incomplete');
    const objects = desiredComputeObjects(webshop({ replicas: 3 }), tenant, credentials.data);
    expect(objects.namespace.metadata?.name).toBe('shop-2x9kq1tenant00-default');
    expect(objects.credentials.metadata).toMatchObject({
      name: 'acme-credentials',
      namespace: 'shop-2x9kq1tenant00-default',
    });
    expect(objects.credentials.data?.DATABASE_PASSWORD).toBe(b64('s3cret'));
    expect(objects.deployment.spec?.replicas).toBe(3);
    const container = objects.deployment.spec?.template.spec?.containers[0];
    expect(container?.image).toBe('shop:1.0');
    expect(container?.env).toContainEqual({
      name: 'DATABASE_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'acme-credentials', key: 'DATABASE_PASSWORD' } },
    });
    expect(container?.env?.map((e) => e.name)).toEqual([
      'DATABASE_HOST',
      'DATABASE_NAME',
      'DATABASE_PASSWORD',
      'DATABASE_PORT',
      'DATABASE_URL',
      'DATABASE_USER',
    ]);
    // Values never appear in the Deployment itself.
    expect(JSON.stringify(objects.deployment)).not.toContain(b64('s3cret'));
    expect(objects.deployment.metadata?.annotations).toEqual({
      'webshop.kubeloom.dev/source-cluster': 'kcp#2x9kq1tenant00',
      'webshop.kubeloom.dev/source-object': 'default/acme',
    });
    expect(objects.service.spec?.selector).toEqual(objects.deployment.spec?.selector.matchLabels);
  });

  it('change the pod template when the credentials change, so the pods pick them up', () => {
    const before = desiredComputeObjects(webshop(), tenant, { DATABASE_PASSWORD: b64('a') });
    const after = desiredComputeObjects(webshop(), tenant, { DATABASE_PASSWORD: b64('b') });
    const digest = (o: typeof before) =>
      o.deployment.spec?.template.metadata?.annotations?.['webshop.kubeloom.dev/credentials-digest'];
    expect(digest(before)).not.toBe(digest(after));
    expect(digest(before)).toBe(
      digest(desiredComputeObjects(webshop({ replicas: 5 }), tenant, { DATABASE_PASSWORD: b64('a') })),
    );
  });

  it('default the replicas to 1', () => {
    expect(desiredComputeObjects(webshop(), tenant, {}).deployment.spec?.replicas).toBe(1);
  });
});

describe('credentials', () => {
  it('name the keys a Secret lacks, never its values', () => {
    expect(databaseCredentials({ data: { password: b64('x') } })).toEqual({
      missingKeys: ['username', 'host'],
    });
    expect(searchCredentials({ data: { username: b64('elastic') } }, 'https://es')).toEqual({
      missingKeys: ['elastic'],
    });
  });

  it('carry the search URL and the elastic user', () => {
    expect(
      searchCredentials(
        { data: { username: b64('elastic'), elastic: b64('pw') } },
        'https://acme-search:9200',
      ),
    ).toEqual({
      data: {
        ELASTICSEARCH_URL: b64('https://acme-search:9200'),
        ELASTICSEARCH_USERNAME: b64('elastic'),
        ELASTICSEARCH_PASSWORD: b64('pw'),
      },
    });
  });
});

describe('desired tenant objects', () => {
  it('are the contract names, labelled with the Webshop', () => {
    const objects = desiredTenantObjects(
      webshop({ database: { size: '5Gi' }, search: { enabled: true, nodes: 2 } }),
    );
    expect(objects.postgresCluster.metadata).toEqual({
      name: 'acme-db',
      namespace: 'default',
      labels: { 'webshop.kubeloom.dev/webshop': 'acme' },
    });
    expect(objects.postgresCluster.spec).toEqual({ instances: 1, storage: { size: '5Gi' } });
    expect(objects.database.spec).toEqual({ cluster: { name: 'acme-db' }, name: 'shop', owner: 'app' });
    expect(objects.search?.metadata?.name).toBe('acme-search');
    expect(objects.search?.spec).toEqual({ nodes: 2 });
  });

  it('leave out the search instance when search is off', () => {
    expect(desiredTenantObjects(webshop()).search).toBeUndefined();
  });
});

describe('names', () => {
  it('map credentials Secrets back to their Webshop', () => {
    expect(webshopOfSecret('acme-db-app')).toBe('acme');
    expect(webshopOfSecret('acme-search-es-elastic-user')).toBe('acme');
    expect(webshopOfSecret('-db-app')).toBeUndefined();
    expect(webshopOfSecret('unrelated')).toBeUndefined();
  });

  it('keep compute namespaces within a DNS label', () => {
    const long = computeNames('2x9kq1tenant00aa', 'a-very-long-tenant-namespace-name-that-goes-on', 'acme');
    expect(long.namespace.length).toBeLessThanOrEqual(63);
    expect(long.namespace).toMatch(/^shop-2x9kq1tenant00aa-[0-9a-f]{10}$/);
    expect(tenantOf('kcp#abc')).toBe('abc');
  });
});
