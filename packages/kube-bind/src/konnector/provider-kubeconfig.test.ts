import { describe, expect, it } from 'vitest';
import { readProviderKubeconfig } from './provider-kubeconfig.ts';

const ref = { namespace: 'kube-bind', name: 'kubeconfig-abc', key: 'kubeconfig' };
const kubeconfig = (namespace?: string): string => `apiVersion: v1
kind: Config
clusters: [{name: p, cluster: {server: "https://provider.example:6443"}}]
users: [{name: u, user: {token: "s3cr3t-token"}}]
contexts: [{name: c, context: {cluster: p, user: u${namespace ? `, namespace: ${namespace}` : ''}}}]
current-context: c
`;
const secret = (text: string) => ({
  metadata: { name: ref.name, namespace: ref.namespace },
  data: { kubeconfig: Buffer.from(text).toString('base64') },
});

describe('reading the provider kubeconfig from the binding’s Secret', () => {
  it('takes the cluster namespace from the current context', () => {
    const read = readProviderKubeconfig(secret(kubeconfig('kube-bind-abc')), ref);
    expect(read.ok && read.kubeconfig.clusterNamespace).toBe('kube-bind-abc');
    expect(read.ok && read.kubeconfig.server).toBe('https://provider.example:6443');
  });

  it('says what is wrong, and never shows the credentials', () => {
    expect(readProviderKubeconfig(undefined, ref)).toEqual({
      ok: false,
      reason: 'KubeconfigSecretNotFound',
      message: `Secret kube-bind/kubeconfig-abc does not exist; create it with the provider's kubeconfig under key "kubeconfig" (kubeloom bind does this)`,
    });
    expect(readProviderKubeconfig({ metadata: {}, data: {} }, ref)).toMatchObject({
      reason: 'KubeconfigSecretInvalid',
      message: `Secret kube-bind/kubeconfig-abc has no key "kubeconfig"; put the provider's kubeconfig there`,
    });
    const noNamespace = readProviderKubeconfig(secret(kubeconfig()), ref);
    expect(noNamespace).toMatchObject({
      reason: 'KubeconfigSecretInvalid',
      message: `Secret kube-bind/kubeconfig-abc key "kubeconfig": the current context "c" sets no namespace; it must name the provider namespace of this consumer`,
    });
    expect(JSON.stringify(noNamespace)).not.toContain('s3cr3t-token');
  });
});
