import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SharedInformer } from '../cache/shared-informer.ts';
import type { Logger } from '../log/logger.ts';
import { FakeApiServer } from '../testing/fake-api-server.ts';
import { waitFor } from '../util/wait-for.ts';
import type { WatchEvent } from '../watch/watch-event.ts';
import { watchResource } from '../watch/watcher.ts';
import { ConfigMapResource } from './builtins.ts';
import { Client } from './client.ts';
import { KubeConfigError } from './errors.ts';
import { ExecPluginError } from './exec-credential-plugin.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubeloom-exec-plugin-'));
const context = 'kubeconfig (given as text), context "dev"';
const v1 = 'client.authentication.k8s.io/v1';

/** Writes an executable shell script and returns its path. */
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** Shell that appends a line to `runs` (to count plugin runs), then prints an ExecCredential. */
function printsCredential(runs: string, status: Record<string, unknown>, apiVersion = v1): string {
  const credential = JSON.stringify({ apiVersion, kind: 'ExecCredential', status });
  return `echo run >> '${runs}'\ncat <<'EOF'\n${credential}\nEOF`;
}

function runCount(runs: string): number {
  return existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0;
}

function kubeconfig(server: string, exec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { exec: { apiVersion: v1, interactiveMode: 'Never', ...exec } } }],
    contexts: [{ name: 'dev', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'dev',
  });
}

/** A logger that keeps every call, so tests can look for secrets in what was logged. */
function recordingLogger(lines: unknown[]): Logger {
  const log = (level: string) => (obj: object | string, msg?: string) => lines.push({ level, obj, msg });
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (bindings) => {
      lines.push({ child: bindings });
      return logger;
    },
  };
  return logger;
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('exec credential plugins', { timeout: 60_000 }, () => {
  let server: FakeApiServer;
  let runs: string;
  let test = 0;
  beforeAll(async () => {
    server = await FakeApiServer.start({ resources: [ConfigMapResource] });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    runs = join(dir, `runs-${++test}`);
  });

  const clientFor = (
    exec: Record<string, unknown>,
    options: Parameters<typeof Client.fromKubeConfig>[1] = {},
  ) => Client.fromKubeConfig({ text: kubeconfig(server.url, exec) }, options);

  it('runs a plugin with KUBERNETES_EXEC_INFO and caches its token until expiry', async () => {
    const plugin = script(
      'succeeds.sh',
      // Only answers when told the protocol version, as real plugins do.
      `case "$KUBERNETES_EXEC_INFO" in *'"apiVersion":"${v1}"'*'"interactive":false'*) ;; *) echo "bad exec info: $KUBERNETES_EXEC_INFO" >&2; exit 3;; esac\n` +
        printsCredential(runs, { token: server.token, expirationTimestamp: '2999-01-01T00:00:00Z' }),
    );
    const client = clientFor({ command: plugin });
    await client.list(ConfigMapResource);
    await client.list(ConfigMapResource);
    expect(runCount(runs)).toBe(1);
  });

  it('runs the plugin again once its credential expired, even within the refresh interval', async () => {
    const plugin = script(
      'expired.sh',
      printsCredential(runs, { token: server.token, expirationTimestamp: '2000-01-01T00:00:00Z' }),
    );
    // The default refresh interval (60 s) must not keep a credential past its expiry.
    const client = clientFor({ command: plugin });
    await client.list(ConfigMapResource);
    await client.list(ConfigMapResource);
    expect(runCount(runs)).toBe(2);
  });

  it('kills a hanging plugin with its process group, fails the request naming command and timeout, and runs it again next time', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const plugin = script(
      'hangs.sh',
      `echo run >> '${runs}'\nsleep 300 &\necho $! > '${pidFile}'\necho "waiting for browser login" >&2\nsleep 300`,
    );
    const client = clientFor({ command: plugin }, { execPluginTimeoutMs: 1500, timeoutMs: 60_000 });
    const started = performance.now();
    const err = await caught(client.get(ConfigMapResource, 'a', { namespace: 'default' }));
    const elapsedMs = performance.now() - started;
    expect(err).toBeInstanceOf(KubeConfigError);
    expect(err.message).toBe(
      `${context}: could not obtain credentials: exec credential plugin "${plugin}" did not finish within 1500 ms and was killed: waiting for browser login; check that it can run without a terminal (no login prompt), or raise execPluginTimeoutMs`,
    );
    expect(err.cause).toBeInstanceOf(ExecPluginError);
    // Bounded by the plugin's timeout, not the request's 60 s.
    expect(elapsedMs).toBeLessThan(20_000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !isRunning(grandchild), { what: 'the plugin process group to be killed' });

    // Nothing failed is cached: the next request runs the plugin again.
    await caught(client.get(ConfigMapResource, 'a', { namespace: 'default' }));
    expect(runCount(runs)).toBe(2);
    // Once the plugin works again, so do requests, on the same client.
    writeFileSync(plugin, `#!/bin/sh\n${printsCredential(runs, { token: server.token })}\n`);
    await client.list(ConfigMapResource);
    expect(runCount(runs)).toBe(3);
  });

  it('fails a request whose own timeout is shorter than the plugin’s with an error about the plugin', async () => {
    const plugin = script('slow.sh', `echo run >> '${runs}'\nsleep 300`);
    const client = clientFor({ command: plugin }, { execPluginTimeoutMs: 5_000, timeoutMs: 300 });
    const list = await caught(client.list(ConfigMapResource));
    expect(list.message).toBe(
      `${context}: could not obtain credentials within the request's timeout of 300 ms: exec credential plugin "${plugin}" was still running (it is stopped after execPluginTimeoutMs, 5000 ms); raise timeoutMs above execPluginTimeoutMs, or make the plugin answer faster`,
    );
    // A watch (a streaming request) says the same.
    const watch = await caught(client.rest.stream({ path: '/api/v1/configmaps', query: { watch: true } }));
    expect(watch.message).toBe(list.message);
    // Both waited for the one run in flight.
    await waitFor(() => runCount(runs) > 0, { what: 'the plugin to start' });
    expect(runCount(runs)).toBe(1);
  });

  it('shows a failing plugin’s stderr with secrets redacted, in the error and in logs', async () => {
    const secrets = [
      '1//0gRefreshAbc123',
      'hunter2-Pass',
      's3cr3t-value',
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl',
      'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0MjQyNDI0MjQy',
    ];
    const plugin = script(
      'fails.sh',
      [
        `echo "error: refresh token ${secrets[0]} was revoked" >&2`,
        `echo "tried password: ${secrets[1]} and client secret=${secrets[2]}" >&2`,
        `echo "cached ${secrets[3]} ${secrets[4]}" >&2`,
        'exit 4',
      ].join('\n'),
    );
    const lines: unknown[] = [];
    const client = clientFor(
      { command: plugin, args: ['--token', 'arg-secret-123'] },
      { logger: recordingLogger(lines) },
    );
    const err = await caught(client.list(ConfigMapResource));
    expect(err.message).toBe(
      `${context}: could not obtain credentials: exec credential plugin "${plugin}" exited with code 4: error: refresh token [REDACTED] was revoked\ntried password: [REDACTED] and client secret=[REDACTED]\ncached [REDACTED] [REDACTED]`,
    );
    const everything = `${err.message} ${err.stack ?? ''} ${(err.cause as Error).message} ${JSON.stringify(lines)}`;
    for (const secret of [...secrets, 'arg-secret-123']) expect(everything).not.toContain(secret);
  });

  it('logs what a successful plugin prints on stderr, redacted', async () => {
    const plugin = script(
      'chatty.sh',
      `echo "using refresh token 1//0gChatty987 from cache" >&2\n${printsCredential(runs, { token: server.token })}`,
    );
    const lines: unknown[] = [];
    await clientFor({ command: plugin }, { logger: recordingLogger(lines) }).list(ConfigMapResource);
    expect(lines).toContainEqual({
      level: 'warn',
      obj: { stderr: 'using refresh token [REDACTED] from cache' },
      msg: `exec credential plugin "${plugin}" wrote to stderr`,
    });
    expect(lines).toContainEqual({ child: { execPlugin: plugin } });
    expect(JSON.stringify(lines)).not.toContain('1//0gChatty987');
    expect(JSON.stringify(lines)).not.toContain(server.token);
  });

  it.each([
    [
      'prints no JSON',
      'echo "token: abc"',
      'printed something that is not JSON on stdout; it must print an ExecCredential object',
    ],
    [
      'answers in another apiVersion',
      `echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}}'`,
      `returned kind "ExecCredential", apiVersion "client.authentication.k8s.io/v1beta1"; expected an ExecCredential of ${v1}, the apiVersion the kubeconfig asks for`,
    ],
    [
      'returns a certificate without key',
      `echo '{"apiVersion":"${v1}","kind":"ExecCredential","status":{"clientCertificateData":"x"}}'`,
      'returned clientCertificateData without clientKeyData; both are needed for a client certificate',
    ],
    [
      'returns no credential',
      `echo '{"apiVersion":"${v1}","kind":"ExecCredential","status":{}}'`,
      'returned neither status.token nor a client certificate and key',
    ],
  ])('explains a plugin that %s', async (_what, body, problem) => {
    const plugin = script(`bad-${test}.sh`, body);
    const err = await caught(clientFor({ command: plugin }).list(ConfigMapResource));
    expect(err.message).toBe(
      `${context}: could not obtain credentials: exec credential plugin "${plugin}" ${problem}`,
    );
  });

  it('explains a plugin that is not installed, with its install hint', async () => {
    const err = await caught(
      clientFor({ command: 'kubeloom-no-such-plugin', installHint: 'Install it with: brew install x' }).list(
        ConfigMapResource,
      ),
    );
    expect(err.message).toBe(
      `${context}: could not obtain credentials: exec credential plugin "kubeloom-no-such-plugin" could not be started: ENOENT spawn kubeloom-no-such-plugin ENOENT; Install it with: brew install x`,
    );
  });

  it('rejects an unsupported apiVersion and interactiveMode Always before running anything', async () => {
    const plugin = script('never-run.sh', `echo run >> '${runs}'`);
    const old = await caught(
      clientFor({ command: plugin, apiVersion: 'client.authentication.k8s.io/v1alpha1' }).list(
        ConfigMapResource,
      ),
    );
    expect(old.message).toBe(
      `${context}: could not obtain credentials: exec credential plugin "${plugin}" uses apiVersion "client.authentication.k8s.io/v1alpha1"; set users[].user.exec.apiVersion to one of ${v1}, client.authentication.k8s.io/v1beta1`,
    );
    const interactive = await caught(
      clientFor({ command: plugin, interactiveMode: 'Always' }).list(ConfigMapResource),
    );
    expect(interactive.message).toBe(
      `${context}: could not obtain credentials: exec credential plugin "${plugin}" requires an interactive terminal (interactiveMode: Always), which a controller never has; log in beforehand or use a non-interactive credential`,
    );
    expect(runCount(runs)).toBe(0);
  });

  it('reports a hanging plugin to a watcher as an error event and recovers once the plugin works', async () => {
    const plugin = script('hangs-then-works.sh', 'sleep 300');
    const client = clientFor({ command: plugin }, { execPluginTimeoutMs: 300 });
    const events: WatchEvent<{ metadata?: { name?: string } }>[] = [];
    let subscription: Subscription | undefined;
    try {
      subscription = watchResource(client, ConfigMapResource, {
        backoff: { initialMs: 50, maxMs: 200, jitter: 0 },
      }).subscribe((e) => events.push(e));
      await waitFor(() => events.some((e) => e.type === 'error'), { what: 'an error event' });
      const error = events.find((e) => e.type === 'error');
      // The watcher may say which list or watch failed before the credential error itself.
      expect(error && 'error' in error ? error.error.message : '').toContain(
        `${context}: could not obtain credentials: exec credential plugin "${plugin}" did not finish within 300 ms and was killed; check that it can run without a terminal (no login prompt), or raise execPluginTimeoutMs`,
      );
      writeFileSync(plugin, `#!/bin/sh\n${printsCredential(runs, { token: server.token })}\n`);
      await waitFor(() => events.some((e) => e.type === 'initDone'), { what: 'the list after recovery' });
    } finally {
      subscription?.unsubscribe();
    }
  });

  it('tells an informer’s onError about a hanging plugin, and the informer syncs once the plugin works', async () => {
    const plugin = script('informer-plugin.sh', 'sleep 300');
    const client = clientFor({ command: plugin }, { execPluginTimeoutMs: 300 });
    const errors: string[] = [];
    const informer = new SharedInformer(client, ConfigMapResource, {
      backoff: { initialMs: 50, maxMs: 200 },
      onError: (err) => errors.push(err.message),
    });
    try {
      informer.start();
      await waitFor(() => errors.length > 0, { what: 'onError to be called' });
      expect(errors[0]).toContain(
        `${context}: could not obtain credentials: exec credential plugin "${plugin}" did not finish within 300 ms and was killed`,
      );
      writeFileSync(plugin, `#!/bin/sh\n${printsCredential(runs, { token: server.token })}\n`);
      await informer.waitForSync();
      expect(runCount(runs)).toBe(1);
    } finally {
      informer.stop();
    }
  });
});
