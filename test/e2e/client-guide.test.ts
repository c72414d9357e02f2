/**
 * docs/client.md's complete program, run as the page says (`node client-guide.ts` with a kubeconfig) against
 * the shared kube-apiserver, so that the page's example keeps working as written.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defineResource, isNotFound, waitFor } from '@kubeloom/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKube } from './kube.ts';

const page = readFileSync(join(import.meta.dirname, '../../docs/client.md'), 'utf8');

/** The first fenced block of `language` after `heading`. */
function block(heading: string, language: string): string {
  const section = page.slice(page.indexOf(heading));
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section);
  if (!match?.[1]) throw new Error(`docs/client.md has no ${language} block after "${heading}"`);
  return match[1];
}

describe('docs/client.md', () => {
  it('runs its complete program and prints what the page says', { timeout: 120_000 }, async () => {
    const kube = await sharedKube();
    onTestFinished(() => kube.stop());
    // What a failed earlier run may have left: the program starts from no CronJob.
    const cronJobs = defineResource({
      group: 'batch',
      version: 'v1',
      kind: 'CronJob',
      plural: 'cronjobs',
      namespaced: true,
    });
    await kube.client.delete(cronJobs, 'nightly-report', { namespace: 'default' }).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
    await waitFor(
      () =>
        kube.client.get(cronJobs, 'nightly-report', { namespace: 'default' }).then(() => false, isNotFound),
      { what: 'no CronJob nightly-report left from an earlier run' },
    );
    // Inside the repository, so that the program's imports resolve as they would in a project.
    const dir = mkdtempSync(join(import.meta.dirname, '.client-guide-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'client-guide.ts'), block('## A complete program', 'ts'));
    const { stdout } = await promisify(execFile)(process.execPath, ['client-guide.ts'], {
      cwd: dir,
      env: { ...process.env, KUBECONFIG: kube.kubeconfigPath },
      timeout: 90_000,
    });
    expect(stdout).toBe(block('It prints:', ''));
  });
});
