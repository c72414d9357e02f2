import { describe, expect, it } from 'vitest';
import { formatFieldProblem } from './field-problem.ts';
import type { PublishedResource, PublishedResourceSpec } from './published-resource.ts';
import { validatePublishedResource } from './validation.ts';

function problems(spec: Partial<PublishedResourceSpec> | undefined): string[] {
  const pr = {
    metadata: { name: 'x' },
    spec: { resource: { apiGroup: 'example.com', kind: 'Thing' }, ...spec },
  } as PublishedResource;
  return validatePublishedResource(pr).map(formatFieldProblem);
}

describe('validatePublishedResource', () => {
  it('accepts a complete, valid object', () => {
    expect(
      problems({
        resource: { apiGroup: 'example.com', kind: 'CronTab', versions: ['v1', 'v2beta1'] },
        projection: {
          group: 'kcp.example.com',
          versions: { v1: 'v1alpha1' },
          kind: 'Tab',
          plural: 'tabs',
          scope: 'Cluster',
          shortNames: [],
        },
        naming: { namespace: 'synced-{{ .Object.metadata.namespace }}', name: '$remoteName' },
        filter: {
          resource: {
            matchLabels: { app: 'x' },
            matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }],
          },
        },
        mutation: {
          spec: [{ cel: { path: 'spec.x', expression: 'value + 1' } }],
          status: [{ delete: { path: 'status.secret' } }],
        },
        related: [
          {
            identifier: 'credentials',
            origin: 'service',
            group: '',
            version: 'v1',
            resource: 'secrets',
            object: {
              selector: {
                matchLabels: { '{{ .ClusterName }}': 'x' },
                rewrite: { template: { template: '{{ .Value }}-x' } },
              },
              namespace: { reference: { path: 'spec.ns', regex: { pattern: '^(.*)$', replacement: '$1' } } },
            },
            watch: { bySelector: {} },
            syncStatus: true,
          },
        ],
        synchronization: { enabled: false },
      }),
    ).toEqual([]);
  });

  it('names every problem with its field path', () => {
    expect(
      problems({
        resource: { apiGroup: 'Example.COM', kind: 'cronTab', version: 'v1', versions: ['V1', 'v2', 'v2'] },
        projection: { versions: { v1: 'v3', v2: 'v3' }, scope: 'Global' as 'Cluster', plural: 'Tabs' },
        naming: { name: '{{ .Object.metadata.name | toLower }}', namespace: '$remoteWorkspace' },
        filter: {
          namespace: 'my-app' as never,
          resource: { matchExpressions: [{ key: 'a', operator: 'In' }] },
        },
        mutation: { spec: [{ cel: { path: 'spec.x', expression: 'value +' } }] },
      }),
    ).toEqual([
      'spec.resource.apiGroup: "Example.COM" is not a valid API group (lowercase DNS subdomain, e.g. example.com)',
      'spec.resource.kind: "cronTab" is not a valid kind (CamelCase starting with an uppercase letter, e.g. Cluster)',
      'spec.resource: cannot configure both .version and .versions',
      'spec.resource.versions[0]: "V1" is not a valid version name (lowercase DNS label, e.g. v1 or v1beta2)',
      'spec.resource.versions[2]: "v2" is listed twice',
      'spec.projection.versions.v2: maps to "v3" like v1 does; projected versions must be unique',
      'spec.projection.scope: "Global" is not a scope (use Cluster or Namespaced)',
      'spec.projection.plural: "Tabs" is not a valid resource name (lowercase DNS label)',
      'spec.naming.namespace: "$remoteWorkspace" is not a known placeholder (known: $remoteClusterName, $remoteNamespaceHash, $remoteNamespace, $remoteNameHash, $remoteName); prefer a Go template such as {{ .Object.metadata.name }}',
      expect.stringMatching(
        /^spec\.naming\.name: template does not parse: function "toLower" is not supported \(supported: /,
      ),
      'spec.filter.namespace: must be a label selector ({matchLabels, matchExpressions}), not a plain value',
      'spec.filter.resource.matchExpressions[0].values: must not be empty for operator In',
      'spec.mutation.spec[0].cel.expression: does not compile: <input>:1:7: found + but expecting end of input',
    ]);
  });

  it("applies upstream's related-resource rules with upstream's messages", () => {
    expect(
      problems({
        related: [
          { identifier: 'a b', origin: 'both' as 'kcp', kind: 'Secret', version: 'v1', object: {} },
          {
            identifier: 'a b',
            origin: 'kcp',
            group: 'example.com',
            identityHash: 'h',
            object: { reference: { path: 'spec..x' }, template: { template: '{{ if }}' } },
          },
          {
            identifier: 'ok',
            origin: 'service',
            kind: 'Deployment',
            syncStatus: true,
            object: {
              selector: { rewrite: {} },
              namespace: { reference: { path: 'x', regex: { pattern: '[' } } },
            },
            watch: { byOwner: {}, bySelector: {} },
            mutation: { spec: [{ regex: { path: 'x' }, template: { path: 'y', template: 'z' } }] },
          },
        ],
      }),
    ).toEqual([
      'spec.related[0].identifier: "a b" must be alphanumeric (dashes and underscores inside are allowed)',
      'spec.related[0].origin: "both" is not an origin (use service or kcp)',
      'spec.related[0]: must specify either kind (deprecated) or group, version, resource',
      'spec.related[0]: resource and version must be configured together or not at all',
      'spec.related[0].object: exactly one of reference, template or selector must be set, but none is',
      'spec.related[1].identifier: "a b" must be alphanumeric (dashes and underscores inside are allowed)',
      'spec.related[1]: must specify either kind (deprecated) or group, version, resource',
      'spec.related[1]: configuring a group also requires a version and resource',
      'spec.related[1]: identity hashes can only be used with GVRs',
      'spec.related[1].object: exactly one of reference, template or selector must be set, but reference and template are',
      'spec.related[1].object.reference.path: path "spec..x" has an empty segment at offset 5',
      'spec.related[1].object.template.template: template does not parse: the "if" action is not supported; only field values, literals and functions are (in {{ if }})',
      'spec.related[1].identifier: "a b" is already used by spec.related[0]',
      'spec.related[2].kind: "Deployment" is not supported (only ConfigMap or Secret; use group, version and resource instead)',
      'spec.related[2].watch: exactly one of byOwner or bySelector must be set',
      'spec.related[2].object.selector.rewrite: exactly one of regex or template must be set',
      expect.stringMatching(
        /^spec\.related\[2\]\.object\.namespace\.reference\.regex\.pattern: invalid pattern "\[": /,
      ),
      'spec.related[2].mutation.spec[0]: exactly one of delete, regex, template or cel must be set, but regex and template are',
    ]);
  });

  it('reports a missing spec, resource and kind', () => {
    expect(validatePublishedResource({ metadata: {} } as PublishedResource).map(formatFieldProblem)).toEqual([
      'spec: is required',
    ]);
    expect(problems({ resource: undefined as never })).toEqual(['spec.resource: is required']);
    expect(problems({ resource: { apiGroup: '', kind: '' } })).toEqual(['spec.resource.kind: is required']);
  });
});
