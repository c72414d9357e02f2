/**
 * A tiny controller as a user would write it, compiled and run against the packed tarballs (not the
 * workspace sources): it creates a workspace, caches its ConfigMaps with a SharedInformer and prints
 * what it found as JSON.
 */
import { ConfigMapResource, type ConfigMap, SharedInformer } from '@kubeloom/core';
import { type KcpWorkspace, isWorkspacePath } from '@kubeloom/kcp-provider';
import { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import * as kind from '@kubeloom/kind-provider';

const kubeconfigPath = process.env.KUBELOOM_KCP_KUBECONFIG;
if (!kubeconfigPath) throw new Error('KUBELOOM_KCP_KUBECONFIG is not set');
const kcp = await KcpTestEnvironment.attach({ kubeconfigPath });
// A new workspace is ready in seconds, but a busy kcp can take minutes.
const ws: KcpWorkspace = await kcp.createWorkspace({ generateName: 'pack-', timeoutMs: 180_000 });
const client = kcp.clientFor(ws.path);
const created: ConfigMap = await client.create(ConfigMapResource, {
  metadata: { name: 'hello', namespace: 'default' },
  data: { from: 'tarball' },
});

const informer = new SharedInformer(client, ConfigMapResource);
informer.start();
await informer.waitForSync({ timeoutMs: 30_000 });
const cached = informer.scoped(ws.clusterName).get('hello', 'default');
informer.stop();

console.log(
  JSON.stringify({
    workspaceIsPath: isWorkspacePath(ws.path),
    createdUid: created.metadata?.uid,
    cachedUid: cached?.metadata?.uid,
    cachedData: cached?.data,
    kindExports: Object.keys(kind).length,
  }),
);
