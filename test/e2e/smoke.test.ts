import { clusterOf } from '@kubeloom/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runSmokeScenario } from '@kubeloom/example-smoke/scenario';
import { sharedKcp } from './kcp.ts';

describe('smoke: one wildcard list+watch through an APIExport virtual workspace', () => {
  it("sees both consumers' objects, each tagged with its own kcp.io/cluster, and later changes", async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const result = await runSmokeScenario(kcp);
    const [a, b] = result.consumers;
    expect(a && b).toBeTruthy();

    expect(result.endpointUrl).toMatch(/\/services\/apiexport\/[^/]+\/widgets\.example\.io$/);
    // Same namespace/name in both workspaces; the annotation tells them apart.
    expect(result.listed.map((w) => `${w.metadata.namespace}/${w.metadata.name}`)).toEqual([
      'default/demo',
      'default/demo',
    ]);
    expect(result.listed.map(clusterOf).toSorted()).toEqual(
      [a?.clusterName ?? '', b?.clusterName ?? ''].toSorted(),
    );
    expect(clusterOf(result.watched)).toBe(a?.clusterName);
    expect(result.watched.spec?.size).toBe(3);
  });
});
