import { inject } from 'vitest';
import { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';

/** The run's shared kcp (started by global-setup.ts), attached from this test worker. */
export function sharedKcp(): Promise<KcpTestEnvironment> {
  return KcpTestEnvironment.attach(inject('kcp'));
}
