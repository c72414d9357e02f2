/**
 * Where the service-cluster copy of a kcp object lands (`spec.naming`), computed exactly like upstream so
 * an agent switching implementations finds the same names: patterns containing `{{` are Go templates
 * (context `.Object`, `.ClusterName`, `.ClusterPath`); other patterns are legacy `$var` strings.
 */
import type { KubeObject } from '@kubeloom/core';
import { renderGoTemplate } from './go-template.ts';
import { shortHash } from './hashes.ts';
import type { ResourceNaming } from './published-resource.ts';

/** Upstream's default naming (HEAD): one namespace per logical cluster, SHA3-hashed namespace-name. */
export const defaultNaming: Required<ResourceNaming> = {
  namespace: '{{ .ClusterName }}',
  name: '{{ .Object.metadata.namespace | sha3short }}-{{ .Object.metadata.name | sha3short }}',
};

/** The legacy placeholders, longest first where one is a prefix of another (`…Hash` before `…`). */
export const legacyPlaceholders = [
  '$remoteClusterName',
  '$remoteNamespaceHash',
  '$remoteNamespace',
  '$remoteNameHash',
  '$remoteName',
] as const;

/** Where a kcp object comes from: its logical cluster, and its workspace path when known. */
export interface RemoteOrigin {
  /** Logical cluster name, e.g. `1yaxsslokc5aoqme`. */
  clusterName: string;
  /** Workspace path, e.g. `root:org:team`; empty unless workspace paths are enabled. */
  clusterPath?: string;
}

/** The local name and namespace for a remote object. */
export interface LocalObjectName {
  namespace: string;
  name: string;
}

/** A naming pattern failed to render; `field` is `namespace` or `name`. */
export class NamingError extends Error {
  override readonly name = 'NamingError';
  readonly field: 'namespace' | 'name';
  constructor(field: 'namespace' | 'name', message: string) {
    super(message);
    this.field = field;
  }
}

/** True when a pattern is a Go template rather than a legacy `$var` string (upstream's rule). */
export function isTemplatePattern(pattern: string): boolean {
  return pattern.includes('{{');
}

/**
 * Computes the local name and namespace for `remote`. Empty or absent patterns fall back to
 * {@link defaultNaming}. The namespace is returned even for cluster-scoped local kinds; the caller drops it.
 * Throws {@link NamingError} saying which pattern failed and why.
 */
export function localObjectName(
  naming: ResourceNaming | undefined,
  remote: KubeObject,
  origin: RemoteOrigin,
): LocalObjectName {
  return {
    namespace: renderPattern('namespace', naming?.namespace || defaultNaming.namespace, remote, origin),
    name: renderPattern('name', naming?.name || defaultNaming.name, remote, origin),
  };
}

function renderPattern(
  field: 'namespace' | 'name',
  pattern: string,
  remote: KubeObject,
  origin: RemoteOrigin,
): string {
  if (!isTemplatePattern(pattern)) return replaceLegacyPlaceholders(pattern, remote, origin);
  try {
    return renderGoTemplate(pattern, {
      Object: remote,
      ClusterName: origin.clusterName,
      ClusterPath: origin.clusterPath ?? '',
    });
  } catch (error) {
    throw new NamingError(field, `spec.naming.${field}: ${(error as Error).message}`);
  }
}

/** Replaces `$remoteClusterName` & co. in one left-to-right pass, like Go's `strings.NewReplacer`. */
export function replaceLegacyPlaceholders(pattern: string, remote: KubeObject, origin: RemoteOrigin): string {
  const namespace = remote.metadata?.namespace ?? '';
  const name = remote.metadata?.name ?? '';
  const values: Record<(typeof legacyPlaceholders)[number], string> = {
    $remoteClusterName: origin.clusterName,
    $remoteNamespaceHash: shortHash(namespace),
    $remoteNamespace: namespace,
    $remoteNameHash: shortHash(name),
    $remoteName: name,
  };
  return substitutePlaceholders(pattern, values);
}

/**
 * Rewrites a legacy `$var` pattern into the equivalent Go template (used when converting v0.2
 * PublishedResources). Text around the placeholders is kept verbatim; a pattern containing `{{` is
 * returned unchanged.
 */
export function legacyPatternToTemplate(pattern: string): string {
  if (isTemplatePattern(pattern)) return pattern;
  const templates: Record<(typeof legacyPlaceholders)[number], string> = {
    $remoteClusterName: '{{ .ClusterName }}',
    $remoteNamespaceHash: '{{ .Object.metadata.namespace | shortHash }}',
    $remoteNamespace: '{{ .Object.metadata.namespace }}',
    $remoteNameHash: '{{ .Object.metadata.name | shortHash }}',
    $remoteName: '{{ .Object.metadata.name }}',
  };
  return substitutePlaceholders(pattern, templates);
}

/** One left-to-right pass over `pattern`, replacing each placeholder at the first position it matches. */
function substitutePlaceholders(
  pattern: string,
  replacements: Record<(typeof legacyPlaceholders)[number], string>,
): string {
  let out = '';
  let i = 0;
  outer: while (i < pattern.length) {
    for (const placeholder of legacyPlaceholders) {
      if (pattern.startsWith(placeholder, i)) {
        out += replacements[placeholder];
        i += placeholder.length;
        continue outer;
      }
    }
    out += pattern[i];
    i++;
  }
  return out;
}
