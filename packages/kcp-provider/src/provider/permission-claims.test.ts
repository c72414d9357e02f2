import { describe, expect, it } from 'vitest';
import type { APIBinding, AcceptablePermissionClaim, PermissionClaim } from '../apis/apis.ts';
import { missingClaimsWarning } from './missing-claims-report.ts';
import { describeMissingClaim, missingPermissionClaims } from './permission-claims.ts';

const rw = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const exported: PermissionClaim[] = [
  { group: '', resource: 'configmaps', verbs: rw },
  { group: '', resource: 'secrets', verbs: ['get', 'list', 'watch'] },
];

function accept(claim: PermissionClaim, state: 'Accepted' | 'Rejected' = 'Accepted', verbs = claim.verbs) {
  return {
    group: claim.group,
    resource: claim.resource,
    verbs,
    identityHash: '',
    selector: { matchAll: true },
    state,
  } satisfies AcceptablePermissionClaim;
}

function binding(
  claims: AcceptablePermissionClaim[],
  exportClaims: PermissionClaim[] = exported,
): APIBinding {
  return {
    metadata: {
      name: 'widgets.example.io',
      annotations: { 'kcp.io/cluster': '2abc', 'kcp.io/path': 'root:shop' },
    },
    spec: { reference: { export: { name: 'widgets.example.io' } }, permissionClaims: claims },
    status: { exportPermissionClaims: exportClaims },
  };
}

const [configmaps, secrets] = exported as [PermissionClaim, PermissionClaim];
const described = (b: APIBinding, required?: Parameters<typeof missingPermissionClaims>[1]) =>
  missingPermissionClaims(b, required).map(describeMissingClaim);

describe('missingPermissionClaims', () => {
  it('finds nothing missing when every claim of the export is accepted with its verbs', () => {
    expect(described(binding([accept(configmaps), accept(secrets)]))).toEqual([]);
  });

  it('reports rejected claims and claims the binding does not mention', () => {
    expect(described(binding([accept(configmaps, 'Rejected')]))).toEqual([
      'configmaps.core (rejected)',
      'secrets.core (not in the binding)',
    ]);
  });

  it('applies kcp literal verb intersection: ["*"] against explicit export verbs grants nothing', () => {
    expect(described(binding([accept(configmaps, 'Accepted', ['*']), accept(secrets)]))).toEqual([
      'configmaps.core (verbs not granted: get, list, watch, create, update, patch, delete)',
    ]);
    const starExport = [{ ...configmaps, verbs: ['*'] }];
    expect(described(binding([accept(configmaps, 'Accepted', ['*'])], starExport))).toEqual([]);
  });

  it('reports verbs the controllers need that the binding leaves out', () => {
    const b = binding([accept(configmaps, 'Accepted', ['get', 'list', 'watch']), accept(secrets)]);
    expect(described(b)).toEqual(['configmaps.core (verbs not granted: create, update, patch, delete)']);
    // Read-only controllers need no more.
    expect(described(b, [{ group: '', resource: 'configmaps', verbs: ['get', 'list', 'watch'] }])).toEqual(
      [],
    );
  });

  it('checks only the required claims when given', () => {
    const b = binding([accept(configmaps), accept(secrets, 'Rejected')]);
    expect(described(b, [{ group: '', resource: 'configmaps' }])).toEqual([]);
    expect(described(b, [{ group: '', resource: 'secrets' }])).toEqual(['secrets.core (rejected)']);
    expect(described(b, [{ group: 'example.io', resource: 'gadgets' }])).toEqual([
      'gadgets.example.io (not in the binding)',
    ]);
  });

  it('tells claims of the same resource from different exports apart by identity hash', () => {
    const gadgets: PermissionClaim = {
      group: 'example.io',
      resource: 'gadgets',
      verbs: ['get'],
      identityHash: 'aaa',
    };
    const b = binding([{ ...accept(gadgets), identityHash: 'aaa' }], [gadgets]);
    expect(described(b, [{ group: 'example.io', resource: 'gadgets', identityHash: 'aaa' }])).toEqual([]);
    expect(described(b, [{ group: 'example.io', resource: 'gadgets', identityHash: 'bbb' }])).toEqual([
      'gadgets.example.io (not in the binding)',
    ]);
  });

  it('words the warning with the workspace, the binding, the claims and what happens meanwhile', () => {
    const b = binding([accept(configmaps, 'Rejected'), accept(secrets)]);
    expect(missingClaimsWarning(b, missingPermissionClaims(b), false)).toBe(
      'APIBinding "widgets.example.io" in workspace root:shop (logical cluster 2abc) does not accept permission claims the controllers need: configmaps.core (rejected). Accept them in the binding\'s spec.permissionClaims (state Accepted, with the verbs the APIExport claims); the workspace is engaged anyway, but the controllers cannot see or change those objects there',
    );
    expect(missingClaimsWarning(b, missingPermissionClaims(b), true)).toMatch(
      /; the workspace is not engaged until they are \(engageOnlyWithRequiredClaims\)$/,
    );
  });
});
