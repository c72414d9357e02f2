import { existsSync } from 'node:fs';
import { type KubeConfigLike, ParsedKubeConfig } from './parsed-kube-config.ts';
import { KubeConfigError, describeCause } from './errors.ts';

/** Where to load a kubeconfig from. With no field set, the usual `$KUBECONFIG` → `~/.kube/config` → in-cluster order applies. */
export interface KubeConfigSource {
  /** Path of a kubeconfig file. */
  path?: string;
  /** Kubeconfig YAML or JSON text. */
  text?: string;
  /**
   * An already loaded kubeconfig: client-node's `KubeConfig` (e.g. with custom authenticators) or a
   * {@link ParsedKubeConfig}. Its current context is changed if `context` is given.
   */
  kubeConfig?: KubeConfigLike;
  /** Context to use instead of the file's `current-context`. */
  context?: string;
}

/** A KubeConfig together with a human-readable name of where it came from, used in every error message. */
export interface LoadedKubeConfig {
  /** The parsed kubeconfig, positioned at the context to use. */
  kubeConfig: KubeConfigLike;
  /** E.g. `kubeconfig /home/me/.kube/config, context "kind-dev"`. */
  description: string;
}

/**
 * Loads and validates a kubeconfig: the context must exist and point at a defined cluster and user.
 * Errors are {@link KubeConfigError}s that name the file and the context, never a credential.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): LoadedKubeConfig {
  const kc = source.kubeConfig ?? new ParsedKubeConfig();
  let origin: string;
  if (source.kubeConfig) {
    origin = 'kubeconfig (given in memory)';
  } else if (source.text !== undefined) {
    origin = 'kubeconfig (given as text)';
    wrapLoad(origin, () => kc.loadFromString(source.text as string));
  } else if (source.path !== undefined) {
    origin = `kubeconfig ${source.path}`;
    if (!existsSync(source.path)) {
      throw new KubeConfigError(`${origin} does not exist; pass the path of a kubeconfig file`);
    }
    wrapLoad(origin, () => kc.loadFromFile(source.path as string));
  } else {
    origin = process.env.KUBECONFIG
      ? `kubeconfig from $KUBECONFIG (${process.env.KUBECONFIG})`
      : 'default kubeconfig';
    wrapLoad(origin, () => kc.loadFromDefault());
  }
  if (source.context !== undefined) {
    if (!kc.getContextObject(source.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeConfigError(
        `${origin} has no context "${source.context}"; it has ${known.length ? known.map((n) => `"${n}"`).join(', ') : 'no contexts'}`,
      );
    }
    kc.setCurrentContext(source.context);
  }
  const contextName = kc.getCurrentContext();
  const description = `${origin}, context "${contextName}"`;
  const context = kc.getContextObject(contextName);
  // client-node's in-cluster and localhost fallbacks create clusters without a context; accept those.
  if (!context && kc.getContexts().length > 0) {
    throw new KubeConfigError(
      `${origin}: current-context "${contextName}" is not defined; set current-context or pass context`,
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KubeConfigError(
      `${description}: the context names cluster "${context?.cluster ?? ''}", which is not defined in the kubeconfig`,
    );
  }
  if (!cluster.server) {
    throw new KubeConfigError(`${description}: cluster "${cluster.name}" has no server URL`);
  }
  if (!URL.canParse(cluster.server)) {
    throw new KubeConfigError(
      `${description}: cluster "${cluster.name}" has an invalid server URL "${cluster.server}"`,
    );
  }
  if (context && !kc.getCurrentUser()) {
    throw new KubeConfigError(
      `${description}: the context names user "${context.user}", which is not defined`,
    );
  }
  return { kubeConfig: kc, description };
}

function wrapLoad(origin: string, load: () => void): void {
  try {
    load();
  } catch (err) {
    throw new KubeConfigError(`${origin} cannot be read: ${describeCause(err)}`, { cause: err });
  }
}
