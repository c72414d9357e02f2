import { createHash } from 'node:crypto';
import { Client, ParsedKubeConfig, type Secret } from '@kubeloom/core';

/** A provider kubeconfig read from a consumer Secret, ready to connect with. */
export interface ProviderKubeconfig {
  /** The kubeconfig text. Never logged. */
  readonly text: string;
  /** The provider "cluster namespace": the current context's namespace. */
  readonly clusterNamespace: string;
  /** The provider API server URL (no credentials), for messages. */
  readonly server: string;
  /** A digest of the text: bindings whose Secrets hold the same kubeconfig share one connection. */
  readonly digest: string;
}

/** Why a Secret does not hold a usable provider kubeconfig (the binding's `SecretValid` reason). */
export type KubeconfigProblemReason = 'KubeconfigSecretNotFound' | 'KubeconfigSecretInvalid';

/** The Secret's kubeconfig, or the reason and message to report on the binding. */
export type ProviderKubeconfigResult =
  | { ok: true; kubeconfig: ProviderKubeconfig }
  | { ok: false; reason: KubeconfigProblemReason; message: string };

/**
 * Reads the provider kubeconfig under `key` of `secret` (undefined: the Secret does not exist). The current
 * context must name a namespace: that is where the provider keeps this consumer's kube-bind objects.
 */
export function readProviderKubeconfig(
  secret: Secret | undefined,
  ref: { namespace: string; name: string; key: string },
): ProviderKubeconfigResult {
  const where = `Secret ${ref.namespace}/${ref.name}`;
  if (!secret) {
    return {
      ok: false,
      reason: 'KubeconfigSecretNotFound',
      message: `${where} does not exist; create it with the provider's kubeconfig under key "${ref.key}" (kubeloom bind does this)`,
    };
  }
  const encoded = secret.data?.[ref.key];
  const text =
    encoded !== undefined ? Buffer.from(encoded, 'base64').toString('utf8') : secret.stringData?.[ref.key];
  if (!text) {
    return {
      ok: false,
      reason: 'KubeconfigSecretInvalid',
      message: `${where} has no key "${ref.key}"; put the provider's kubeconfig there`,
    };
  }
  const parsed = new ParsedKubeConfig();
  try {
    parsed.loadFromString(text);
  } catch {
    return {
      ok: false,
      reason: 'KubeconfigSecretInvalid',
      message: `${where} key "${ref.key}" is not a kubeconfig (it does not parse as YAML or JSON); replace it with the provider's kubeconfig`,
    };
  }
  const contextName = parsed.getCurrentContext();
  const context = contextName ? parsed.getContextObject(contextName) : null;
  const cluster = parsed.getCurrentCluster();
  if (!context || !cluster) {
    return {
      ok: false,
      reason: 'KubeconfigSecretInvalid',
      message: `${where} key "${ref.key}": the kubeconfig has no usable current context; the provider's kubeconfig names one`,
    };
  }
  if (!context.namespace) {
    return {
      ok: false,
      reason: 'KubeconfigSecretInvalid',
      message: `${where} key "${ref.key}": the current context "${contextName}" sets no namespace; it must name the provider namespace of this consumer`,
    };
  }
  return {
    ok: true,
    kubeconfig: {
      text,
      clusterNamespace: context.namespace,
      server: cluster.server,
      digest: createHash('sha256').update(text).digest('hex'),
    },
  };
}

/** A client for the provider from its kubeconfig. */
export function providerClient(kubeconfig: ProviderKubeconfig): Client {
  return Client.fromKubeConfig({ text: kubeconfig.text });
}
