/**
 * The shop on the compute cluster: a namespace per tenant namespace, the credentials Secret, the Deployment
 * whose environment refers to it, and a Service. Pure: the same Webshop and credentials give the same
 * objects, which are server-side applied as they are.
 */
import type { ClusterName, Deployment, Namespace, Secret, Service } from '@kubeloom/core';
import { effectiveSpec, type Webshop } from '../api/webshop.ts';
import { credentialsDigest } from './credentials.ts';
import {
  CREDENTIALS_DIGEST_ANNOTATION,
  computeNames,
  SOURCE_CLUSTER_ANNOTATION,
  SOURCE_OBJECT_ANNOTATION,
  TENANT_LABEL,
} from './names.ts';

/** The port the shop container listens on; the Service exposes it as port 80. */
export const SHOP_PORT = 8080;

/** The compute cluster objects of one Webshop. */
export interface ComputeObjects {
  namespace: Namespace;
  credentials: Secret;
  deployment: Deployment;
  service: Service;
}

/** Where the Webshop lives: the tenant's name in the manager and its logical cluster name. */
export interface TenantRef {
  /** The manager's name of the tenant cluster, e.g. `kcp#2x9kq1…`, written into annotations to map back. */
  cluster: ClusterName;
  /** The tenant's logical cluster name, e.g. `2x9kq1…`. */
  logicalCluster: string;
}

/**
 * The objects that run `webshop` of `tenant` on the compute cluster, with `credentials` (environment
 * variable → base64 value) as the workload's Secret; the environment lists every key of it.
 */
export function desiredComputeObjects(
  webshop: Webshop,
  tenant: TenantRef,
  credentials: Record<string, string>,
): ComputeObjects {
  const name = webshop.metadata?.name ?? '';
  const sourceNamespace = webshop.metadata?.namespace ?? '';
  const names = computeNames(tenant.logicalCluster, sourceNamespace, name);
  const spec = effectiveSpec(webshop);
  const selector = { 'app.kubernetes.io/name': 'webshop', 'app.kubernetes.io/instance': name };
  const labels = {
    ...selector,
    'app.kubernetes.io/managed-by': 'webshop-operator',
    [TENANT_LABEL]: tenant.logicalCluster,
  };
  const metadata = (objectName: string) => ({
    name: objectName,
    namespace: names.namespace,
    labels,
    annotations: {
      [SOURCE_CLUSTER_ANNOTATION]: tenant.cluster,
      [SOURCE_OBJECT_ANNOTATION]: `${sourceNamespace}/${name}`,
    },
  });
  const env = Object.keys(credentials)
    .toSorted()
    .map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: names.credentialsSecret, key } } }));
  return {
    namespace: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: names.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'webshop-operator', [TENANT_LABEL]: tenant.logicalCluster },
      },
    },
    credentials: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(names.credentialsSecret),
      type: 'Opaque',
      data: { ...credentials },
    },
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(names.workload),
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: selector,
            annotations: { [CREDENTIALS_DIGEST_ANNOTATION]: credentialsDigest(credentials) },
          },
          spec: {
            containers: [
              {
                name: 'shop',
                image: spec.image,
                ports: [{ name: 'http', containerPort: SHOP_PORT }],
                env,
              },
            ],
          },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(names.workload),
      spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
  };
}
