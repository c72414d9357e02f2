/**
 * The PublishedResource API (`syncagent.kcp.io/v1alpha1`, cluster-scoped, on the service cluster) in its
 * current shape. Older (v0.2) objects are converted into this shape on read by
 * {@link readPublishedResource} in published-resource-v02.ts, so everything downstream sees one shape.
 */
import { type KubeObject, type ObjectMeta, defineResource } from '@kubeloom/core';

/** A Kubernetes label selector in its structured form (`matchLabels` / `matchExpressions`). */
export interface StructuredLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** What to publish: a Kind of the service cluster, and which of its CRD versions. */
export interface SourceResourceDescriptor {
  /** API group on the service cluster; `''` is the core group. */
  apiGroup: string;
  kind: string;
  /** The CRD versions to publish; empty or absent means all. */
  versions?: string[];
  /** Deprecated single version; may not be combined with `versions`. */
  version?: string;
}

/** How the kind looks in kcp; each set field overrides the CRD's value. */
export interface ResourceProjection {
  group?: string;
  /** Renames versions (old → new). */
  versions?: Record<string, string>;
  /** Deprecated; only allowed when exactly one version is published. */
  version?: string;
  scope?: 'Cluster' | 'Namespaced';
  /** Also sets listKind, singular and plural (lowercase kind + "s"). */
  kind?: string;
  plural?: string;
  /** `undefined`/`null` keeps the CRD's short names, `[]` removes them. */
  shortNames?: string[] | null;
  /** `undefined`/`null` keeps the CRD's categories, `[]` removes them. */
  categories?: string[] | null;
}

/** Where the copy of a kcp object lands on the service cluster (templates or legacy `$var` strings). */
export interface ResourceNaming {
  name?: string;
  namespace?: string;
}

/** Which kcp objects are synced. */
export interface ResourceFilter {
  /** Matched against the labels of the object's Namespace in kcp. */
  namespace?: StructuredLabelSelector;
  /** Matched against the object's own labels. */
  resource?: StructuredLabelSelector;
}

/** One content-rewriting step; exactly one of the fields must be set. */
export interface ResourceMutation {
  delete?: { path: string };
  regex?: { path: string; pattern?: string; replacement?: string };
  template?: { path: string; template: string };
  cel?: { path: string; expression: string };
}

/** Mutations per direction: `spec` kcp→service on the source copy, `status` service→kcp. */
export interface ResourceMutationSpec {
  spec?: ResourceMutation[];
  status?: ResourceMutation[];
}

/** A regular expression rewrite (Go RE2 syntax upstream; `$1`/`\1` references in the replacement). */
export interface RegularExpression {
  pattern?: string;
  replacement?: string;
}

/** A Go template expression. */
export interface TemplateExpression {
  template?: string;
}

/** Finds related objects by a path into the primary object (gjson syntax). */
export interface RelatedResourceObjectReference {
  path: string;
  regex?: RegularExpression;
}

/** Finds related objects by label selector on the origin side; names are mapped by `rewrite`. */
export interface RelatedResourceObjectSelector extends StructuredLabelSelector {
  rewrite: { regex?: RegularExpression; template?: TemplateExpression };
}

/** One way of locating related objects (or their namespace): exactly one field is set. */
export interface RelatedResourceObjectSpec {
  selector?: RelatedResourceObjectSelector;
  reference?: RelatedResourceObjectReference;
  template?: TemplateExpression;
}

/** How to find related objects, with an optional rule for their namespace. */
export interface RelatedResourceObject extends RelatedResourceObjectSpec {
  namespace?: RelatedResourceObjectSpec;
}

/** Auxiliary objects synced along with the primary object. */
export interface RelatedResourceSpec {
  /** Unique within the PublishedResource. */
  identifier: string;
  /** The side that is the source of truth. */
  origin: 'service' | 'kcp';
  group?: string;
  version?: string;
  resource?: string;
  /** Deprecated: `ConfigMap` or `Secret` (core/v1). Mutually exclusive with version/resource. */
  kind?: string;
  /** Identity of a foreign APIExport providing this resource; copied into the permission claim. */
  identityHash?: string;
  cleanup?: boolean;
  /** The GVR on the destination side. */
  projection?: { group?: string; version?: string; resource?: string };
  object: RelatedResourceObject;
  mutation?: ResourceMutationSpec;
  watch?: { byOwner?: Record<string, never>; bySelector?: StructuredLabelSelector };
  syncStatus?: boolean;
}

/** spec of a PublishedResource. */
export interface PublishedResourceSpec {
  resource: SourceResourceDescriptor;
  filter?: ResourceFilter;
  naming?: ResourceNaming;
  enableWorkspacePaths?: boolean;
  projection?: ResourceProjection;
  mutation?: ResourceMutationSpec;
  related?: RelatedResourceSpec[];
  /** `enabled: false` publishes the schema without starting a sync controller. Absent means enabled. */
  synchronization?: { enabled: boolean };
}

/** syncagent.kcp.io/v1alpha1 PublishedResource: one Kind of the service cluster published into kcp. */
export interface PublishedResource extends KubeObject {
  metadata: ObjectMeta;
  spec: PublishedResourceSpec;
  status?: {
    /** The APIResourceSchema created for the current projected CRD. */
    resourceSchemaName?: string;
  };
}

/** syncagent.kcp.io/v1alpha1 publishedresources. */
export const PublishedResourceResource = defineResource<PublishedResource>({
  group: 'syncagent.kcp.io',
  version: 'v1alpha1',
  kind: 'PublishedResource',
  plural: 'publishedresources',
  namespaced: false,
});

/** True unless `spec.synchronization.enabled` is explicitly false. */
export function isSyncEnabled(pr: PublishedResource): boolean {
  return pr.spec.synchronization?.enabled !== false;
}
