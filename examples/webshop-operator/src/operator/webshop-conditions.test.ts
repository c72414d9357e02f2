import type { Condition, Deployment } from '@kubeloom/core';
import { describe, expect, it } from 'vitest';
import type { Webshop } from '../api/webshop.ts';
import {
  type DatabaseObservation,
  databaseCondition,
  deployedCondition,
  nextStatus,
  readyCondition,
  searchCondition,
  transitions,
} from './webshop-conditions.ts';

const readyCluster = {
  spec: { instances: 1 },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' as const, reason: 'x', message: '', lastTransitionTime: '' },
    ],
  },
};

const observed = (
  over: Partial<Extract<DatabaseObservation, { state: 'observed' }>> = {},
): DatabaseObservation => ({
  state: 'observed',
  clusterName: 'acme-db',
  cluster: readyCluster,
  databaseName: 'acme',
  database: { spec: { cluster: { name: 'acme-db' }, name: 'shop', owner: 'app' }, status: { applied: true } },
  secretName: 'acme-db-app',
  secret: { data: {} },
  credentials: { data: { DATABASE_USER: 'YXBw' } },
  ...over,
});

describe('DatabaseReady', () => {
  it('tells a tenant without the Postgres binding which export to bind', () => {
    expect(
      databaseCondition({
        state: 'notBound',
        export: { path: 'root:database-team', name: 'postgresql.cnpg.io' },
        retrySeconds: 30,
      }),
    ).toEqual({
      type: 'DatabaseReady',
      status: 'False',
      reason: 'PostgresAPINotBound',
      message:
        'this workspace does not serve postgresql.cnpg.io clusters and databases: bind the APIExport root:database-team:postgresql.cnpg.io (accepting its permission claims) to get a database; checked again every 30 s',
    });
  });

  it('waits for the Cluster, then the Database, then the credentials', () => {
    expect(databaseCondition(observed({ cluster: { spec: { instances: 1 } } }))).toMatchObject({
      status: 'False',
      reason: 'ClusterNotReady',
      message: 'waiting for Postgres Cluster acme-db to become Ready',
    });
    expect(
      databaseCondition(
        observed({ database: { spec: { cluster: { name: 'acme-db' }, name: 'shop', owner: 'app' } } }),
      ),
    ).toMatchObject({
      reason: 'DatabaseNotApplied',
      message: 'waiting for Database acme to be applied',
    });
    expect(databaseCondition(observed({ credentials: undefined }))).toMatchObject({
      reason: 'CredentialsPending',
      message: 'waiting for the credentials Secret acme-db-app',
    });
    expect(databaseCondition(observed({ credentials: { missingKeys: ['password'] } }))).toMatchObject({
      reason: 'CredentialsIncomplete',
      message: 'the credentials Secret acme-db-app lacks the key(s) password',
    });
    expect(databaseCondition(observed())).toEqual({
      type: 'DatabaseReady',
      status: 'True',
      reason: 'DatabaseReady',
      message: 'Cluster acme-db is Ready, Database acme is applied, credentials in Secret acme-db-app',
    });
  });
});

describe('SearchReady', () => {
  it('is True when search is off', () => {
    expect(searchCondition({ state: 'disabled' })).toMatchObject({
      status: 'True',
      reason: 'SearchDisabled',
    });
  });

  it('names the Elastic export when it is not bound', () => {
    expect(searchCondition({ state: 'notBound', retrySeconds: 30 })).toMatchObject({
      status: 'False',
      reason: 'ElasticsearchAPINotBound',
      message:
        'this workspace does not serve search.observability.kubeloom.dev elasticsearches: bind the APIExport "search.observability.kubeloom.dev" (accepting its permission claims) to get search, or set spec.search.enabled to false; checked again every 30 s',
    });
  });

  it('needs both the Ready condition and the URL', () => {
    const ready = {
      type: 'Ready',
      status: 'True' as const,
      reason: 'r',
      message: '',
      lastTransitionTime: '',
    };
    const base = {
      state: 'observed' as const,
      name: 'acme-search',
      secretName: 's',
      credentials: { data: {} },
    };
    expect(searchCondition({ ...base, elasticsearch: { status: { conditions: [ready] } } }).reason).toBe(
      'ElasticsearchNotReady',
    );
    expect(
      searchCondition({ ...base, elasticsearch: { status: { url: 'https://es', conditions: [ready] } } }),
    ).toMatchObject({
      status: 'True',
      message: 'Elasticsearch acme-search is Ready at https://es, credentials in Secret s',
    });
  });
});

const deployment = (replicas: number, available: number, observedGeneration = 1): Deployment => ({
  metadata: { name: 'acme', namespace: 'shop-t-default', generation: 1 },
  spec: { replicas, selector: {}, template: {} },
  status: { availableReplicas: available, observedGeneration },
});

describe('Deployed and Ready', () => {
  it('waits for its dependencies before deploying', () => {
    expect(deployedCondition(undefined, ['DatabaseReady'])).toMatchObject({
      status: 'False',
      reason: 'WaitingForDependencies',
      message: 'the shop is deployed once DatabaseReady is True',
    });
  });

  it('is True only when every replica of the current generation is available', () => {
    expect(deployedCondition(deployment(3, 2), [])).toMatchObject({
      status: 'False',
      reason: 'RollingOut',
      message: '2 of 3 replicas available (Deployment shop-t-default/acme on the compute cluster)',
    });
    expect(deployedCondition(deployment(1, 3, 0), []).status).toBe('False');
    expect(deployedCondition(deployment(3, 3), [])).toMatchObject({ status: 'True', reason: 'Available' });
    const rollingOut = deployment(3, 3);
    rollingOut.status = { ...rollingOut.status, updatedReplicas: 1 };
    expect(deployedCondition(rollingOut, [])).toMatchObject({
      status: 'False',
      message:
        '3 of 3 replicas available, 1 up to date (Deployment shop-t-default/acme on the compute cluster)',
    });
  });

  it('summarises into Ready with the first failing condition', () => {
    const db = databaseCondition({ state: 'notBound', retrySeconds: 30 });
    const search = searchCondition({ state: 'disabled' });
    const ready = readyCondition([db, search, deployedCondition(undefined, ['DatabaseReady'])]);
    expect(ready).toMatchObject({ status: 'False', reason: 'PostgresAPINotBound' });
    expect(ready.message).toMatch(/^DatabaseReady: this workspace does not serve/);
    expect(readyCondition([search])).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'Ready',
      message: 'the shop is running',
    });
  });
});

describe('status', () => {
  const now = new Date('2026-12-02T10:00:00Z');
  const shop: Webshop = { metadata: { name: 'acme', generation: 3 }, spec: { image: 'i' } };

  it('carries observedGeneration on the status and on every condition', () => {
    const status = nextStatus(
      shop,
      [searchCondition({ state: 'disabled' })],
      { computeNamespace: 'ns' },
      now,
    );
    expect(status).toEqual({
      observedGeneration: 3,
      computeNamespace: 'ns',
      conditions: [
        {
          type: 'SearchReady',
          status: 'True',
          reason: 'SearchDisabled',
          message: 'search is off (spec.search.enabled is false)',
          lastTransitionTime: '2026-12-02T10:00:00Z',
          observedGeneration: 3,
        },
      ],
    });
  });

  it('is the same object when nothing changed, so nothing is written', () => {
    const once = { ...shop, status: nextStatus(shop, [searchCondition({ state: 'disabled' })], {}, now) };
    expect(nextStatus(once, [searchCondition({ state: 'disabled' })], {}, new Date())).toBe(once.status);
    const newer = { ...once, metadata: { ...once.metadata, generation: 4 } };
    expect(nextStatus(newer, [searchCondition({ state: 'disabled' })], {}, now).observedGeneration).toBe(4);
  });

  it('reports the conditions whose status changed', () => {
    const before: Condition[] = [
      { type: 'Ready', status: 'False', reason: 'a', message: '', lastTransitionTime: '' },
    ];
    const after: Condition[] = [
      { type: 'Ready', status: 'True', reason: 'b', message: '', lastTransitionTime: '' },
      { type: 'Deployed', status: 'True', reason: 'c', message: '', lastTransitionTime: '' },
    ];
    expect(transitions(before, after).map((c) => c.type)).toEqual(['Ready', 'Deployed']);
    expect(transitions(after, after)).toEqual([]);
  });
});
