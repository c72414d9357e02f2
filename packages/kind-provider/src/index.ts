/**
 * kubeloom's kind provider: every kind cluster on this machine (optionally those with a name prefix) as a
 * kubeloom cluster, engaged when it appears, re-engaged when it is recreated and disengaged when deleted.
 *
 * @packageDocumentation
 */
export * from './api-server-probe.ts';
export * from './kind-cli.ts';
export * from './kind-provider.ts';
