import { type Client, waitFor } from '@kubeloom/core';
import { type APIExport, APIExportResource } from '@kubeloom/kcp-provider';

/** Where an APIExport lives and the identity hash that permission claims on its resources must name. */
export interface ExportRef {
  /** Workspace path of the provider, e.g. `root:database-team`. */
  path: string;
  /** APIExport name. */
  name: string;
  /** `status.identityHash` of the APIExport. */
  identityHash: string;
}

/** What a syncagent must have written into an export before tenants can bind it. */
export interface PublishedExpectation {
  /** `<plural>.<group>` of every resource the export must list. */
  resources: readonly string[];
  /** Resources (`<plural>` or `<plural>.<group>`) the export must claim, e.g. the related Secrets. */
  claims: readonly string[];
  timeoutMs: number;
}

const qualified = (resource: string, group: string | undefined): string =>
  group ? `${resource}.${group}` : resource;

/**
 * Waits until the syncagent has published its resources and permission claims into the export (a binding
 * accepts only the claims the export makes at bind time), then returns the export's reference.
 * `provider` points at the export's workspace, `path`.
 */
export async function waitForPublishedExport(
  provider: Client,
  path: string,
  name: string,
  expected: PublishedExpectation,
): Promise<ExportRef> {
  let last: APIExport | undefined;
  const published = await waitFor(
    async () => {
      last = await provider.get(APIExportResource, name);
      const resources = new Set((last.spec?.resources ?? []).map((r) => qualified(r.name, r.group)));
      const claims = new Set((last.spec?.permissionClaims ?? []).map((c) => qualified(c.resource, c.group)));
      const complete =
        expected.resources.every((r) => resources.has(r)) &&
        expected.claims.every((c) => claims.has(c)) &&
        last.status?.identityHash;
      return complete ? last : undefined;
    },
    {
      what: `APIExport ${path}:${name} to list ${expected.resources.join(', ')} and claim ${expected.claims.join(', ')} (written by the team's syncagent)`,
      timeoutMs: expected.timeoutMs,
      describe: () =>
        `resources [${(last?.spec?.resources ?? []).map((r) => qualified(r.name, r.group)).join(', ')}], claims [${(last?.spec?.permissionClaims ?? []).map((c) => qualified(c.resource, c.group)).join(', ')}], identityHash ${last?.status?.identityHash ? 'set' : 'not yet set'}`,
    },
  );
  return { path, name, identityHash: published.status?.identityHash ?? '' };
}
