import type { KubeTestEnvironment } from '@kubeloom/core/testing';
import type { KcpWorkspace } from '@kubeloom/kcp-provider';
import type { KcpTestEnvironment } from '@kubeloom/kcp-provider/testing';

/** Where an APIExport lives and the identity hash that permission claims on its resources must name. */
export interface ExportRef {
  /** Workspace path of the provider, e.g. `root:database-team`. */
  path: string;
  /** APIExport name. */
  name: string;
  /** `status.identityHash` of the APIExport. */
  identityHash: string;
}

/** What the platform runs on. */
export interface PlatformOptions {
  /** Root access to kcp. */
  kcp: KcpTestEnvironment;
  /** The database and observability teams' service cluster(s); never a cluster shared with other programs. */
  teamClusters: KubeTestEnvironment;
  /** The webshop team's compute cluster. */
  compute: KubeTestEnvironment;
  /** Prefix for workspace names, so several platforms can share one kcp. */
  prefix?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** A running platform: three provider teams, their exports, and the agents and stand-ins that serve them. */
export interface Platform {
  readonly databaseTeam: KcpWorkspace;
  readonly observabilityTeam: KcpWorkspace;
  readonly webshopTeam: KcpWorkspace;
  readonly exports: { postgres: ExportRef; elastic: ExportRef };
  /** A tenant workspace binding `exports` (all permission claims accepted), waiting until each API is served. */
  createTenant(name: string, exports: readonly ExportRef[]): Promise<KcpWorkspace>;
  /** Binds one more export into an existing tenant (accepting all claims) and waits until it is served. */
  bind(tenant: KcpWorkspace, exportRef: ExportRef): Promise<void>;
  /** Stops every agent and stand-in this platform started. */
  stop(): Promise<void>;
}

/** Starts the platform. */
export function startPlatform(_options: PlatformOptions): Promise<Platform> {
  return Promise.reject(new Error('startPlatform is not implemented yet'));
}
