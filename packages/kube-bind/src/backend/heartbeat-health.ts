import type { ClusterBinding } from '../api/clusterbinding.ts';
import type { ConditionUpdate } from '../api/conditions.ts';

/** How far in the future a heartbeat may be (clock skew) before it counts as drift. */
const allowedDriftMs = 30_000;

/** Parses a Go duration such as `5m0s`, `4s` or `1h0m0s` into milliseconds; undefined when it is not one. */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!match || text === '') return undefined;
  const [, h = '0', m = '0', s = '0'] = match;
  const ms = (Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000;
  return ms > 0 ? ms : undefined;
}

/**
 * The ClusterBinding's `Healthy` condition from the konnector's heartbeat, as kube-bind's backend judges it:
 * no heartbeat yet, no interval, a heartbeat older than two intervals, or one from the future.
 */
export function heartbeatHealth(binding: ClusterBinding, now: number): ConditionUpdate {
  const last = binding.status?.lastHeartbeatTime;
  if (!last) {
    return {
      type: 'Healthy',
      status: 'False',
      severity: 'Warning',
      reason: 'FirstHeartbeatPending',
      message: 'waiting for the first heartbeat of the konnector',
    };
  }
  const interval = parseGoDuration(binding.status?.heartbeatInterval);
  if (!interval) {
    return {
      type: 'Healthy',
      status: 'False',
      severity: 'Warning',
      reason: 'HeartbeatIntervalMissing',
      message: 'the konnector did not report its heartbeat interval',
    };
  }
  const at = Date.parse(last);
  if (at - now > allowedDriftMs) {
    return {
      type: 'Healthy',
      status: 'False',
      severity: 'Warning',
      reason: 'HeartbeatTimeDrift',
      message: `the last heartbeat (${last}) is in the future: the konnector's clock is ahead; check its time synchronisation`,
    };
  }
  if (now - at > 2 * interval) {
    return {
      type: 'Healthy',
      status: 'False',
      severity: 'Error',
      reason: 'HeartbeatTimeout',
      message: `no heartbeat since ${last} (expected every ${binding.status?.heartbeatInterval}): the konnector is down or cannot reach the provider`,
    };
  }
  return { type: 'Healthy', status: 'True' };
}
