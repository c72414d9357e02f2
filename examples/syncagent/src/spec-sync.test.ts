import { describe, expect, it } from 'vitest';
import {
  identificationAnnotations,
  identificationLabels,
  remoteObjectKey,
  stripMetadata,
} from './object-identity.ts';
import { planSpecSync } from './spec-sync.ts';

const source = {
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: {
    name: 'kcp',
    namespace: 'default',
    uid: 'kcp-uid',
    labels: { app: 'db' },
    finalizers: ['syncagent.kcp.io/cleanup'],
  },
  spec: { instances: 1, storage: { size: '1Gi' } },
  status: { phase: 'healthy' },
};
const key = remoteObjectKey(source, 'lc1');
const destination = {
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: {
    name: 'kcp',
    namespace: 'lc1',
    uid: 'local-uid',
    labels: { app: 'db', ...identificationLabels(key) },
    annotations: identificationAnnotations(key),
  },
  spec: { instances: 1, storage: { size: '1Gi', storageClass: 'defaulted-by-service' } },
  status: { phase: 'Cluster in healthy state' },
};
const base = {
  subresources: ['status'],
  desiredLabels: identificationLabels(key),
  desiredAnnotations: identificationAnnotations(key),
};

describe('planSpecSync', () => {
  it('does nothing when the kcp object has not changed since the last sync', () => {
    const lastKnown = stripMetadata(source) as Record<string, unknown>;
    expect(planSpecSync({ ...base, source, destination, lastKnown }).kind).toBe('in-sync');
  });

  it('patches only what changed in kcp, keeping service-side changes', () => {
    const lastKnown = stripMetadata(source) as Record<string, unknown>;
    const changed = { ...source, spec: { instances: 3, storage: { size: '1Gi' } }, status: { phase: 'x' } };
    const plan = planSpecSync({ ...base, source: changed, destination, lastKnown });
    expect(plan).toMatchObject({ kind: 'patch', patch: { spec: { instances: 3 } } });
    expect(plan.newState).toEqual(
      expect.objectContaining({
        spec: { instances: 3, storage: { size: '1Gi' } },
        metadata: { name: 'kcp', namespace: 'default', labels: { app: 'db' } },
      }),
    );
  });

  it('repairs identification labels and annotations the copy lost', () => {
    const lastKnown = stripMetadata(source) as Record<string, unknown>;
    const broken = {
      ...destination,
      metadata: { ...destination.metadata, labels: { app: 'db' }, annotations: {} },
    };
    const plan = planSpecSync({ ...base, source, destination: broken, lastKnown });
    expect(plan).toEqual(
      expect.objectContaining({
        kind: 'patch',
        patch: {
          metadata: { labels: identificationLabels(key), annotations: identificationAnnotations(key) },
        },
      }),
    );
  });

  it('overwrites every non-metadata, non-subresource field when no last-known state exists', () => {
    const scaledDown = { ...source, spec: { instances: 2 } };
    const plan = planSpecSync({
      ...base,
      source: scaledDown,
      destination,
      lastKnown: undefined,
    });
    expect(plan.kind).toBe('overwrite');
    expect(plan.kind === 'overwrite' && plan.object).toEqual({
      ...destination,
      spec: { instances: 2 },
      metadata: { ...destination.metadata, labels: { ...destination.metadata.labels, app: 'db' } },
    });
  });
});
