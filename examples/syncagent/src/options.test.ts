import { describe, expect, it } from 'vitest';
import { OptionsError, parseCommandLine, usage } from './options.ts';

const base = [
  '--kcp-kubeconfig',
  'kcp.kubeconfig',
  '--namespace',
  'kube-system',
  '--apiexportendpointslice-ref',
  'postgresql.cnpg.io',
];

function options(argv: string[]) {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'run') throw new Error('expected options');
  return parsed.options;
}

function problem(argv: string[]): string {
  let caught: unknown;
  try {
    parseCommandLine(argv);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(OptionsError);
  const error = caught as OptionsError;
  expect(error.message).toBe(`${error.problem}\n\n${usage()}`);
  return error.problem;
}

describe('parseCommandLine', () => {
  it('applies upstream defaults', () => {
    const o = options(base);
    expect(o).toMatchObject({
      kcpKubeconfig: 'kcp.kubeconfig',
      namespace: 'kube-system',
      apiExportEndpointSliceRef: 'postgresql.cnpg.io',
      agentName: 'postgresql.cnpg.io-syncagent',
      publishedResourceSelector: '',
      enableLeaderElection: false,
      metricsAddress: '127.0.0.1:8085',
      healthAddress: '',
      disabledControllers: [],
      logFormat: 'json',
      logDebug: false,
    });
    expect(o.kubeconfig).toBeUndefined();
    expect(o.publishedResourceLabelSelector.matches({ any: 'thing' })).toBe(true);
  });

  it("accepts the command line upstream's e2e tests run the agent with (Go flag spellings)", () => {
    const o = options([
      '--agent-name',
      'agent-1',
      '--apiexportendpointslice-ref',
      'export',
      '--enable-leader-election=false',
      '--kubeconfig',
      '/tmp/envtest.kubeconfig',
      '--kcp-kubeconfig',
      '/tmp/kcp.kubeconfig',
      '--namespace',
      'kube-system',
      '--log-format',
      'Console',
      '--log-debug=true',
      '--health-address',
      '0',
      '--metrics-address',
      '0',
      '-published-resource-selector=env in (prod),!legacy',
      '--disabled-controllers',
      'sync,apiexport',
      '--disabled-controllers=sync',
    ]);
    expect(o).toMatchObject({
      agentName: 'agent-1',
      kubeconfig: '/tmp/envtest.kubeconfig',
      logFormat: 'console',
      logDebug: true,
      enableLeaderElection: false,
      healthAddress: '0',
      metricsAddress: '0',
      disabledControllers: ['sync', 'apiexport'],
      publishedResourceSelector: 'env in (prod),!legacy',
    });
    expect(o.publishedResourceLabelSelector.matches({ env: 'prod' })).toBe(true);
    expect(o.publishedResourceLabelSelector.matches({ env: 'prod', legacy: 'x' })).toBe(false);
  });

  it("accepts the workshop's v0.2 command line (--apiexport-ref)", () => {
    const o = options([
      '--apiexport-ref',
      'postgresql.cnpg.io',
      '--kcp-kubeconfig',
      'kubeconfigs/sync-agent.kubeconfig',
      '--namespace',
      'default',
    ]);
    expect(o).toMatchObject({
      apiExportRef: 'postgresql.cnpg.io',
      agentName: 'postgresql.cnpg.io-syncagent',
    });
    expect(o.apiExportEndpointSliceRef).toBeUndefined();
  });

  it('prints help', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', usage: usage() });
    expect(usage()).toContain('  --kcp-kubeconfig <value>\n      kubeconfig of the kcp workspace');
  });

  it('says exactly what is wrong', () => {
    expect(problem(['--namespace', 'x', '--apiexportendpointslice-ref', 'e'])).toBe(
      'missing required flag --kcp-kubeconfig',
    );
    expect(problem(['--kcp-kubeconfig', 'k', '--apiexportendpointslice-ref', 'e'])).toBe(
      'missing required flag --namespace',
    );
    expect(problem(['--kcp-kubeconfig', 'k', '--namespace', 'x'])).toBe(
      'missing required flag --apiexportendpointslice-ref (or the deprecated --apiexport-ref for kcp < 0.28)',
    );
    expect(problem([...base, '--apiexport-ref', 'e'])).toBe(
      'use either --apiexportendpointslice-ref or the deprecated --apiexport-ref, not both',
    );
    expect(problem([...base, '--unknown-flag=1'])).toBe('unknown flag --unknown-flag');
    expect(problem([...base, '-v'])).toBe('unknown flag --v');
    expect(problem([...base, 'extra'])).toBe('unexpected argument "extra" (all settings are --flags)');
    expect(problem([...base, '--namespace'])).toBe('flag --namespace needs a value');
    expect(problem([...base, '--namespace='])).toBe('flag --namespace must not be empty');
    expect(problem([...base, '--log-debug=maybe'])).toBe('--log-debug takes true or false, not "maybe"');
    expect(problem([...base, '--log-format', 'xml'])).toBe(
      '--log-format "xml" is not supported (use json or console)',
    );
    expect(problem([...base, '--agent-name', 'Agent_1'])).toBe(
      '--agent-name "Agent_1" is not a valid DNS-1035 label (lowercase letters, digits and "-", starting with a letter, at most 63 characters)',
    );
    expect(problem([...base, '--published-resource-selector', 'a in b'])).toBe(
      '--published-resource-selector: invalid label selector "a in b": cannot parse "a in b" (use key=value, key!=value, key in (a,b), key notin (a,b), key or !key)',
    );
    expect(problem([...base, '--disabled-controllers', 'sync,webhooks'])).toBe(
      '--disabled-controllers: unknown controller "webhooks" (known: apiexport, apiresourceschema, sync)',
    );
    expect(problem([...base, '--metrics-address', 'localhost'])).toBe(
      '--metrics-address "localhost" is not an address; use host:port (e.g. 127.0.0.1:8085 or :8085), or "0" to disable',
    );
  });

  it('reads the sharding flags, with defaults, and rejects bad ones naming the flag', () => {
    expect(options(base).sharding).toBeUndefined();
    expect(options([...base, '--enable-sharding']).sharding).toEqual({
      buckets: 64,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    });
    expect(
      options([
        ...base,
        '--enable-sharding',
        '--shard-identity=syncagent-7d9f-x2',
        '--shard-buckets=128',
        '--shard-lease-duration=1m30s',
        '--shard-renew-deadline',
        '4.5s',
        '--shard-retry-period=500ms',
      ]).sharding,
    ).toEqual({
      identity: 'syncagent-7d9f-x2',
      buckets: 128,
      leaseDurationMs: 90_000,
      renewDeadlineMs: 4_500,
      retryPeriodMs: 500,
    });
    expect(problem([...base, '--shard-buckets=8'])).toBe('--shard-buckets needs --enable-sharding');
    expect(problem([...base, '--enable-sharding', '--shard-buckets=0'])).toBe(
      '--shard-buckets "0" is not a whole number from 1 to 1000',
    );
    expect(problem([...base, '--enable-sharding', '--shard-lease-duration=15'])).toBe(
      '--shard-lease-duration "15" is not a duration; use e.g. 15s, 500ms or 1m30s',
    );
    expect(problem([...base, '--enable-sharding', '--shard-renew-deadline=20s'])).toBe(
      'sharding timings must satisfy --shard-retry-period < --shard-renew-deadline < --shard-lease-duration (got 2s < 20s < 15s)',
    );
    expect(problem([...base, '--enable-sharding', '--shard-identity=Pod_1'])).toBe(
      '--shard-identity "Pod_1" cannot be part of a Lease name (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)',
    );
  });
});
