import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KubeTestEnvironment } from '@kubeloom/core/testing';
import { demo } from '@kubeloom/example-quickstart/demo';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

describe('./run demo:quickstart', () => {
  it('greets the ConfigMap of each of three consumer workspaces and stops cleanly', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const lines: string[] = [];
    const greetings = await demo((line) => lines.push(line), kcp);
    expect(greetings.size).toBe(3);
    for (const [path, greeting] of greetings) {
      expect(path).toMatch(/^root:quickstart-consumer-/);
      expect(greeting).toMatch(/^Hello from kubeloom, workspace [a-z0-9]+!$/);
    }
    expect(lines.at(-1)).toMatch(/^\nAll 3 workspaces reconciled through one watch per resource; done in/);
  }, 600_000);
});

describe('./run demo (the webshop story)', () => {
  it(
    'runs the whole story on the shared kcp and a cluster of its own, prints the picture and exits 0',
    async () => {
      const kcp = await sharedKcp();
      onTestFinished(() => kcp.stop());
      // The demo attaches to the run's kcp, to one cluster of this test's own as team and compute cluster
      // (the team cluster gets PublishedResources, which the shared kube-apiserver must not see), and to a
      // second as the observability team's cluster (it gets the Postgres CRDs through kube-bind, which the
      // team cluster serves itself, and runs a konnector).
      const [cluster, observability] = await Promise.all([
        KubeTestEnvironment.start({ name: 'webshop-demo', startTimeoutMs: 180_000 }),
        KubeTestEnvironment.start({ name: 'webshop-demo-observability', startTimeoutMs: 180_000 }),
      ]);
      onTestFinished(() => cluster.stop());
      onTestFinished(() => observability.stop());
      const started = Date.now();
      const { code, stdout, stderr } = await runNode(
        [
          webshopDemo,
          '--kcp-kubeconfig',
          kcp.kubeconfigPath,
          '--kubeconfig',
          cluster.kubeconfigPath,
          '--observability-kubeconfig',
          observability.kubeconfigPath,
        ],
        DEMO_MS,
      );
      // The stamped progress lines say where the time went.
      console.log(
        `[demo] webshop demo wall time ${((Date.now() - started) / 1000).toFixed(1)} s\n${stdout
          .split('\n')
          .filter((l) => l.startsWith('['))
          .join('\n')}`,
      );
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.split('\n');
      const prefix = /tenant (root:demo-[a-z0-9]+-)acme: bound/.exec(stdout)?.[1] ?? '(no tenant line)';
      expect(stdout).toContain(`] team cluster and compute cluster: using ${cluster.kubeconfigPath}\n`);
      expect(stdout).toMatch(
        /^\[ *\d+\.\d s\] database team: root:demo-[a-z0-9]+-database-team exports postgresql\.cnpg\.io \(syncagent \+ stand-in CloudNativePG\)$/m,
      );
      expect(stdout).toContain(`] observability cluster: using ${observability.kubeconfigPath}\n`);
      expect(stdout).toMatch(
        /^\[ *\d+\.\d s\] observability team: root:demo-[a-z0-9]+-observability-team exports search\.observability\.kubeloom\.dev \(syncagent \+ stand-in Elastic, observability cluster\)$/m,
      );
      expect(stdout).toMatch(
        /^\[ *\d+\.\d s\] kube-bind backend: http:\/\/127\.0\.0\.1:\d+ offers postgresql\.cnpg\.io from root:demo-[a-z0-9]+-observability-team /m,
      );
      // One composed Postgres per tenant's search instance, Ready on the observability cluster.
      expect(
        stdout.match(
          /\] observability cluster: Postgres Cluster \S+\/shop-search-db-[0-9a-f]{6} for root:demo-\S+'s Elasticsearch \S+ is Ready /g,
        ),
      ).toHaveLength(2);
      expect(stdout).toMatch(
        /^ {2}observability cluster +APIServiceBinding postgresql\.cnpg\.io +Ready=True, CRDs from the backend: .*clusters\.postgresql\.cnpg\.io/m,
      );
      expect(stdout).toMatch(
        /^ {2}team cluster +namespace \S+ +Cluster shop-search-db-[0-9a-f]{6}, .*Cluster shop-search-db-/m,
      );
      expect(lines).toContain('Providers (kcp workspace, APIExport, resources, served by)');
      expect(lines).toContain('Consumers (tenant workspace, bound APIExports)');
      expect(lines).toContain(`Webshop shop of ${prefix}acme: Ready=True, 2/2 replicas available`);
      expect(lines).toContain(`Webshop shop of ${prefix}globex: Ready=True, 1/1 replicas available`);
      expect(stdout).toMatch(
        /compute cluster +namespace \S+ +Deployment shop \(2 available\), Service shop, Secret /,
      );
      expect(lines.at(-3)).toMatch(
        new RegExp(
          `^Both search instances got a Postgres through kube-bind \\(order → Ready on the observability cluster: ${prefix}acme \\d+\\.\\d s, ${prefix}globex \\d+\\.\\d s\\)\\.$`,
        ),
      );
      expect(lines.at(-2)).toMatch(
        new RegExp(
          `^Both shops Ready \\(created → Ready: ${prefix}acme \\d+\\.\\d s, ${prefix}globex \\d+\\.\\d s\\); whole demo \\d+\\.\\d s\\.$`,
        ),
      );
    },
    DEMO_MS + 60_000,
  );

  it('prints its usage for --help and names a bad argument', async () => {
    const help = await runNode([webshopDemo, '--help'], 60_000);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: \.\/run demo \[-- options\]/);
    const bad = await runNode([webshopDemo, '--kubeconfig'], 60_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'demo: --kubeconfig needs a path to a kubeconfig, e.g. --kubeconfig /tmp/admin.kubeconfig\n',
    );
  });
});

/** The webshop demo's entry point. */
const webshopDemo = join(import.meta.dirname, '../../examples/webshop-operator/demo.ts');
/**
 * The whole story on a loaded 2-core machine: a dozen kcp workspaces and bindings, two syncagents, two
 * shops, and the kube-bind side (a backend, a konnector, two composed Postgres Clusters).
 */
const DEMO_MS = 900_000;

/** Runs `node <args>` to its end; its output and exit code. */
function runNode(
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
