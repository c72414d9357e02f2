import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APIServiceBindingResource } from './apiservicebinding.ts';
import { APIServiceExportResource } from './apiserviceexport.ts';
import { APIServiceExportRequestResource } from './apiserviceexportrequest.ts';
import { APIServiceNamespaceResource } from './apiservicenamespace.ts';
import { BoundSchemaResource } from './boundschema.ts';
import { ClusterBindingResource } from './clusterbinding.ts';
import { kubeBindCrdFiles } from './crds.ts';

describe('kube-bind CRD files', () => {
  it('put APIServiceBindings on the consumer and the five other kinds on the provider', () => {
    expect(kubeBindCrdFiles('consumer').map((f) => basename(f))).toEqual([
      'kube-bind.io_apiservicebindings.yaml',
    ]);
    expect(kubeBindCrdFiles('provider').map((f) => basename(f))).toEqual([
      'kube-bind.io_apiserviceexportrequests.yaml',
      'kube-bind.io_apiserviceexports.yaml',
      'kube-bind.io_apiservicenamespaces.yaml',
      'kube-bind.io_boundschemas.yaml',
      'kube-bind.io_clusterbindings.yaml',
    ]);
  });

  it('match the resource descriptors: group, served version, kind, plural and scope', () => {
    const descriptors = [
      APIServiceBindingResource,
      APIServiceExportResource,
      APIServiceExportRequestResource,
      APIServiceNamespaceResource,
      BoundSchemaResource,
      ClusterBindingResource,
    ];
    const crds = [...kubeBindCrdFiles('consumer'), ...kubeBindCrdFiles('provider')].map(
      (f) =>
        parse(readFileSync(f, 'utf8')) as {
          spec: {
            group: string;
            names: { kind: string; plural: string };
            scope: string;
            versions: Array<{ name: string; storage: boolean }>;
          };
        },
    );
    for (const d of descriptors) {
      const crd = crds.find((c) => c.spec.names.kind === d.kind);
      expect(crd).toBeDefined();
      expect(crd?.spec.group).toBe(d.group);
      expect(crd?.spec.names.plural).toBe(d.plural);
      expect(crd?.spec.scope).toBe(d.namespaced ? 'Namespaced' : 'Cluster');
      expect(crd?.spec.versions.find((v) => v.storage)?.name).toBe(d.version);
    }
  });
});
