import {
  type Client,
  type Controller,
  ControllerBuilder,
  type ControllerOptions,
  isAlreadyExists,
  isNotFound,
} from '@kubeloom/core';
import { APIServiceExportResource } from '../api/apiserviceexport.ts';
import { APIServiceNamespaceResource } from '../api/apiservicenamespace.ts';
import {
  type APIServiceExportRequest,
  APIServiceExportRequestResource,
} from '../api/apiserviceexportrequest.ts';
import { BoundSchemaResource } from '../api/boundschema.ts';
import { boundSchemaFromApiResourceSchema } from './bound-schema-from-ars.ts';
import { type CatalogueResource, readCatalogue, readSchema } from './catalogue.ts';
import { ensureExportRbac, exportGrantOf } from './consumer-rbac.ts';

/**
 * The backend's APIServiceExportRequest controller: for a Pending request it finds each requested resource
 * among the APIs the backend workspace has bound, creates the APIServiceExport of the same name, a
 * BoundSchema per resource (from its APIResourceSchema) owned by the export, and the konnector's access to
 * those resources (per provider namespace of the consumer when they are all namespaced: informer scope
 * `Namespaced`); then sets the phase to Succeeded. A resource the backend does not offer fails the
 * request with a message naming what it offers. A request that already succeeded is reconciled again
 * (the export and schemas are re-applied), so a backend restart mid-way converges.
 */
export function exportRequestController(
  options: ControllerOptions & { clusters?: 'local' | 'provider' | 'all' } = {},
): Controller {
  const { clusters = 'provider', ...controllerOptions } = options;
  return new ControllerBuilder('kube-bind-backend-exportrequest')
    .for(APIServiceExportRequestResource, { clusters })
    .withOptions({ maxConcurrentReconciles: 2, ...controllerOptions })
    .build(async (req, { cluster }) => {
      const request = cluster.cache.reader(APIServiceExportRequestResource).get(req.name, req.namespace);
      if (!request || request.metadata.deletionTimestamp || request.status?.phase === 'Failed') return;
      const client = cluster.client;
      const offered = (await readCatalogue(client)).flatMap((e) => e.resources);
      const chosen: CatalogueResource[] = [];
      for (const wanted of request.spec.resources) {
        const found = offered.find((o) => o.group === wanted.group && o.resource === wanted.resource);
        if (!found) {
          const names = offered.map((o) => `${o.resource}.${o.group}`).join(', ') || 'none';
          await setPhase(
            client,
            request,
            'Failed',
            `the provider offers no resource ${wanted.resource}.${wanted.group}; it offers: ${names}`,
          );
          return;
        }
        chosen.push(found);
      }
      const schemas = [];
      for (const resource of chosen) schemas.push(await readSchema(client, resource));
      // An export of namespaced resources only is watched per provider namespace of the consumer, so its
      // konnector needs (and gets) access to those namespaces only.
      const informerScope = schemas.every((s) => s.spec.scope === 'Namespaced') ? 'Namespaced' : 'Cluster';
      let exported;
      try {
        exported = await client.create(APIServiceExportResource, {
          metadata: { name: req.name, namespace: req.namespace },
          spec: {
            resources: request.spec.resources,
            ...(request.spec.permissionClaims ? { permissionClaims: request.spec.permissionClaims } : {}),
            informerScope,
            isolation: 'Prefixed',
          },
        });
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        exported = await client.get(APIServiceExportResource, req.name, { namespace: req.namespace });
      }
      const owner = { name: req.name, uid: exported.metadata.uid ?? '' };
      for (const ars of schemas) {
        const schema = boundSchemaFromApiResourceSchema(ars, req.namespace, owner);
        try {
          await client.create(BoundSchemaResource, schema);
        } catch (error) {
          if (!isAlreadyExists(error)) throw error;
          if (request.spec.schemaUpdatePolicy === 'Always') {
            await client.patch(
              BoundSchemaResource,
              schema.metadata.name ?? '',
              { spec: schema.spec },
              { namespace: req.namespace },
            );
          }
        }
      }
      const namespaces = await client.list(APIServiceNamespaceResource, { namespace: req.namespace });
      await ensureExportRbac(
        client,
        req.namespace,
        exportGrantOf(exported),
        namespaces.items.flatMap((n) => (n.status?.namespace ? [n.status.namespace] : [])),
      );
      if (request.status?.phase !== 'Succeeded') await setPhase(client, request, 'Succeeded', '');
    });
}

/** Writes the request's phase and terminal message. */
async function setPhase(
  client: Client,
  request: APIServiceExportRequest,
  phase: 'Succeeded' | 'Failed',
  terminalMessage: string,
): Promise<void> {
  try {
    await client.patch(
      APIServiceExportRequestResource,
      request.metadata.name ?? '',
      { status: { phase, ...(terminalMessage ? { terminalMessage } : {}) } },
      { namespace: request.metadata.namespace ?? '', subresource: 'status' },
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
