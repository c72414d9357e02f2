import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const coreIndex = fileURLToPath(new URL('./index.ts', import.meta.url));

/**
 * Imports @kubeloom/core (its source; Node strips the types) in a fresh Node process with a module
 * loader hook that records every module loaded, optionally runs `then` (a script body with the module
 * as `core`), and returns the loaded URLs.
 */
function modulesLoadedBy(then = ''): string[] {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = [];
    registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
    const core = await import(${JSON.stringify(coreIndex)});
    ${then}
    process.stdout.write(JSON.stringify(loaded));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out) as string[];
}

/** The loaded URLs that match `pattern`, so a failure shows which modules came in. */
function matching(urls: string[], pattern: RegExp): string[] {
  return urls.filter((u) => pattern.test(u));
}

describe('what importing @kubeloom/core costs', () => {
  it("loads only client-node's kubeconfig entry parsers, no undici, only rxjs's Observable and no TLS or HTTP stack", {
    timeout: 60_000,
  }, () => {
    const loaded = modulesLoadedBy();
    // client-node's index and config.js load every generated API class, openid-client, jose, ws, tar-fs…
    expect(matching(loaded, /@kubernetes\/client-node\/dist\/(?!config_types\.js$)/)).toEqual([]);
    expect(
      matching(loaded, /\/(openid-client|jose|ws|tar-fs|socks|socks-proxy-agent|jsonpath-plus|hpagent)\//),
    ).toEqual([]);
    // undici (and with it Node's TLS and HTTP stacks) is loaded when the first connection is made.
    expect(matching(loaded, /\/undici\//)).toEqual([]);
    expect(matching(loaded, /^node:(tls|http2)$/)).toEqual([]);
    // An ES import of node:http builds its namespace, whose lazy getters load Node's own copy of undici.
    expect(matching(loaded, /^node:https?$/)).toEqual([]);
    // rxjs's index loads all of its ~200 operator modules; only the Observable is needed.
    expect(matching(loaded, /\/rxjs\/dist\/(?!cjs\/internal\/)/)).toEqual([]);
  });

  it('reads a kubeconfig with a token and makes requests without loading client-node', {
    timeout: 60_000,
  }, () => {
    const loaded = modulesLoadedBy(`
      const text = JSON.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 'abc' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      });
      const rest = core.RestClient.fromKubeConfig({ text }, { timeoutMs: 2000, retry: false });
      await rest.request({ path: '/version' }).catch(() => {});
      await rest.pool.close();
    `);
    expect(matching(loaded, /@kubernetes\/client-node\/dist\/(?!config_types\.js$)/)).toEqual([]);
    // A JSON kubeconfig is read by JSON.parse: js-yaml (~270 KiB of source held for good) stays unloaded.
    expect(matching(loaded, /\/js-yaml\//)).toEqual([]);
    // The request did go out through undici's Agent, loaded on demand.
    expect(matching(loaded, /\/undici\/lib\/dispatcher\/agent\.js$/)).toHaveLength(1);
    expect(matching(loaded, /\/undici\/index\.js$/)).toEqual([]);
  });

  it("builds a manager's metrics registry and scrapes it without prom-client's index, OpenTelemetry or its push gateway", {
    timeout: 60_000,
  }, () => {
    const loaded = modulesLoadedBy(`
      const registry = core.newMetricsRegistry();
      new core.ManagerMetrics(registry);
      const text = await registry.metrics();
      if (!text.includes('process_cpu_seconds_total') || !text.includes('nodejs_heap_size_used_bytes')) {
        throw new Error('default metrics missing from the scrape');
      }
    `);
    expect(matching(loaded, /\/prom-client\/lib\/registry\.js$/)).toHaveLength(1);
    expect(matching(loaded, /\/prom-client\/index\.js$/)).toEqual([]);
    expect(matching(loaded, /\/@opentelemetry\//)).toEqual([]);
    expect(matching(loaded, /\/prom-client\/lib\/(pushgateway|cluster)\.js$/)).toEqual([]);
  });
});
