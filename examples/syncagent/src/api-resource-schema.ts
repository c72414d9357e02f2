/**
 * The APIResourceSchema the agent publishes for a projected CRD: the generic conversion of
 * `@kubeloom/kcp-provider/schemas` (upstream's content-derived name), labelled and annotated with the
 * agent that owns it and the CRD generation it was made from.
 */
import type { APIResourceSchema } from '@kubeloom/kcp-provider';
import { type CustomResourceDefinition, toAPIResourceSchema } from '@kubeloom/kcp-provider/schemas';

/** Label and annotation naming the agent that owns an object (upstream's key). */
export const agentNameKey = 'syncagent.kcp.io/agent-name';
/** Annotation recording the service CRD's generation an ARS was made from. */
export const sourceGenerationAnnotation = 'syncagent.kcp.io/source-generation';

/** The agent's APIResourceSchema for a projected CRD, owned by `agentName`. */
export function toAgentAPIResourceSchema(
  projected: CustomResourceDefinition,
  agentName: string,
): APIResourceSchema {
  return toAPIResourceSchema(projected, {
    labels: { [agentNameKey]: agentName },
    annotations: {
      [agentNameKey]: agentName,
      [sourceGenerationAnnotation]: String(projected.metadata.generation ?? 0),
    },
  });
}
