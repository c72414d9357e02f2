/**
 * A consumer cluster's side of kube-bind: the konnector running against it, and the `kubeloom bind` flow
 * (log in at the backend, pick the export, store the provider kubeconfig, request the export, create the
 * APIServiceBinding), after which the konnector installs the export's CRDs there.
 */
import {
  type Client,
  CustomResourceDefinitionResource,
  type Logger,
  isNotFound,
  silentLogger,
  waitFor,
} from '@kubeloom/core';
import { Konnector, bindExport } from '@kubeloom/kube-bind';
import { type RunningManager, runInBackground } from './background-manager.ts';
import type { KubeBindBackend } from './kube-bind-backend.ts';

/** Options for {@link bindThroughKubeBind}. */
export interface KubeBindConsumerOptions {
  /** The consumer cluster. */
  cluster: Client;
  backend: KubeBindBackend;
  /** The export to bind (an APIBinding name of the backend's workspace). */
  exportName: string;
  /** The CRDs the binding brings (`<plural>.<group>`), waited for until established. */
  crds: readonly string[];
  /** Who logs in at the backend's identity provider. */
  user: string;
  timeoutMs: number;
  logger?: Logger;
  /** `kubeloom bind`'s progress lines. */
  log?: (line: string) => void;
}

/** The running konnector, and what was bound. */
export interface KubeBindConsumer extends RunningManager {
  /** The APIServiceBinding on the consumer cluster. */
  readonly bindingName: string;
  /** The consumer's cluster namespace in the backend's workspace. */
  readonly providerNamespace: string;
}

/**
 * Starts the konnector on the consumer cluster, binds the export through the backend (the user's browser
 * is the identity provider's scripted one) and waits until the konnector has installed the bound CRDs.
 */
export async function bindThroughKubeBind(options: KubeBindConsumerOptions): Promise<KubeBindConsumer> {
  const konnector = runInBackground(
    new Konnector({ consumer: options.cluster, logger: options.logger ?? silentLogger }),
  );
  try {
    const bound = await bindExport({
      backendUrl: options.backend.url,
      consumer: options.cluster,
      exportName: options.exportName,
      openLoginPage: (url) => options.backend.identityProvider.signIn(url, options.user),
      requestTimeoutMs: options.timeoutMs,
      ...(options.log ? { log: options.log } : {}),
    });
    for (const crd of options.crds) {
      await waitFor(
        async () => {
          try {
            const found = await options.cluster.get(CustomResourceDefinitionResource, crd);
            return (found.status?.conditions ?? []).some(
              (c) => c.type === 'Established' && c.status === 'True',
            );
          } catch (error) {
            if (isNotFound(error)) return false;
            throw error;
          }
        },
        {
          what: `the konnector to install CustomResourceDefinition ${crd} (APIServiceBinding ${bound.bindingName})`,
          timeoutMs: options.timeoutMs,
        },
      );
    }
    return { ...konnector, bindingName: bound.bindingName, providerNamespace: bound.providerNamespace };
  } catch (error) {
    await konnector.stop().catch(() => {});
    throw error;
  }
}
