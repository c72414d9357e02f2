/**
 * @kubeloom/core's descriptors and types of every built-in kind are generated from this kube-apiserver's
 * OpenAPI v3 (tools/gen-builtin-types.ts): the committed files must be what it generates today, and the
 * generated types must carry real objects through the client.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NamespaceResource } from '@kubeloom/core';
import { type CronJob, CronJobResource } from '@kubeloom/core/builtins/batch_v1';
import { RoleResource } from '@kubeloom/core/builtins/rbac.authorization.k8s.io_v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeTestEnvironment } from '@kubeloom/core/testing';
import { sharedKube } from './kube.ts';

let kube: KubeTestEnvironment;
const namespace = `builtins-${Date.now().toString(36)}`;

beforeAll(async () => {
  kube = await sharedKube();
  await kube.client.create(NamespaceResource, { metadata: { name: namespace } });
});
afterAll(async () => {
  await kube.client.delete(NamespaceResource, namespace).catch(() => undefined);
  await kube.stop();
});

describe('generated built-in types', () => {
  it('are what the kube-apiserver generates now (run tools/gen-builtin-types.ts to regenerate)', async () => {
    const root = join(import.meta.dirname, '../..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['tools/gen-builtin-types.ts', '--kubeconfig', kube.kubeconfigPath, '--check'],
      { cwd: root, timeout: 90_000 },
    );
    expect(stdout).toMatch(
      /^kubeloom gen types --check: \d+ files in packages\/core\/src\/client\/builtins\/generated up to date\n$/,
    );
  });

  it('round-trip real objects through the client', async () => {
    const cronJob: CronJob = {
      metadata: { name: 'nightly', namespace },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: 'Never', containers: [{ name: 'run', image: 'busybox:1.37' }] },
            },
          },
        },
      },
    };
    const created = await kube.client.create(CronJobResource, cronJob);
    expect(created.kind).toBe('CronJob');
    expect(created.spec.jobTemplate.spec?.template.spec?.containers[0]?.image).toBe('busybox:1.37');
    const read = await kube.client.get(CronJobResource, 'nightly', { namespace });
    expect(read.spec.schedule).toBe('0 3 * * *');
    // Defaulted by the server, and typed as the schema says.
    expect(read.spec.concurrencyPolicy).toBe('Allow');

    const role = await kube.client.create(RoleResource, {
      metadata: { name: 'reader', namespace },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    });
    expect(role.rules?.[0]?.verbs).toEqual(['get', 'list']);
  });
});
