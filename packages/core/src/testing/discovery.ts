import { apiVersionOf } from '../client/resource.ts';
import type { ResourceTable } from './resource-table.ts';

/** `GET /version`: what `kubectl version` shows for the fake server. */
export const fakeVersionInfo = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0-kubeloom-fake',
  platform: `${process.platform}/${process.arch}`,
};

/** `GET /api`: the legacy core group's versions. */
export function coreApiVersions(): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
}

/** `GET /apis`: every named group with a registered resource. */
export function apiGroupList(tables: Iterable<ResourceTable>): object {
  const groups = new Map<string, Set<string>>();
  for (const { resource } of tables) {
    if (!resource.group) continue;
    let versions = groups.get(resource.group);
    if (!versions) groups.set(resource.group, (versions = new Set()));
    versions.add(resource.version);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => groupEntry(name, versions)),
  };
}

/** `GET /apis/<group>`, or `undefined` if no resource of the group is registered. */
export function apiGroup(tables: Iterable<ResourceTable>, group: string): object | undefined {
  const versions = new Set<string>();
  for (const { resource } of tables) if (resource.group === group) versions.add(resource.version);
  if (versions.size === 0) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
}

/** `GET /api/v1` or `GET /apis/<group>/<version>`, or `undefined` if nothing is registered there. */
export function apiResourceList(
  tables: Iterable<ResourceTable>,
  group: string,
  version: string,
): object | undefined {
  const resources: object[] = [];
  for (const table of tables) {
    const { resource } = table;
    if (resource.group !== group || resource.version !== version) continue;
    resources.push({
      name: resource.plural,
      singularName: resource.kind.toLowerCase(),
      namespaced: resource.namespaced,
      kind: resource.kind,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
    if (table.statusSubresource) {
      resources.push({
        name: `${resource.plural}/status`,
        singularName: '',
        namespaced: resource.namespaced,
        kind: resource.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  if (resources.length === 0 && !(group === '' && version === 'v1')) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version, kind: '', plural: '', namespaced: false }),
    resources,
  };
}

function groupEntry(name: string, versions: Set<string>): object {
  const list = [...versions].toSorted().map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}
