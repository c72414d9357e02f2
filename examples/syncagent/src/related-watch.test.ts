import { type KubeObject, parseLabelSelector } from '@kubeloom/core';
import { describe, expect, it } from 'vitest';
import type { RelatedResourceSpec } from './published-resource.ts';
import {
  type LocalPrimaries,
  kcpPrimariesOfRelatedObject,
  primariesOfRelatedObject,
} from './related-watch.ts';

const copy = (
  name: string,
  uid: string,
  labels: Record<string, string> = {},
  agent = 'agent',
): KubeObject => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: {
    name,
    namespace: 'ws1',
    uid,
    labels: {
      ...labels,
      'syncagent.kcp.io/agent-name': agent,
      'syncagent.kcp.io/remote-object-cluster': 'ws1',
    },
    annotations: {
      'syncagent.kcp.io/remote-object-name': name,
      'syncagent.kcp.io/remote-object-namespace': 'default',
    },
  },
});
const copies = [
  copy('a', 'uid-a', { tier: 'gold' }),
  copy('b', 'uid-b'),
  copy('c', 'uid-c', { tier: 'gold' }, 'other'),
];
const primaries: LocalPrimaries = {
  kind: 'Cluster',
  agentName: 'agent',
  list: (namespace, labelSelector) =>
    copies.filter(
      (c) =>
        c.metadata?.namespace === namespace &&
        (!labelSelector || parseLabelSelector(labelSelector).matches(c.metadata?.labels)),
    ),
};
const entry = (watch: RelatedResourceSpec['watch']): RelatedResourceSpec => ({
  identifier: 'app',
  origin: 'service',
  kind: 'Secret',
  object: {},
  ...(watch ? { watch } : {}),
});
const secret = (ownerUids: string[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'a-app',
    namespace: 'ws1',
    ownerReferences: ownerUids.map((uid) => ({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      name: 'x',
      uid,
    })),
  },
});

describe('primariesOfRelatedObject', () => {
  it('byOwner: the copy named by uid in the owner references, as its kcp object', () => {
    expect(primariesOfRelatedObject(entry({ byOwner: {} }), secret(['uid-a']), primaries)).toEqual([
      { cluster: 'ws1', namespace: 'default', name: 'a' },
    ]);
  });

  it("bySelector: every matching copy of this agent in the object's namespace", () => {
    expect(
      primariesOfRelatedObject(entry({ bySelector: { matchLabels: { tier: 'gold' } } }), secret(), primaries),
    ).toEqual([{ cluster: 'ws1', namespace: 'default', name: 'a' }]);
    expect(
      primariesOfRelatedObject(entry({ bySelector: {} }), secret(), primaries).map((r) => r.name),
    ).toEqual(['a', 'b']);
  });

  it('nothing without a watch rule', () => {
    expect(primariesOfRelatedObject(entry(undefined), secret(['uid-a']), primaries)).toEqual([]);
  });
});

describe('kcpPrimariesOfRelatedObject', () => {
  // In kcp the primaries are the consumer's own objects, in the related object's namespace of its workspace.
  const kcpPrimaries = {
    kind: 'Cluster',
    list: (namespace: string, labelSelector?: string) => primaries.list(namespace, labelSelector),
  };

  it('byOwner: the primary named by uid in the owner references, in the same workspace', () => {
    expect(
      kcpPrimariesOfRelatedObject(entry({ byOwner: {} }), secret(['uid-b', 'uid-z']), kcpPrimaries),
    ).toEqual([{ namespace: 'ws1', name: 'b' }]);
  });

  it('bySelector: every matching primary, of any agent (kcp objects carry no agent label)', () => {
    expect(
      kcpPrimariesOfRelatedObject(
        entry({ bySelector: { matchLabels: { tier: 'gold' } } }),
        secret(),
        kcpPrimaries,
      ).map((r) => r.name),
    ).toEqual(['a', 'c']);
    expect(kcpPrimariesOfRelatedObject(entry(undefined), secret(), kcpPrimaries)).toEqual([]);
  });
});
