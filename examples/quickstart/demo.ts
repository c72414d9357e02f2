/**
 * `./run demo`: starts an embedded kcp (or attaches to KUBELOOM_KCP_KUBECONFIG), creates a provider workspace
 * exporting an API and three consumer workspaces that bind it, runs the quickstart greeter until every
 * consumer's ConfigMap is greeted, prints them, and stops everything.
 */
import { ConfigMapResource, JsonLogger, waitFor } from '@kubeloom/core';
import { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { quickstartManager } from './main.ts';
import { EXPORT_NAME, setUpConsumer, setUpProvider } from './setup.ts';

/** Runs the demo; returns each consumer's greeting by workspace path. */
export async function demo(
  log: (line: string) => void = console.log,
  kcp?: KcpTestEnvironment,
): Promise<Map<string, string>> {
  const started = performance.now();
  const ownKcp = !kcp;
  const env = kcp ?? (await KcpTestEnvironment.fromEnvironment({ log }));
  const controller = new AbortController();
  try {
    const provider = await setUpProvider(env);
    log(`provider workspace ${provider.path} exports ${EXPORT_NAME} (claims configmaps and events)`);
    const consumers = await Promise.all([1, 2, 3].map(() => setUpConsumer(env, provider)));
    for (const c of consumers)
      log(`consumer workspace ${c.path} (${c.clusterName}) bound it and created default/welcome`);

    const manager = quickstartManager(env.clientFor(provider.path), EXPORT_NAME, {
      logger: new JsonLogger({ level: 'warn' }),
    });
    const running = manager.start(controller.signal);
    log('greeter running; waiting for every consumer ConfigMap to be reconciled…');
    const greetings = new Map<string, string>();
    await waitFor(
      async () => {
        for (const c of consumers) {
          const cm = await env.clientFor(c.path).get(ConfigMapResource, 'welcome', { namespace: 'default' });
          if (cm.data?.greeting) greetings.set(c.path, cm.data.greeting);
        }
        return greetings.size === consumers.length;
      },
      { what: 'every consumer ConfigMap to be greeted', timeoutMs: 120_000 },
    );
    log('');
    for (const [path, greeting] of greetings) log(`${path}  default/welcome  greeting="${greeting}"`);
    controller.abort();
    await running;
    log(
      `\nAll ${consumers.length} workspaces reconciled through one watch per resource; done in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    );
    return greetings;
  } finally {
    controller.abort();
    if (ownKcp) await env.stop();
  }
}

if (import.meta.main) await demo();
