/**
 * A projected CRD → the `apis.kcp.io/v1alpha1` APIResourceSchema kcp serves it from. ARSs are immutable,
 * so each distinct projected spec gets its own name, derived exactly like upstream:
 * `v<first 8 hex of SHA-1(Go JSON of the spec without conversion)>.<plural>.<group>`. A changed CRD thus
 * yields a new ARS, and undoing the change finds the old one again.
 */
import type { APIResourceSchema } from '@kubeloom/kcp-provider';
import type { CustomResourceDefinition } from './crd.ts';
import { goEncodeCrdSpec } from './go-json.ts';
import { sha1Hex } from './hashes.ts';

/** Label and annotation naming the agent that owns an object (upstream's key). */
export const agentNameKey = 'syncagent.kcp.io/agent-name';
/** Annotation recording the service CRD's generation an ARS was made from. */
export const sourceGenerationAnnotation = 'syncagent.kcp.io/source-generation';

/** The immutable ARS name for a projected CRD (upstream's `GetAPIResourceSchemaName`). */
export function apiResourceSchemaName(projected: CustomResourceDefinition): string {
  const { conversion: _ignored, ...spec } = projected.spec;
  const checksum = sha1Hex(goEncodeCrdSpec(spec));
  return `v${checksum.slice(0, 8)}.${projected.spec.names.plural}.${projected.spec.group}`;
}

/**
 * Builds the ARS for a projected CRD, named by {@link apiResourceSchemaName}: group, names, scope and each
 * version's served/storage/deprecation flags, schema, subresources, printer columns and selectable
 * fields; `conversion: None` when there is more than one version; labelled and annotated with the agent
 * name and the CRD generation.
 */
export function toAPIResourceSchema(
  projected: CustomResourceDefinition,
  agentName: string,
): APIResourceSchema {
  const spec = projected.spec;
  const versions = spec.versions.map((v) => ({
    name: v.name,
    served: v.served,
    storage: v.storage,
    ...(v.deprecated ? { deprecated: true } : {}),
    ...(v.deprecationWarning !== undefined ? { deprecationWarning: v.deprecationWarning } : {}),
    schema: structuredClone(v.schema?.openAPIV3Schema ?? {}),
    ...(v.subresources ? { subresources: structuredClone(v.subresources) } : {}),
    ...(v.additionalPrinterColumns?.length
      ? { additionalPrinterColumns: structuredClone(v.additionalPrinterColumns) }
      : {}),
    ...(v.selectableFields?.length ? { selectableFields: structuredClone(v.selectableFields) } : {}),
  }));
  return {
    apiVersion: 'apis.kcp.io/v1alpha1',
    kind: 'APIResourceSchema',
    metadata: {
      name: apiResourceSchemaName(projected),
      labels: { [agentNameKey]: agentName },
      annotations: {
        [agentNameKey]: agentName,
        [sourceGenerationAnnotation]: String(projected.metadata.generation ?? 0),
      },
    },
    spec: {
      group: spec.group,
      names: structuredClone(spec.names),
      scope: spec.scope,
      versions,
      ...(versions.length > 1 ? { conversion: { strategy: 'None' } } : {}),
    },
  };
}

/** Splits an ARS name `<prefix>.<plural>.<group>` into its group and resource; undefined if malformed. */
export function parseApiResourceSchemaName(name: string): { group: string; resource: string } | undefined {
  const first = name.indexOf('.');
  const second = first < 0 ? -1 : name.indexOf('.', first + 1);
  if (first <= 0 || second < 0) return undefined;
  return { resource: name.slice(first + 1, second), group: name.slice(second + 1) };
}
