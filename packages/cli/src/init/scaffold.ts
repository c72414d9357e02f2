import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { packageDirectoryOf } from '@kubeloom/core';

/** Options for {@link scaffoldOperator}. */
export interface ScaffoldOptions {
  /** Directory to create the project in; must not exist or be empty. */
  readonly dir: string;
  /** npm package name; default the directory's name. */
  readonly name?: string | undefined;
  /** API group of the project's own API; default `<name without scope>.example.com`. */
  readonly group?: string | undefined;
}

/** What {@link scaffoldOperator} wrote. */
export interface ScaffoldResult {
  /** The project's directory, absolute. */
  readonly dir: string;
  /** Its npm package name. */
  readonly name: string;
  /** The API group of its own API (the `Widget` kind). */
  readonly group: string;
  /** Paths relative to `dir`, sorted. */
  readonly files: readonly string[];
}

/**
 * Versions the scaffold's package.json asks for besides kubeloom's own packages: the peers kubeloom
 * shares with the project and the tools its scripts run. Kept equal to the versions kubeloom is built and
 * tested with (a unit test compares them with the workspace catalog).
 */
export const scaffoldDependencyVersions = {
  /** The version range of @kubeloom/core's peer dependency. */
  '@kubernetes/client-node': '^2.0.1',
  /** The version range of @kubeloom/core's other peer dependency. */
  rxjs: '^7.8.2',
  /** Node's types, for the Node version the project runs on. */
  '@types/node': '^24.0.0',
  /** The compiler the project type-checks with: the one kubeloom is built with. */
  typescript: '7.0.2',
  /** The test runner of the scaffold's tests. */
  vitest: '^5.1.1',
} as const;

const packageDir = packageDirectoryOf(import.meta.url);
const templateDir = join(packageDir, 'templates', 'operator');
const packageNamePattern = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

/**
 * `kubeloom init` as a function: writes an operator project into `dir` (a controller over an APIExport
 * of its own, a vitest test against a real kcp, README, scripts build/test/start), depending on the
 * kubeloom packages of this CLI's version.
 *
 * @throws Error when `dir` is not empty or the name or group is malformed; nothing is written then.
 */
export async function scaffoldOperator(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const dir = resolve(options.dir);
  const name = options.name ?? basename(dir);
  if (!packageNamePattern.test(name) || name.length > 214) {
    throw new Error(
      `"${name}" is not a valid npm package name (lower case letters, digits, '-', '.', '_', optionally @scope/); give one with --name`,
    );
  }
  const group = options.group ?? `${groupLabel(name)}.example.com`;
  if (!dnsSubdomain.test(group)) {
    throw new Error(
      `API group "${group}" must be a lower-case DNS name with at least one dot, e.g. widgets.example.com; give one with --group`,
    );
  }
  const existing = await readdir(dir).catch((err: unknown) => {
    if ((err as { code?: unknown }).code === 'ENOENT') return [];
    throw err;
  });
  if (existing.length > 0) {
    throw new Error(
      `${options.dir} is not empty (${existing.length} entries); give a new or empty directory`,
    );
  }
  const version = await ownVersion();
  const substitute = (text: string): string =>
    text.replaceAll('__PACKAGE_NAME__', name).replaceAll('__API_GROUP__', group);
  const files: string[] = [];
  for (const template of await listFiles(templateDir)) {
    const target = template === 'gitignore' ? '.gitignore' : template;
    await mkdir(join(dir, target, '..'), { recursive: true });
    await writeFile(join(dir, target), substitute(await readFile(join(templateDir, template), 'utf8')));
    files.push(target);
  }
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(packageJson(name, version), null, 2)}\n`);
  files.push('package.json');
  return { dir, name, group, files: files.toSorted() };
}

function packageJson(name: string, kubeloomVersion: string): Record<string, unknown> {
  const v = scaffoldDependencyVersions;
  return {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=22.19.0' },
    scripts: { build: 'tsc -p .', test: 'vitest run', start: 'node src/main.ts' },
    dependencies: {
      '@kubeloom/core': `^${kubeloomVersion}`,
      '@kubeloom/kcp-provider': `^${kubeloomVersion}`,
      '@kubernetes/client-node': v['@kubernetes/client-node'],
      rxjs: v.rxjs,
    },
    devDependencies: { '@types/node': v['@types/node'], typescript: v.typescript, vitest: v.vitest },
  };
}

/** The first DNS label for a package name: `@acme/Demo_Op` → `demo-op`. */
function groupLabel(name: string): string {
  const label = (name.split('/').pop() ?? name)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return label || 'operator';
}

/** This CLI's version: the kubeloom packages it scaffolds against are released together with it. */
async function ownVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
  return (manifest as { version: string }).version;
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir)).toSorted()) {
    const path = join(dir, entry);
    if ((await stat(path)).isDirectory()) out.push(...(await listFiles(root, path)));
    else out.push(relative(root, path));
  }
  return out;
}
