/**
 * `pnpm demo`: starts a real kcp (or attaches to KUBELOOM_KCP_KUBECONFIG), runs the smoke scenario and
 * prints what kubeloom sees through the APIExport virtual workspace, then stops kcp.
 */
import { clusterOf } from '@kubeloom/core';
import { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { runSmokeScenario } from './scenario.ts';

const log = (line: string): void => console.log(line);
const started = performance.now();
const kcp = await KcpTestEnvironment.fromEnvironment({ log });
try {
  const result = await runSmokeScenario(kcp, log);
  console.log('');
  console.log(`One LIST on ${result.endpointUrl}/clusters/* returned ${result.listed.length} widgets:`);
  for (const w of result.listed) {
    const workspace = result.consumers.find((c) => c.clusterName === clusterOf(w))?.path ?? '?';
    console.log(
      `  ${w.metadata.namespace}/${w.metadata.name}  kcp.io/cluster=${clusterOf(w)}  (workspace ${workspace})`,
    );
  }
  console.log(
    `The WATCH saw ${result.watched.metadata.namespace}/${result.watched.metadata.name} from ${clusterOf(result.watched)}.`,
  );
  console.log(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
} finally {
  await kcp.stop();
}
