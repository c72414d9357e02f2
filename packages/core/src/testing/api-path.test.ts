import { describe, expect, it } from 'vitest';
import { parseApiPath, resolveResourceRoute } from './api-path.ts';

describe('parseApiPath', () => {
  it('takes apart core, group and kcp cluster paths', () => {
    expect(parseApiPath('/api/v1/namespaces/a/configmaps/b')).toEqual({
      type: 'resource',
      cluster: '',
      group: '',
      version: 'v1',
      segments: ['namespaces', 'a', 'configmaps', 'b'],
    });
    expect(parseApiPath('/clusters/root:org/apis/apps/v1/deployments')).toMatchObject({
      type: 'resource',
      cluster: 'root:org',
      group: 'apps',
      segments: ['deployments'],
    });
    expect(parseApiPath('/clusters/*/apis')).toMatchObject({
      type: 'discovery',
      cluster: '*',
      group: undefined,
    });
    expect(parseApiPath('/version')).toEqual({ type: 'other', cluster: '', rest: '/version' });
  });
});

const namespaced = (plural: string): boolean | undefined => ({ configmaps: true, namespaces: false })[plural];

describe('resolveResourceRoute', () => {
  it('tells namespaced URLs from the namespaces resource itself', () => {
    expect(resolveResourceRoute(['namespaces', 'a', 'configmaps', 'b', 'status'], namespaced)).toEqual({
      plural: 'configmaps',
      namespace: 'a',
      name: 'b',
      subresource: 'status',
    });
    expect(resolveResourceRoute(['namespaces', 'a', 'status'], namespaced)).toEqual({
      plural: 'namespaces',
      namespace: undefined,
      name: 'a',
      subresource: 'status',
    });
    expect(resolveResourceRoute(['configmaps'], namespaced)).toMatchObject({
      plural: 'configmaps',
      name: undefined,
    });
    expect(resolveResourceRoute(['a', 'b', 'c', 'd'], namespaced)).toBeUndefined();
  });
});
