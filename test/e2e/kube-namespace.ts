import { NamespaceResource } from '@kubeloom/core';
import type { KubeTestEnvironment } from '@kubeloom/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { sharedKube } from './kube.ts';

/** The shared kube-apiserver as one test file sees it: attached, with a namespace of the file's own. */
export interface KubeNamespace {
  /** The attached kube-apiserver; set before the file's tests run. */
  readonly kube: KubeTestEnvironment;
  /** The file's namespace, `<prefix>-<time>`. */
  readonly namespace: string;
}

/**
 * Attaches to the run's shared kube-apiserver before the file's tests and creates a fresh namespace there;
 * deletes the namespace and detaches after them. Call it at the top level of a test file.
 */
export function kubeNamespaceForFile(prefix: string): KubeNamespace {
  const namespace = `${prefix}-${Date.now().toString(36)}`;
  let kube: KubeTestEnvironment | undefined;
  beforeAll(async () => {
    kube = await sharedKube();
    await kube.client.create(NamespaceResource, { metadata: { name: namespace } });
  });
  afterAll(async () => {
    await kube?.client.delete(NamespaceResource, namespace).catch(() => undefined);
    await kube?.stop();
  });
  return {
    namespace,
    get kube() {
      if (!kube) throw new Error('kubeNamespaceForFile: the shared kube-apiserver is attached in beforeAll');
      return kube;
    },
  };
}
