import { describe, expect, it } from 'vitest';
import {
  identificationAnnotations,
  identificationLabels,
  localCopySelector,
  remoteKeyOfLocalCopy,
  remoteObjectKey,
  stateKey,
  stateSecretName,
  stateSnapshot,
  stripMetadata,
} from './object-identity.ts';

// Expected values were computed with upstream's Go code (crypto.Hash over json.Encoder / json.Marshal).
const cluster = {
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: { name: 'kcp', namespace: 'default' },
};

describe('object identity (upstream-compatible)', () => {
  it('labels and annotates a copy like upstream, hashing name and namespace with SHA-1', () => {
    const key = remoteObjectKey({ metadata: { name: 'my-<db>', namespace: 'team' } }, 'lc1', 'root:org:team');
    expect(identificationLabels(key)).toEqual({
      'syncagent.kcp.io/remote-object-cluster': 'lc1',
      'syncagent.kcp.io/remote-object-name-hash': 'b942a82813d60e086338f99152ca30b00ae00cc5',
      'syncagent.kcp.io/remote-object-namespace-hash': expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(identificationAnnotations(key)).toEqual({
      'syncagent.kcp.io/remote-object-name': 'my-<db>',
      'syncagent.kcp.io/remote-object-namespace': 'team',
      'syncagent.kcp.io/remote-object-workspace-path': 'root:org:team',
    });
    const clusterScoped = remoteObjectKey({ metadata: { name: 'x' } }, 'lc1');
    expect(Object.keys(identificationLabels(clusterScoped))).toHaveLength(2);
    expect(identificationAnnotations(clusterScoped)).toEqual({ 'syncagent.kcp.io/remote-object-name': 'x' });
    expect(localCopySelector(clusterScoped)).toBe(
      `syncagent.kcp.io/remote-object-cluster=lc1,syncagent.kcp.io/remote-object-name-hash=${identificationLabels(clusterScoped)['syncagent.kcp.io/remote-object-name-hash']}`,
    );
  });

  it('maps a copy back to its kcp object', () => {
    const key = remoteObjectKey(cluster, 'lc1');
    const copy = {
      metadata: { labels: identificationLabels(key), annotations: identificationAnnotations(key) },
    };
    expect(remoteKeyOfLocalCopy(copy)).toEqual({ clusterName: 'lc1', namespace: 'default', name: 'kcp' });
    expect(remoteKeyOfLocalCopy({ metadata: { labels: {} } })).toBeUndefined();
  });

  it('names the state Secret and its keys like upstream', () => {
    expect(stateSecretName(cluster, 'lc1')).toBe('obj-state-lc1-7dbbb35fac8c6b70731e');
    expect(stateKey(cluster, 'lc1')).toBe('9580b3d522b5c1979a2e3cc9c37b1d69c62dd301');
    expect(
      stateSnapshot(
        {
          kind: 'Secret',
          apiVersion: 'v1',
          metadata: { name: 'n', uid: 'u', resourceVersion: '5' },
          spec: { b: 1, a: 'x<y', f: 1.5 },
          status: { ok: true },
        } as never,
        ['status'],
      ),
    ).toBe(
      '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"n"},"spec":{"a":"x\\u003cy","b":1,"f":1.5}}',
    );
  });

  it('strips one-sided metadata, keeping user labels and annotations', () => {
    const key = remoteObjectKey(cluster, 'lc1', 'root:a');
    const stripped = stripMetadata({
      ...cluster,
      metadata: {
        ...cluster.metadata,
        uid: 'u',
        resourceVersion: '1',
        generation: 3,
        creationTimestamp: '2026-01-01T00:00:00Z',
        finalizers: ['syncagent.kcp.io/cleanup'],
        ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'o' }],
        managedFields: [],
        labels: { app: 'db', 'claimed.internal.apis.kcp.io/abc': 'x', ...identificationLabels(key) },
        annotations: {
          note: 'keep',
          'kcp.io/cluster': 'lc1',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'related-resources.syncagent.kcp.io/credentials.0': '{}',
          ...identificationAnnotations(key),
        },
      },
    });
    expect(stripped.metadata).toEqual({
      name: 'kcp',
      namespace: 'default',
      labels: { app: 'db' },
      annotations: { note: 'keep' },
    });
    expect(
      stripMetadata({ metadata: { name: 'a', labels: { 'syncagent.kcp.io/remote-object-cluster': 'x' } } })
        .metadata,
    ).toEqual({ name: 'a' });
  });
});
