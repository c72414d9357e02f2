import { randomBytes } from 'node:crypto';
import {
  type Client,
  CustomResourceDefinitionResource,
  NamespaceResource,
  SecretResource,
  isNotFound,
  waitFor,
} from '@kubeloom/core';
import { APIServiceBindingResource } from '../api/apiservicebinding.ts';
import { APIServiceExportRequestResource } from '../api/apiserviceexportrequest.ts';
import { installKubeBindCrds } from '../api/install-crds.ts';
import { PROVIDER_KUBECONFIG_LABEL } from '../api/labels.ts';
import { isControlledBy } from '../konnector/bound-crd.ts';
import { providerClient, readProviderKubeconfig } from '../konnector/provider-kubeconfig.ts';
import { BackendCallError, BackendClient, type OpenLoginPage } from './backend-client.ts';
import { checkExistingBinding } from './existing-binding.ts';
import { createIfMissing } from '../util/create-if-missing.ts';

/** What `kubeloom bind` needs. */
export interface BindExportOptions {
  /** The kube-bind backend's URL. */
  readonly backendUrl: string;
  /** The consumer cluster (where the binding, its Secret and the CRDs go). */
  readonly consumer: Client;
  /** Which export to bind; may be left out when the backend offers exactly one. */
  readonly exportName?: string;
  /** Shows the login page to the user. */
  readonly openLoginPage: OpenLoginPage;
  /** Progress lines for the user. */
  readonly log?: (line: string) => void;
  /** How long to wait for the backend to accept the request. Default 10 minutes. */
  readonly requestTimeoutMs?: number;
  /** Where the kubeconfig Secret goes. Default `kube-bind`. */
  readonly secretNamespace?: string;
}

/** What was bound. */
export interface BoundExport {
  readonly bindingName: string;
  readonly secret: { readonly namespace: string; readonly name: string };
  readonly providerNamespace: string;
}

/**
 * kube-bind's `kubectl bind`: logs in to the backend, picks the export, checks that no CRD of the same name
 * exists that a binding does not own, asks the backend for a kubeconfig, stores it in a Secret, creates the
 * APIServiceExportRequest on the provider, waits until the backend has accepted it, and creates the
 * APIServiceBinding the konnector acts on. Every failure says what to do; nothing already bound is changed
 * except the reused kubeconfig Secret of the same provider namespace, which gets the fresh kubeconfig.
 */
export async function bindExport(options: BindExportOptions): Promise<BoundExport> {
  const log = options.log ?? (() => {});
  const backend = new BackendClient(options.backendUrl);
  const provider = await backend.provider();
  log(`Logging in to ${provider.providerPrettyName} at ${backend.url} ...`);
  await backend.login(options.openLoginPage);
  const templates = (await backend.templates()).items;
  const names = templates.map((t) => t.metadata.name);
  const exportName = options.exportName ?? (names.length === 1 ? names[0] : undefined);
  if (!exportName) {
    throw new BackendCallError(
      names.length === 0
        ? `${provider.providerPrettyName} offers nothing to bind yet`
        : `${provider.providerPrettyName} offers several exports (${names.join(', ')}); name one: kubeloom bind ${backend.url} <export>`,
    );
  }
  const template = templates.find((t) => t.metadata.name === exportName);
  if (!template) {
    throw new BackendCallError(
      `${provider.providerPrettyName} offers no export named ${exportName}; it offers: ${names.join(', ') || 'none'}`,
    );
  }
  await refuseForeignCrds(options.consumer, exportName, template.spec.resources);
  const identity = await clusterIdentity(options.consumer);
  const response = await backend.bind(exportName, identity);
  const kubeconfig = Buffer.from(response.kubeconfig, 'base64').toString('utf8');
  const namespace = options.secretNamespace ?? 'kube-bind';
  const handedOut = readProviderKubeconfig(
    { data: { kubeconfig: response.kubeconfig } },
    { namespace, name: '', key: 'kubeconfig' },
  );
  if (!handedOut.ok) {
    throw new BackendCallError(`the backend handed out an unusable kubeconfig: ${handedOut.message}`);
  }
  for (const request of response.requests) {
    const conflict = await checkExistingBinding(
      options.consumer,
      request.metadata.name ?? exportName,
      handedOut.kubeconfig,
    );
    if (conflict) throw new BackendCallError(conflict);
  }
  const secret = await storeKubeconfig(options.consumer, namespace, kubeconfig);
  log(`Stored the provider kubeconfig in Secret ${namespace}/${secret}.`);
  const read = readProviderKubeconfig(await options.consumer.get(SecretResource, secret, { namespace }), {
    namespace,
    name: secret,
    key: 'kubeconfig',
  });
  if (!read.ok) throw new BackendCallError(`the backend handed out an unusable kubeconfig: ${read.message}`);
  const providerApi = providerClient(read.kubeconfig);
  try {
    for (const request of response.requests) {
      const name = request.metadata.name ?? exportName;
      await createIfMissing(() =>
        providerApi.create(APIServiceExportRequestResource, {
          ...request,
          metadata: { name, namespace: response.providerNamespace },
        }),
      );
      log(
        `Created APIServiceExportRequest ${response.providerNamespace}/${name}; waiting for the provider to accept it ...`,
      );
      await waitForRequest(
        providerApi,
        response.providerNamespace,
        name,
        options.requestTimeoutMs ?? 600_000,
      );
      await installKubeBindCrds(options.consumer, 'consumer');
      await createIfMissing(() =>
        options.consumer.create(APIServiceBindingResource, {
          metadata: { name },
          spec: { kubeconfigSecretRef: { namespace, name: secret, key: 'kubeconfig' } },
        }),
      );
      log(
        `Created APIServiceBinding ${name}; the konnector now installs its CRDs (kubectl get apiservicebinding ${name}).`,
      );
    }
  } finally {
    await providerApi.rest.pool.close();
  }
  return {
    bindingName: response.requests[0]?.metadata.name ?? exportName,
    secret: { namespace, name: secret },
    providerNamespace: response.providerNamespace,
  };
}

/** Refuses, before anything is created, to bind a resource whose CRD exists and is not this binding's. */
async function refuseForeignCrds(
  consumer: Client,
  bindingName: string,
  resources: ReadonlyArray<{ group: string; resource: string }>,
): Promise<void> {
  let binding;
  try {
    binding = await consumer.get(APIServiceBindingResource, bindingName);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  for (const r of resources) {
    const name = `${r.resource}.${r.group}`;
    try {
      const crd = await consumer.get(CustomResourceDefinitionResource, name);
      if (!binding || !isControlledBy(crd, binding.metadata.uid)) {
        throw new BackendCallError(
          `CustomResourceDefinition ${name} already exists on this cluster and is not owned by APIServiceBinding ${bindingName}; nothing was bound. Delete the CRD (and its objects) or bind another export`,
        );
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** The consumer cluster's identity for the backend: the UID of its kube-system namespace (of `default` where there is none). */
async function clusterIdentity(consumer: Client): Promise<string> {
  for (const name of ['kube-system', 'default']) {
    try {
      const ns = await consumer.get(NamespaceResource, name);
      if (ns.metadata?.uid) return ns.metadata.uid;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  throw new BackendCallError(
    'this cluster has neither a kube-system nor a default namespace to identify it by',
  );
}

/**
 * Stores the kubeconfig in a Secret labelled as a provider kubeconfig: the one already holding a kubeconfig
 * for the same server and provider namespace is reused (and updated), so bindings to one provider share it.
 */
async function storeKubeconfig(consumer: Client, namespace: string, kubeconfig: string): Promise<string> {
  await createIfMissing(() => consumer.create(NamespaceResource, { metadata: { name: namespace } }));
  const wanted = readProviderKubeconfig(
    { data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') } },
    { namespace, name: '', key: 'kubeconfig' },
  );
  const data = { kubeconfig: Buffer.from(kubeconfig).toString('base64') };
  const existing = await consumer.list(SecretResource, {
    namespace,
    labelSelector: `${PROVIDER_KUBECONFIG_LABEL}=true`,
  });
  for (const secret of existing.items) {
    const read = readProviderKubeconfig(secret, {
      namespace,
      name: secret.metadata?.name ?? '',
      key: 'kubeconfig',
    });
    if (
      read.ok &&
      wanted.ok &&
      read.kubeconfig.server === wanted.kubeconfig.server &&
      read.kubeconfig.clusterNamespace === wanted.kubeconfig.clusterNamespace
    ) {
      const name = secret.metadata?.name ?? '';
      await consumer.patch(SecretResource, name, { data }, { namespace });
      return name;
    }
  }
  const name = `kubeconfig-${randomBytes(3).toString('hex')}`;
  await consumer.create(SecretResource, {
    metadata: { name, namespace, labels: { [PROVIDER_KUBECONFIG_LABEL]: 'true' } },
    data,
  });
  return name;
}

/** Waits until the backend has accepted the request; a failed or deleted request is an error with the backend's reason. */
async function waitForRequest(
  provider: Client,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  let phase = 'Pending';
  await waitFor(
    async () => {
      let request;
      try {
        request = await provider.get(APIServiceExportRequestResource, name, { namespace });
      } catch (error) {
        if (isNotFound(error))
          throw new BackendCallError(
            `APIServiceExportRequest ${namespace}/${name} was deleted on the provider before it was accepted; run kubeloom bind again`,
          );
        throw error;
      }
      phase = request.status?.phase ?? 'Pending';
      if (phase === 'Failed') {
        throw new BackendCallError(
          `the provider refused APIServiceExportRequest ${namespace}/${name}: ${request.status?.terminalMessage ?? 'no reason given'}`,
        );
      }
      return phase === 'Succeeded';
    },
    {
      what: `the provider to accept APIServiceExportRequest ${namespace}/${name}`,
      timeoutMs,
      intervalMs: 1_000,
      describe: () => `phase ${phase}`,
      retryOn: (error) => !(error instanceof BackendCallError),
    },
  );
}
