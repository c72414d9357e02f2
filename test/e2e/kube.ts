import { inject } from 'vitest';
import { KubeTestEnvironment } from '@kubeloom/core/testing';

/** The run's shared kube-apiserver (started by global-setup.ts), attached from this test worker. */
export function sharedKube(): Promise<KubeTestEnvironment> {
  return KubeTestEnvironment.attach(inject('kube'));
}
