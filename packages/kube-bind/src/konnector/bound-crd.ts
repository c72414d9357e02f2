import {
  type Client,
  type CustomResourceDefinition,
  CustomResourceDefinitionResource,
  type KubeObject,
  isNotFound,
} from '@kubeloom/core';
import type { APIServiceBinding } from '../api/apiservicebinding.ts';
import type { BoundSchema, BoundSchemaVersion } from '../api/boundschema.ts';
import { KUBE_BIND_API_VERSION } from '../api/group.ts';
import { contains } from './contains.ts';

/**
 * The controller reference to the APIServiceBinding that the objects serving a bound resource on the
 * consumer carry (a CRD, or an APIResourceSchema, APIExport and APIBinding): deleting the binding lets the
 * garbage collector remove them.
 */
export function controlledByBinding(
  binding: APIServiceBinding,
): NonNullable<NonNullable<KubeObject['metadata']>['ownerReferences']> {
  return [
    {
      apiVersion: KUBE_BIND_API_VERSION,
      kind: 'APIServiceBinding',
      name: binding.metadata.name ?? '',
      uid: binding.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

/** A BoundSchema version's fields that a CRD or APIResourceSchema version takes as they are (all but the schema). */
export function versionFields(v: BoundSchemaVersion): Omit<BoundSchemaVersion, 'schema'> {
  return {
    name: v.name,
    served: v.served,
    storage: v.storage,
    ...(v.deprecated !== undefined ? { deprecated: v.deprecated } : {}),
    ...(v.deprecationWarning ? { deprecationWarning: v.deprecationWarning } : {}),
    ...(v.subresources ? { subresources: v.subresources } : {}),
    ...(v.additionalPrinterColumns ? { additionalPrinterColumns: v.additionalPrinterColumns } : {}),
  };
}

/** A version's OpenAPI schema; a version without one accepts any object. */
export function openApiSchemaOf(v: BoundSchemaVersion): Record<string, unknown> {
  return v.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
}

/** The consumer CRD a BoundSchema describes, controlled by the binding (deleting the binding lets GC remove it). */
export function crdFromBoundSchema(
  schema: BoundSchema,
  binding: APIServiceBinding,
): CustomResourceDefinition {
  const spec = schema.spec;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${spec.names.plural}.${spec.group}`,
      ownerReferences: controlledByBinding(binding),
    },
    spec: {
      group: spec.group,
      names: { ...spec.names },
      scope: spec.scope,
      versions: spec.versions.map((v) => ({
        ...versionFields(v),
        schema: { openAPIV3Schema: openApiSchemaOf(v) },
      })),
      ...(spec.conversion ? { conversion: spec.conversion } : {}),
    } as CustomResourceDefinition['spec'],
  };
}

/** What became of a bound CRD: the binding's condition reason and message when it could not be installed. */
export type BoundCrdOutcome =
  | { ok: true; established: boolean; crd: CustomResourceDefinition }
  | {
      ok: false;
      reason:
        | 'ForeignCustomResourceDefinition'
        | 'CustomResourceDefinitionCreateFailed'
        | 'CustomResourceDefinitionUpdateFailed';
      message: string;
    };

/** Whether `object` (a CRD, APIExport, ...) is controlled by the binding with this uid. */
export function isControlledBy(object: KubeObject, bindingUid: string | undefined): boolean {
  return (object.metadata?.ownerReferences ?? []).some(
    (o) => o.controller === true && o.kind === 'APIServiceBinding' && o.uid === bindingUid,
  );
}

/**
 * Creates the bound CRD, or updates it when this binding controls it. A CRD of the same name that the
 * binding does not control is left alone and reported: the konnector never takes over a CRD. Every failed
 * write is reported with the API server's message, never dropped.
 */
export async function ensureBoundCrd(
  consumer: Client,
  schema: BoundSchema,
  binding: APIServiceBinding,
): Promise<BoundCrdOutcome> {
  const desired = crdFromBoundSchema(schema, binding);
  const name = desired.metadata?.name ?? '';
  let existing: CustomResourceDefinition | undefined;
  try {
    existing = await consumer.get(CustomResourceDefinitionResource, name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  if (!existing) {
    try {
      const crd = await consumer.create(CustomResourceDefinitionResource, desired);
      return { ok: true, established: isEstablished(crd), crd };
    } catch (error) {
      return {
        ok: false,
        reason: 'CustomResourceDefinitionCreateFailed',
        message: `cannot create CustomResourceDefinition ${name} from BoundSchema ${schema.metadata.name}: ${messageOf(error)}`,
      };
    }
  }
  if (!isControlledBy(existing, binding.metadata.uid)) {
    return {
      ok: false,
      reason: 'ForeignCustomResourceDefinition',
      message: `CustomResourceDefinition ${name} already exists and is not owned by APIServiceBinding ${binding.metadata.name}; it is left untouched. Delete it (and its objects) or bind another export`,
    };
  }
  if (!contains(existing.spec, desired.spec)) {
    try {
      const crd = await consumer.update(CustomResourceDefinitionResource, {
        ...existing,
        spec: { ...existing.spec, ...desired.spec },
      });
      return { ok: true, established: isEstablished(crd), crd };
    } catch (error) {
      return {
        ok: false,
        reason: 'CustomResourceDefinitionUpdateFailed',
        message: `cannot update CustomResourceDefinition ${name} from BoundSchema ${schema.metadata.name}: ${messageOf(error)}`,
      };
    }
  }
  return { ok: true, established: isEstablished(existing), crd: existing };
}

/** Whether the API server serves the CRD's resource yet. */
function isEstablished(crd: CustomResourceDefinition): boolean {
  return (crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
}

/** An error's message, for a condition. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
