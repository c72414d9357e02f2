/**
 * @kubeloom/core's descriptors and types of every built-in kind are generated from this kube-apiserver's
 * OpenAPI v3 (tools/gen-builtin-types.ts): the committed files must be what it generates today, and the
 * generated types must carry real objects through the client.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CronJob, CronJobResource } from '@kubeloom/core/builtins/batch_v1';
import { RoleResource } from '@kubeloom/core/builtins/rbac.authorization.k8s.io_v1';
import { describe, expect, it } from 'vitest';
import { kubeNamespaceForFile } from './kube-namespace.ts';

const file = kubeNamespaceForFile('builtins');
const { namespace } = file;

describe('generated built-in types', () => {
  it('are what the kube-apiserver generates now (run tools/gen-builtin-types.ts to regenerate)', async () => {
    const root = join(import.meta.dirname, '../..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['tools/gen-builtin-types.ts', '--kubeconfig', file.kube.kubeconfigPath, '--check'],
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
    const created = await file.kube.client.create(CronJobResource, cronJob);
    expect(created.kind).toBe('CronJob');
    expect(created.spec.jobTemplate.spec?.template.spec?.containers[0]?.image).toBe('busybox:1.37');
    const read = await file.kube.client.get(CronJobResource, 'nightly', { namespace });
    expect(read.spec.schedule).toBe('0 3 * * *');
    // Defaulted by the server, and typed as the schema says.
    expect(read.spec.concurrencyPolicy).toBe('Allow');

    const role = await file.kube.client.create(RoleResource, {
      metadata: { name: 'reader', namespace },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    });
    expect(role.rules?.[0]?.verbs).toEqual(['get', 'list']);
  });
});
