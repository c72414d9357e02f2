/**
 * The syncagent's PublishedResource options beyond the workshop, on real kcp and a kube-apiserver of this
 * file's own (it creates PublishedResources, which the shared service cluster's agent would pick up):
 * `enableWorkspacePaths`, and bad input — each mistake is reported on its PublishedResource (a condition and
 * a Warning event naming the field), the valid PublishedResource keeps syncing, and nothing is deleted.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  type Client,
  type CustomResourceDefinition,
  EventResource,
  type KubeObject,
  NamespaceResource,
  applyManifests,
  defineResource,
  parseManifests,
  waitFor,
} from '@kubeloom/core';
import { KubeTestEnvironment, installCrds } from '@kubeloom/core/testing';
import { APIExportResource, type KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';
import { PublishedResourceResource } from '@kubeloom/example-syncagent/published-resource';
import { type SyncAgent, createSyncAgent } from '@kubeloom/example-syncagent/sync-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKcp } from './kcp.ts';
import { untilExists } from './object-presence.ts';
import { bindConsumerWorkspace, createWorkspaceRetrying } from './syncagent-consumer.ts';
import { quietLogger } from './syncagent-logger.ts';
import { widgetCrd } from './syncagent-crds.ts';

const EXPORT = 'widgets.e2e.kubeloom.dev';
const AGENT = 'syncagent-config';
const SLOW_MS = 180_000;
const TEST_MS = 300_000;
const deploy = join(import.meta.dirname, '../../examples/syncagent/deploy');

const WidgetResource = defineResource<KubeObject & { spec?: { size?: number } }>({
  group: 'e2e.kubeloom.dev',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
});

/** A second kind to publish, for the PublishedResource whose related entry names nothing served. */
const sprocketCrd = {
  ...widgetCrd,
  metadata: { name: 'sprockets.e2e.kubeloom.dev' },
  spec: {
    ...widgetCrd.spec,
    names: { kind: 'Sprocket', plural: 'sprockets', singular: 'sprocket', listKind: 'SprocketList' },
  },
} as CustomResourceDefinition;

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

describe('syncagent: workspace paths, and bad PublishedResources reported on themselves', () => {
  let kcp: KcpTestEnvironment;
  let kube: KubeTestEnvironment;
  let service: Client;
  let provider: KcpWorkspace;
  let consumer: KcpWorkspace;
  let agent: SyncAgent;
  const stop = new AbortController();
  let run: Promise<void>;
  const warnings: string[] = [];

  const conditionsOf = async (name: string): Promise<Condition[]> =>
    ((await service.get(PublishedResourceResource, name)).status as { conditions?: Condition[] } | undefined)
      ?.conditions ?? [];

  /** Waits for a condition of `type` on PublishedResource `name`, then for the Warning event of `reason`. */
  async function reported(name: string, expected: Required<Condition>): Promise<void> {
    await waitFor(
      async () =>
        (await conditionsOf(name)).some(
          (c) =>
            c.type === expected.type &&
            c.status === expected.status &&
            c.reason === expected.reason &&
            c.message === expected.message,
        ),
      { what: `condition ${expected.type} on PublishedResource ${name}`, timeoutMs: SLOW_MS },
    );
    await waitFor(
      async () =>
        (await service.list(EventResource, { namespace: 'default' })).items.some(
          (e) =>
            e.involvedObject?.name === name &&
            e.type === 'Warning' &&
            e.reason === expected.reason &&
            e.message === expected.message,
        ),
      { what: `Warning event ${expected.reason} on PublishedResource ${name}`, timeoutMs: 60_000 },
    );
  }

  beforeAll(async () => {
    kcp = await sharedKcp();
    kube = await KubeTestEnvironment.start({
      name: 'syncagent-config',
      controllerManager: false,
      startTimeoutMs: 120_000,
    });
    service = kube.client;
    await installCrds(service, [widgetCrd, sprocketCrd, join(deploy, 'publishedresource-crd.yaml')]);
    await service.create(NamespaceResource, { metadata: { name: 'syncagent' } });
    provider = await createWorkspaceRetrying(kcp, 'syncagent-config-', SLOW_MS);
    await kcp.createApiExport({ workspace: provider.path, name: EXPORT, schemas: [], timeoutMs: SLOW_MS });
    await applyManifests(
      service,
      await parseManifests(`
apiVersion: syncagent.kcp.io/v1alpha1
kind: PublishedResource
metadata:
  name: publish-widgets
spec:
  resource: {apiGroup: e2e.kubeloom.dev, kind: Widget, versions: [v1]}
  enableWorkspacePaths: true
  naming:
    namespace: "{{ .ClusterName }}"
    name: "{{ .Object.metadata.name }}-{{ .ClusterPath | sha1sum | trunc 10 }}"
`),
      { fieldManager: 'e2e' },
    );
    agent = await createSyncAgent({
      service,
      kcp: kcp.clientFor(provider.path),
      apiExportRef: EXPORT,
      namespace: 'syncagent',
      agentName: AGENT,
      logger: quietLogger([], warnings),
      staleWorkspaceGraceMs: 0,
    });
    run = agent.start(stop.signal);
    // The export must claim logicalclusters before the consumer binds, so that the binding accepts it.
    const exporter = kcp.clientFor(provider.path);
    await waitFor(
      async () =>
        (await exporter.get(APIExportResource, EXPORT)).spec?.permissionClaims?.some(
          (c) => c.group === 'core.kcp.io' && c.resource === 'logicalclusters',
        ) === true && ((await exporter.get(APIExportResource, EXPORT)).spec?.resources ?? []).length === 1,
      { what: 'the Widget schema and the logicalclusters claim in the APIExport', timeoutMs: SLOW_MS },
    );
    consumer = await bindConsumerWorkspace(kcp, {
      generateName: 'syncagent-config-consumer-',
      exportPath: provider.path,
      exportName: EXPORT,
      served: WidgetResource,
      timeoutMs: SLOW_MS,
    });
  }, 600_000);

  afterAll(async () => {
    stop.abort();
    await run?.catch(() => {});
    await kube?.stop();
  });

  /** The copy's name: `.ClusterPath` rendered through the naming template. */
  const copyName = (name: string): string =>
    `${name}-${createHash('sha1').update(consumer.path).digest('hex').slice(0, 10)}`;

  it(
    'enableWorkspacePaths: .ClusterPath renders in naming, the copy carries the workspace path annotation; events on the kcp object',
    async () => {
      await kcp.clientFor(consumer.path).create(WidgetResource, {
        apiVersion: 'e2e.kubeloom.dev/v1',
        kind: 'Widget',
        metadata: { name: 'w', namespace: 'default' },
        spec: { size: 1 },
      });
      const name = copyName('w');
      const copy = await untilExists(service, WidgetResource, name, consumer.clusterName, {
        what: `Widget ${consumer.clusterName}/${name} on the service cluster`,
        timeoutMs: SLOW_MS,
      });
      expect(copy.metadata?.annotations).toMatchObject({
        'syncagent.kcp.io/remote-object-name': 'w',
        'syncagent.kcp.io/remote-object-namespace': 'default',
        'syncagent.kcp.io/remote-object-workspace-path': consumer.path,
      });
      expect(copy.spec).toEqual({ size: 1 });
      // Events on the kcp object, as upstream posts them (the binding accepted the events claim).
      const consumerClient = kcp.clientFor(consumer.path);
      await waitFor(
        async () => {
          const events = (await consumerClient.list(EventResource, { namespace: 'default' })).items.filter(
            (e) => e.involvedObject?.name === 'w' && e.involvedObject.kind === 'Widget',
          );
          return ['ObjectAccepted', 'ObjectPlaced'].every((reason) =>
            events.some(
              (e) =>
                e.reason === reason &&
                e.message ===
                  (reason === 'ObjectAccepted'
                    ? `accepted by sync agent ${AGENT}`
                    : `placed the copy ${consumer.clusterName}/${name} on the service cluster`),
            ),
          );
        },
        { what: 'the ObjectAccepted and ObjectPlaced events on the Widget in kcp', timeoutMs: 60_000 },
      );
    },
    TEST_MS,
  );

  it(
    'reports an unknown kind, a CEL expression that does not compile and a related resource that is not served, keeps syncing the valid one, deletes nothing',
    async () => {
      await applyManifests(
        service,
        await parseManifests(`
apiVersion: syncagent.kcp.io/v1alpha1
kind: PublishedResource
metadata:
  name: publish-gadgets
spec:
  resource: {apiGroup: e2e.kubeloom.dev, kind: Gadget, versions: [v1]}
---
apiVersion: syncagent.kcp.io/v1alpha1
kind: PublishedResource
metadata:
  name: publish-bad-cel
spec:
  resource: {apiGroup: e2e.kubeloom.dev, kind: Gadget, versions: [v1]}
  mutation:
    spec:
      - cel: {path: spec.size, expression: "value +"}
---
apiVersion: syncagent.kcp.io/v1alpha1
kind: PublishedResource
metadata:
  name: publish-sprockets
spec:
  resource: {apiGroup: e2e.kubeloom.dev, kind: Sprocket, versions: [v1]}
  related:
    - identifier: manual
      origin: service
      group: e2e.kubeloom.dev
      version: v1
      resource: frobnicators
      object:
        reference: {path: metadata.name}
`),
        { fieldManager: 'e2e' },
      );
      await reported('publish-gadgets', {
        type: 'Ready',
        status: 'False',
        reason: 'CRDNotFound',
        message:
          'no CustomResourceDefinition for kind Gadget in group e2e.kubeloom.dev on the service cluster; install it, or fix spec.resource',
      });
      await reported('publish-bad-cel', {
        type: 'Ready',
        status: 'False',
        reason: 'InvalidSpec',
        message:
          'PublishedResource publish-bad-cel is invalid and is not synced (fix the fields named here): spec.mutation.spec[0].cel.expression: does not compile: <input>:1:7: found + but expecting end of input',
      });
      const notServed =
        'spec.related[0] ("manual"): the service cluster does not serve frobnicators in e2e.kubeloom.dev/v1; this PublishedResource is not synced until it is (install the CRD, or fix the entry)';
      await reported('publish-sprockets', {
        type: 'RelatedResourceNotServed',
        status: 'True',
        reason: 'RelatedResourceNotServed',
        message: notServed,
      });
      expect(warnings).toContain(notServed);
      // Its schema is published all the same; only its sync waits.
      expect(await conditionsOf('publish-sprockets')).toContainEqual(
        expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Published' }),
      );
      expect(agent.syncing()).toEqual(['publish-widgets']);

      // The valid PublishedResource keeps syncing, and its copy was never touched by the mistakes.
      await kcp
        .clientFor(consumer.path)
        .patch(WidgetResource, 'w', { spec: { size: 2 } }, { namespace: 'default' });
      await waitFor(
        async () =>
          (await service.get(WidgetResource, copyName('w'), { namespace: consumer.clusterName })).spec
            ?.size === 2,
        { what: 'the edited Widget on the service cluster', timeoutMs: SLOW_MS },
      );
      expect((await service.list(WidgetResource)).items.map((w) => w.metadata?.name)).toEqual([
        copyName('w'),
      ]);

      // Fixing the entry clears the condition and starts the sync.
      await service.patch(PublishedResourceResource, 'publish-sprockets', { spec: { related: null } });
      await waitFor(
        async () =>
          agent.syncing().includes('publish-sprockets') &&
          !(await conditionsOf('publish-sprockets')).some((c) => c.type === 'RelatedResourceNotServed'),
        {
          what: 'publish-sprockets syncing, its RelatedResourceNotServed condition gone',
          timeoutMs: SLOW_MS,
        },
      );
    },
    TEST_MS,
  );
});
