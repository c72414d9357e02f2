import { describe, expect, it } from 'vitest';
import { generateFiles } from './generate-files.ts';
import type { ResourceSchema } from './resource-schema.ts';

// Built-in kinds as a kube-apiserver's OpenAPI v3 publishes them: by reference into the document's
// components, with int-or-string and Quantity as `oneOf`, and RawExtension as an object without fields.
const components = {
  'io.k8s.api.apps.v1.Deployment': {
    description: 'Deployment enables declarative updates for Pods.',
    type: 'object',
    required: ['spec'],
    properties: {
      metadata: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }] },
      spec: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }] },
    },
  },
  'io.k8s.api.apps.v1.DeploymentSpec': {
    description: 'DeploymentSpec is the specification of the desired behavior of the Deployment.',
    type: 'object',
    properties: {
      maxSurge: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }] },
      cpu: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' }] },
      extension: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension' }] },
      owner: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' }] },
    },
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description: 'Quantity is a fixed-point representation of a number.',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': {
    description: 'RawExtension holds any object.',
    type: 'object',
  },
};

const deployment: ResourceSchema = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  namespaced: true,
  statusSubresource: true,
  schema: components['io.k8s.api.apps.v1.Deployment'],
  origin: "the cluster's /openapi/v3/apis/apps/v1",
  schemaPath: 'components.schemas["io.k8s.api.apps.v1.Deployment"]',
  source: "the cluster's OpenAPI v3",
  components,
  componentKey: 'io.k8s.api.apps.v1.Deployment',
};

describe("generateFiles on a server's OpenAPI v3 of built-in kinds", () => {
  it('renders each referenced schema once, as a named type, and references to the kind as the kind', () => {
    const [file] = generateFiles([deployment], [], '../core-parts.ts');
    expect(file?.fileName).toBe('apps_v1.ts');
    const content = file?.content ?? '';
    expect(content).toContain(
      "import { defineResource, type KubeObject, type ObjectMeta } from '../core-parts.ts';",
    );
    expect(content).toContain('  spec: DeploymentSpec;');
    expect(content).toContain('export interface DeploymentSpec {');
    expect(content).toContain('  maxSurge?: IntOrString;');
    expect(content).toContain('export type IntOrString = number | string;');
    expect(content).toContain('export type Quantity = string | number;');
    expect(content).toContain('export type RawExtension = { [key: string]: unknown };');
    expect(content).toContain('  owner?: Deployment;');
    expect(content.match(/export interface DeploymentSpec/g)).toHaveLength(1);
  });
});
