import { describe, expect, it } from 'vitest';
import type { APIServiceBinding } from '../api/apiservicebinding.ts';
import { existingBindingConflict } from './existing-binding.ts';

/** A Secret holding a provider kubeconfig for `server`, whose current context names `namespace`. */
function providerSecret(server: string, namespace: string): { data: Record<string, string> } {
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    `clusters: [{name: p, cluster: {server: "${server}"}}]`,
    'users: [{name: u, user: {token: secret-token-value}}]',
    `contexts: [{name: p, context: {cluster: p, user: u, namespace: ${namespace}}}]`,
    'current-context: p',
  ].join('\n');
  return { data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') } };
}

const binding: APIServiceBinding = {
  apiVersion: 'kube-bind.io/v1alpha2',
  kind: 'APIServiceBinding',
  metadata: { name: 'widgets' },
  spec: { kubeconfigSecretRef: { namespace: 'kube-bind', name: 'kubeconfig-abc123', key: 'kubeconfig' } },
};

describe('existingBindingConflict', () => {
  it('lets a bind through when there is no binding of that name yet', () => {
    expect(
      existingBindingConflict(undefined, undefined, { server: 'https://a', clusterNamespace: 'ns' }),
    ).toBe(undefined);
  });

  it('lets a bind from the same provider through (its Secret is refreshed in place)', () => {
    const secret = providerSecret('https://a.example:6443', 'kube-bind-x1');
    expect(
      existingBindingConflict(binding, secret, {
        server: 'https://a.example:6443',
        clusterNamespace: 'kube-bind-x1',
      }),
    ).toBe(undefined);
  });

  it('refuses a bind from another provider, says where the binding leads and what to do, and shows no token', () => {
    const secret = providerSecret('https://a.example:6443', 'kube-bind-x1');
    const conflict = existingBindingConflict(binding, secret, {
      server: 'https://b.example:6443',
      clusterNamespace: 'kube-bind-y2',
    });
    expect(conflict).toBe(
      "APIServiceBinding widgets already exists and binds through the provider at https://a.example:6443 (namespace kube-bind-x1); a binding's kubeconfig Secret cannot change, so binding it again from the provider at https://b.example:6443 (namespace kube-bind-y2) would not take effect. Bind from the same backend, or delete the binding first (kubectl delete apiservicebinding widgets) and bind again",
    );
    expect(conflict).not.toContain('secret-token-value');
  });

  it('refuses when the binding points at a Secret that is gone, naming it', () => {
    const conflict = existingBindingConflict(binding, undefined, {
      server: 'https://b.example:6443',
      clusterNamespace: 'kube-bind-y2',
    });
    expect(conflict).toMatch(
      /^APIServiceBinding widgets already exists and binds through Secret kube-bind\/kubeconfig-abc123, which is not usable \(Secret kube-bind\/kubeconfig-abc123 does not exist/,
    );
  });
});
