import { writeFileSync } from 'node:fs';
import { ParsedKubeConfig } from '@kubeloom/core';
import type { Cluster, Context, User } from '@kubernetes/client-node';
// Only client-node's entry (de)serialisers: its index loads every generated API class, openid-client, ws,
// socks and more (~1.4 CPU-s and ~70 MiB), which reading and writing a kubeconfig does not need.
import { exportCluster, exportContext, exportUser } from '@kubernetes/client-node/dist/config_types.js';

/** The entries of a kubeconfig to write, in client-node's shape (what `KubeConfig.loadFromOptions` takes). */
export interface KubeconfigEntries {
  /** Server URL and CA of each cluster. */
  clusters: Cluster[];
  /** Credentials of each user. */
  users: User[];
  /** Which user talks to which cluster. */
  contexts: Context[];
  /** The context used unless another is asked for. */
  currentContext: string;
}

/** Reads a kubeconfig file as client-node would (relative paths resolved against the file's directory). */
export function readKubeconfigFile(path: string): ParsedKubeConfig {
  const config = new ParsedKubeConfig();
  config.loadFromFile(path);
  return config;
}

/**
 * Writes `entries` to `path` (mode 0600: it holds credentials) as kubeconfig JSON, which every YAML reader
 * accepts, the same text client-node's `KubeConfig.exportConfig` produces.
 */
export function writeKubeconfigFile(path: string, entries: KubeconfigEntries): void {
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.clusters.map(exportCluster),
    users: entries.users.map(exportUser),
    contexts: entries.contexts.map(exportContext),
    preferences: {},
    'current-context': entries.currentContext,
  };
  writeFileSync(path, JSON.stringify(document), { mode: 0o600 });
}
