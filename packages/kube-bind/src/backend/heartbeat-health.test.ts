import { describe, expect, it } from 'vitest';
import type { ClusterBinding } from '../api/clusterbinding.ts';
import { heartbeatHealth, parseGoDuration } from './heartbeat-health.ts';

const binding = (status: ClusterBinding['status']): ClusterBinding => ({
  metadata: { name: 'cluster', namespace: 'kube-bind-abc' },
  spec: { kubeconfigSecretRef: { name: 'kubeconfig', key: 'kubeconfig' }, providerPrettyName: 'P' },
  ...(status ? { status } : {}),
});
const now = Date.parse('2026-01-01T00:10:00Z');

describe('ClusterBinding health from heartbeats', () => {
  it('parses Go durations', () => {
    expect(parseGoDuration('5m0s')).toBe(300_000);
    expect(parseGoDuration('4s')).toBe(4_000);
    expect(parseGoDuration('1h0m0s')).toBe(3_600_000);
    expect(parseGoDuration('soon')).toBeUndefined();
    expect(parseGoDuration(undefined)).toBeUndefined();
  });

  it('is pending before the first beat, and needs the interval', () => {
    expect(heartbeatHealth(binding(undefined), now)).toMatchObject({
      status: 'False',
      reason: 'FirstHeartbeatPending',
    });
    expect(heartbeatHealth(binding({ lastHeartbeatTime: '2026-01-01T00:09:59Z' }), now)).toMatchObject({
      status: 'False',
      reason: 'HeartbeatIntervalMissing',
    });
  });

  it('is healthy within two intervals, timed out after, and reports a heartbeat from the future', () => {
    expect(
      heartbeatHealth(binding({ lastHeartbeatTime: '2026-01-01T00:05:00Z', heartbeatInterval: '5m0s' }), now),
    ).toEqual({ type: 'Healthy', status: 'True' });
    expect(
      heartbeatHealth(binding({ lastHeartbeatTime: '2026-01-01T00:00:00Z', heartbeatInterval: '4m0s' }), now),
    ).toEqual({
      type: 'Healthy',
      status: 'False',
      severity: 'Error',
      reason: 'HeartbeatTimeout',
      message:
        'no heartbeat since 2026-01-01T00:00:00Z (expected every 4m0s): the konnector is down or cannot reach the provider',
    });
    expect(
      heartbeatHealth(binding({ lastHeartbeatTime: '2026-01-01T00:20:00Z', heartbeatInterval: '5m0s' }), now),
    ).toMatchObject({
      reason: 'HeartbeatTimeDrift',
      message:
        "the last heartbeat (2026-01-01T00:20:00Z) is in the future: the konnector's clock is ahead; check its time synchronisation",
    });
  });
});
