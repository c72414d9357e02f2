/**
 * `spec.filter`: which kcp objects a PublishedResource syncs. `resource` is matched against the object's
 * labels, `namespace` against the labels of the object's Namespace in kcp. An empty selector matches
 * everything, as in Kubernetes.
 */
import { type LabelSelector, formatLabelSelector, parseLabelSelector } from '@kubeloom/core';
import type { ResourceFilter } from './published-resource.ts';

/** A filter compiled once per PublishedResource. */
export interface CompiledResourceFilter {
  /** True when the Namespace's labels are needed (so the agent must fetch the Namespace). */
  readonly needsNamespace: boolean;
  /**
   * Whether an object passes. `namespaceLabels` is undefined for a cluster-scoped object: the namespace
   * selector then does not apply (upstream dereferences a nil Namespace in that case).
   */
  matches(
    objectLabels: Readonly<Record<string, string>> | undefined,
    namespaceLabels: Readonly<Record<string, string>> | undefined,
  ): boolean;
}

/**
 * Compiles `filter` (absent means: everything passes). Throws the label-selector parser's error for a
 * selector that validation would have reported.
 */
export function compileResourceFilter(filter: ResourceFilter | undefined): CompiledResourceFilter {
  const resource = filter?.resource ? parseLabelSelector(formatLabelSelector(filter.resource)) : undefined;
  const namespace: LabelSelector | undefined = filter?.namespace
    ? parseLabelSelector(formatLabelSelector(filter.namespace))
    : undefined;
  return {
    needsNamespace: namespace !== undefined,
    matches: (objectLabels, namespaceLabels) =>
      (resource?.matches(objectLabels) ?? true) &&
      (namespaceLabels === undefined || (namespace?.matches(namespaceLabels) ?? true)),
  };
}
