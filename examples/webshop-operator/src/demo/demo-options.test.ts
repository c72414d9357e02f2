import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoArguments } from './demo-options.ts';

describe('parseDemoArguments', () => {
  it('reads every flag, with the value separate or after =', () => {
    expect(parseDemoArguments([])).toEqual({ keepRunning: false });
    expect(
      parseDemoArguments(['--keep-running', '--kcp-kubeconfig', '/k/kcp', '--kubeconfig=/k/kube']),
    ).toEqual({ keepRunning: true, kcpKubeconfig: '/k/kcp', kubeconfig: '/k/kube' });
    expect(parseDemoArguments(['--', '--keep-running'])).toEqual({ keepRunning: true });
    expect(parseDemoArguments(['--kubeconfig', '/k/a', '--observability-kubeconfig=/k/b'])).toEqual({
      keepRunning: false,
      kubeconfig: '/k/a',
      observabilityKubeconfig: '/k/b',
    });
  });

  it('returns undefined for --help', () => {
    expect(parseDemoArguments(['--keep-running', '--help'])).toBeUndefined();
  });

  it('names the argument it cannot use and what to do', () => {
    expect(() => parseDemoArguments(['--kubeconfig'])).toThrow(
      new DemoUsageError(
        '--kubeconfig needs a path to a kubeconfig, e.g. --kubeconfig /tmp/admin.kubeconfig',
      ),
    );
    expect(() => parseDemoArguments(['--kcp-kubeconfig', '--keep-running'])).toThrow(
      '--kcp-kubeconfig needs a path to a kubeconfig, e.g. --kcp-kubeconfig /tmp/admin.kubeconfig',
    );
    expect(() => parseDemoArguments(['--fast'])).toThrow('unknown argument "--fast"; see --help');
    expect(() => parseDemoArguments(['--kubeconfig', '/k/a', '--observability-kubeconfig', '/k/a'])).toThrow(
      '--observability-kubeconfig must name another cluster than --kubeconfig',
    );
  });
});
