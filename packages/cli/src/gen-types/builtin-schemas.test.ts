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

const sharedComponents = {
  ...components,
  'io.k8s.api.apps.v1.DeploymentSpec': {
    ...components['io.k8s.api.apps.v1.DeploymentSpec'],
    properties: {
      ...components['io.k8s.api.apps.v1.DeploymentSpec'].properties,
      selector: {
        allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' }],
      },
      template: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec' }] },
    },
  },
  'io.k8s.api.core.v1.Event': {
    type: 'object',
    properties: { reason: { type: 'string' } },
  },
  'io.k8s.api.core.v1.Pod': {
    type: 'object',
    properties: { spec: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }] } },
  },
  'io.k8s.api.core.v1.PodSpec': {
    type: 'object',
    properties: {
      cpu: { allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' }] },
      selector: {
        allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector' }],
      },
    },
  },
  'io.k8s.api.core.v1.PodTemplateSpec': {
    type: 'object',
    properties: { spec: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }] } },
  },
  'io.k8s.api.events.v1.Event': {
    type: 'object',
    properties: { regarding: { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.Event' }] } },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': {
    type: 'object',
    properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } },
  },
};

/** A kind of `group`/`version` whose schema is `key` in the shared document. */
function kind(
  group: string,
  version: string,
  name: string,
  key: keyof typeof sharedComponents,
): ResourceSchema {
  return {
    group,
    version,
    kind: name,
    plural: `${name.toLowerCase()}s`,
    namespaced: true,
    statusSubresource: false,
    schema: sharedComponents[key],
    origin: `the cluster's /openapi/v3/${group ? `apis/${group}` : 'api'}/${version}`,
    schemaPath: `components.schemas[${JSON.stringify(key)}]`,
    source: "the cluster's OpenAPI v3",
    components: sharedComponents,
    componentKey: key,
  };
}

const pod = kind('', 'v1', 'Pod', 'io.k8s.api.core.v1.Pod');
const coreEvent = kind('', 'v1', 'Event', 'io.k8s.api.core.v1.Event');
const event = kind('events.k8s.io', 'v1', 'Event', 'io.k8s.api.events.v1.Event');

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
    const files = generateFiles([deployment], [], '../core-parts.ts');
    const file = files.find((f) => f.fileName === 'apps_v1.ts');
    const content = file?.content ?? '';
    expect(content).toContain(
      "import { defineResource, type KubeObject, type ObjectMeta } from '../core-parts.ts';",
    );
    expect(content).toContain('  spec: DeploymentSpec;');
    expect(content).toContain('export interface DeploymentSpec {');
    expect(content).toContain('  maxSurge?: IntOrString;');
    expect(content).toContain('  owner?: Deployment;');
    expect(content.match(/export interface DeploymentSpec/g)).toHaveLength(1);
    // Schemas of packages that serve no kind here live in a module named after the package.
    expect(files.find((f) => f.fileName === 'io.k8s.apimachinery.pkg.util.intstr.ts')?.content).toContain(
      'export type IntOrString = number | string;',
    );
    expect(content).toContain("import type { IntOrString } from './io.k8s.apimachinery.pkg.util.intstr.ts';");
    expect(content).toContain("export type { IntOrString } from './io.k8s.apimachinery.pkg.util.intstr.ts';");
  });

  it('declares a schema several group/versions use once, in its own group/version, and imports it elsewhere', () => {
    const files = generateFiles(
      [kind('apps', 'v1', 'Deployment', 'io.k8s.api.apps.v1.Deployment'), pod, event, coreEvent],
      [],
      '../core-parts.ts',
    );
    expect(files.map((f) => f.fileName)).toEqual([
      'apps_v1.ts',
      'core_v1.ts',
      'events.k8s.io_v1.ts',
      'io.k8s.apimachinery.pkg.api.resource.ts',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ts',
      'io.k8s.apimachinery.pkg.runtime.ts',
      'io.k8s.apimachinery.pkg.util.intstr.ts',
    ]);
    const all = files.map((f) => f.content).join('\n');
    expect(all.match(/export interface PodSpec \{/g)).toHaveLength(1);
    expect(all.match(/export interface LabelSelector \{/g)).toHaveLength(1);
    const content = (name: string): string => files.find((f) => f.fileName === name)?.content ?? '';
    // Only Deployment refers to PodTemplateSpec, but it is core/v1's: core_v1.ts declares it.
    expect(content('core_v1.ts')).toContain('export interface PodTemplateSpec {\n  spec?: PodSpec;\n}');
    expect(content('apps_v1.ts')).toContain(`import type { PodTemplateSpec } from './core_v1.ts';
import type { Quantity } from './io.k8s.apimachinery.pkg.api.resource.ts';
import type { LabelSelector } from './io.k8s.apimachinery.pkg.apis.meta.v1.ts';`);
    // Re-exported: every type a kind reaches can still be imported from the kind's module.
    expect(
      content('apps_v1.ts'),
    ).toContain(`// The shared types this file's kinds use, declared in their own modules.
export type { PodSpec, PodTemplateSpec } from './core_v1.ts';`);
    // A name the file already has is imported under another.
    expect(content('events.k8s.io_v1.ts')).toContain("import type { Event as Event2 } from './core_v1.ts';");
    expect(content('events.k8s.io_v1.ts')).toContain("export type { Event as Event2 } from './core_v1.ts';");
    expect(content('events.k8s.io_v1.ts')).toContain('  regarding?: Event2;');
    // A module of shared schemas imports only what it uses from core.
    expect(content('io.k8s.apimachinery.pkg.apis.meta.v1.ts').split('\n').slice(0, 3)).toEqual([
      "// Code generated by kubeloom gen types from the cluster's OpenAPI v3. DO NOT EDIT.",
      '',
      '/**',
    ]);
  });
});
