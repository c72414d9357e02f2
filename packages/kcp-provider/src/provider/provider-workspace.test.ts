import { describe, expect, it } from 'vitest';
import { providerWorkspace } from './provider-workspace.ts';

describe('providerWorkspace', () => {
  it('reads the workspace path from the server URL', () => {
    expect(providerWorkspace('https://kcp:6443/clusters/root:org:p/', 'P', 'x')).toEqual({
      path: 'root:org:p',
      url: 'https://kcp:6443/clusters/root:org:p',
    });
  });

  it('rejects a server URL without /clusters/<workspace>, saying what to point it at', () => {
    expect(() =>
      providerWorkspace('https://kcp:6443', 'APIExportProvider', 'APIExportEndpointSlice "w"'),
    ).toThrow(
      'APIExportProvider: the server URL https://kcp:6443 does not name a workspace; point the kubeconfig (or client) at the workspace that holds APIExportEndpointSlice "w", e.g. https://kcp:6443/clusters/root:my-provider',
    );
    expect(() => providerWorkspace('https://kcp:6443/clusters/*', 'P', 'x')).toThrow(
      'P: the server URL https://kcp:6443/clusters/* does not name a workspace; point the kubeconfig (or client) at the workspace that holds x, e.g. https://kcp:6443/clusters/root:my-provider',
    );
  });
});
