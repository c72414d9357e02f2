import { createHash } from 'node:crypto';
import { type Client, isAlreadyExists } from '@kubeloom/core';
import { getOrUndefined } from '../util/get-or-undefined.ts';
import {
  type APIBinding,
  APIBindingResource,
  type APIExport,
  APIExportResource,
  type APIResourceSchema,
  APIResourceSchemaResource,
} from '@kubeloom/kcp-provider';
import type { APIServiceBinding } from '../api/apiservicebinding.ts';
import type { BoundSchema } from '../api/boundschema.ts';
import {
  controlledByBinding,
  isControlledBy,
  messageOf,
  openApiSchemaOf,
  versionFields,
} from './bound-crd.ts';

/** What became of a bound API in a kcp workspace: ready to sync, still binding, or a condition to report. */
export type BoundApiOutcome =
  | { ok: true; established: boolean }
  | {
      ok: false;
      reason: 'ForeignAPIExport' | 'ForeignAPIBinding' | 'APIBindingFailed' | 'APIExportCreateFailed';
      message: string;
    };

/**
 * The APIResourceSchema of a BoundSchema, named `kb<digest>.<plural>.<group>`: APIResourceSchemas are
 * immutable, so a changed schema gets a new name (the digest of its spec).
 */
export function apiResourceSchemaFromBoundSchema(
  schema: BoundSchema,
  binding: APIServiceBinding,
): APIResourceSchema {
  const spec = schema.spec;
  const arsSpec: APIResourceSchema['spec'] = {
    group: spec.group,
    names: { ...spec.names },
    scope: spec.scope,
    versions: spec.versions.map((v) => ({ ...versionFields(v), schema: openApiSchemaOf(v) })),
    ...(spec.conversion ? { conversion: spec.conversion } : {}),
  };
  const digest = createHash('sha256').update(JSON.stringify(arsSpec)).digest('hex').slice(0, 10);
  return {
    apiVersion: 'apis.kcp.io/v1alpha1',
    kind: 'APIResourceSchema',
    metadata: {
      name: `kb${digest}.${spec.names.plural}.${spec.group}`,
      ownerReferences: controlledByBinding(binding),
    },
    spec: arsSpec,
  };
}

/** The name of the APIExport and APIBinding that serve one bound resource in the workspace. */
export function boundApiName(schema: BoundSchema): string {
  return `kube-bind.${schema.spec.names.plural}.${schema.spec.group}`;
}

/**
 * Serves a bound resource in a consumer kcp workspace without a CRD: an APIResourceSchema from the
 * BoundSchema, an APIExport of it and an APIBinding to that export, all in the workspace and controlled by
 * the APIServiceBinding. kcp refuses a CRD whose resource an APIBinding serves, and workspaces run no
 * pods, so this is how a workspace consumes a bound API the kcp way. A schema change creates a new
 * APIResourceSchema and points the export at it. An APIExport or APIBinding of the same name that the
 * binding does not control is left alone and reported; a binding kcp refuses (e.g. a naming conflict with
 * an API the workspace already has) is reported with kcp's message.
 */
export async function ensureBoundApiBinding(
  consumer: Client,
  schema: BoundSchema,
  binding: APIServiceBinding,
): Promise<BoundApiOutcome> {
  const ars = apiResourceSchemaFromBoundSchema(schema, binding);
  const name = boundApiName(schema);
  try {
    await consumer.create(APIResourceSchemaResource, ars);
  } catch (error) {
    if (!isAlreadyExists(error)) {
      return {
        ok: false,
        reason: 'APIExportCreateFailed',
        message: `cannot create APIResourceSchema ${ars.metadata.name} from BoundSchema ${schema.metadata.name}: ${messageOf(error)}`,
      };
    }
  }
  const resources = [
    {
      name: schema.spec.names.plural,
      group: schema.spec.group,
      schema: ars.metadata.name ?? '',
      storage: { crd: {} },
    },
  ];
  const exported = await getOrUndefined<APIExport>(consumer.get(APIExportResource, name));
  if (!exported) {
    try {
      await consumer.create(APIExportResource, {
        metadata: { name, ownerReferences: controlledByBinding(binding) },
        spec: { resources },
      });
    } catch (error) {
      return {
        ok: false,
        reason: 'APIExportCreateFailed',
        message: `cannot create APIExport ${name} for BoundSchema ${schema.metadata.name}: ${messageOf(error)}`,
      };
    }
  } else if (!isControlledBy(exported, binding.metadata.uid)) {
    return {
      ok: false,
      reason: 'ForeignAPIExport',
      message: `APIExport ${name} already exists in this workspace and is not owned by APIServiceBinding ${binding.metadata.name}; it is left untouched. Delete it or bind another export`,
    };
  } else if (exported.spec?.resources?.[0]?.schema !== ars.metadata.name) {
    await consumer.patch(APIExportResource, name, { spec: { resources } });
  }
  let bound = await getOrUndefined<APIBinding>(consumer.get(APIBindingResource, name));
  if (!bound) {
    bound = await consumer.create(APIBindingResource, {
      metadata: { name, ownerReferences: controlledByBinding(binding) },
      spec: { reference: { export: { name } } },
    });
  } else if (!isControlledBy(bound, binding.metadata.uid)) {
    return {
      ok: false,
      reason: 'ForeignAPIBinding',
      message: `APIBinding ${name} already exists in this workspace and is not owned by APIServiceBinding ${binding.metadata.name}; it is left untouched. Delete it or bind another export`,
    };
  }
  const failed = (bound.status?.conditions ?? []).find(
    (c) => c.status === 'False' && c.severity === 'Error' && c.type !== 'Ready',
  );
  if (failed) {
    return {
      ok: false,
      reason: 'APIBindingFailed',
      message: `kcp cannot bind APIExport ${name} in this workspace (${failed.type}, ${failed.reason ?? 'no reason'}): ${failed.message ?? 'no message'}`,
    };
  }
  const servesCurrent = (bound.status?.boundResources ?? []).some(
    (r) => r.resource === schema.spec.names.plural && r.schema.name === ars.metadata.name,
  );
  return { ok: true, established: bound.status?.phase === 'Bound' && servesCurrent };
}
