import { relative, resolve, sep } from 'node:path';
import { Client, loadManifests, manifestOrigin } from '@kubeloom/core';
import { type FileDifference, compareWithDisk, writeChanged } from './files-on-disk.ts';
import { type GeneratedFile, generateFiles } from './generate-files.ts';
import { schemasFromCluster } from './schemas-from-cluster.ts';
import { type ManifestSchemas, schemasFromManifests } from './schemas-from-manifests.ts';

/** Where {@link genTypes} reads a live cluster (or kcp workspace) from. */
export interface ClusterSchemaSource {
  /**
   * API groups to generate, e.g. `['postgresql.cnpg.io']`; every kind and served version of each. `core`
   * stands for the core group and `builtin` for every built-in group: the core group, the groups without a
   * dot and those under `k8s.io`.
   */
  readonly groups: readonly string[];
  /** Kubeconfig path; default `$KUBECONFIG`, then `~/.kube/config`. */
  readonly kubeconfig?: string | undefined;
  /** Kubeconfig context; default its current context. */
  readonly context?: string | undefined;
  /** kcp workspace path (e.g. `root:shop`): read `/clusters/<workspace>` on the context's server. */
  readonly workspace?: string | undefined;
}

/** Options for {@link genTypes}. */
export interface GenTypesOptions {
  /** CRD / APIResourceSchema YAML or JSON files, or directories of them. */
  readonly files?: readonly string[];
  /** Read the schemas from a live cluster instead of files. */
  readonly cluster?: ClusterSchemaSource;
  /** Directory the files are written to (and compared with, for `check`). */
  readonly outDir: string;
  /** Write nothing; report the files that are missing or differ. */
  readonly check?: boolean;
  /** Stops reading a cluster (the requests in flight). */
  readonly signal?: AbortSignal;
  /**
   * The module generated files import `defineResource`, `KubeObject` and `ObjectMeta` from. Default
   * `@kubeloom/core`; @kubeloom/core's own built-in descriptors import a module of their package instead.
   */
  readonly importFrom?: string;
}

/** What {@link genTypes} did. */
export interface GenTypesResult {
  /** Every generated file, written or not. */
  readonly files: readonly GeneratedFile[];
  /** Files written (not with `check`). */
  readonly written: readonly string[];
  /** Files that already had the generated content. */
  readonly unchanged: readonly string[];
  /** With `check`: the files missing or differing on disk (empty when up to date). */
  readonly differences: readonly FileDifference[];
}

/**
 * `kubeloom gen types` as a function: reads CRDs / kcp APIResourceSchemas from files or a live cluster,
 * renders one TypeScript file per group/version (types + resource descriptors for the client, informers and
 * `ControllerBuilder.for`) and writes the files that changed, or, with `check`, only compares.
 *
 * @throws GenTypesError naming the file, the schema path and what is wrong; ManifestError for unreadable
 *   YAML; the client's errors when a cluster cannot be read.
 */
export async function genTypes(options: GenTypesOptions): Promise<GenTypesResult> {
  const { schemas, problems } = await readSchemas(options);
  const files = generateFiles(schemas, problems, options.importFrom);
  if (options.check) {
    const differences = await compareWithDisk(options.outDir, files);
    const differing = new Set(differences.map((d) => d.fileName));
    const unchanged = files.map((f) => f.fileName).filter((name) => !differing.has(name));
    return { files, written: [], unchanged, differences };
  }
  const { written, unchanged } = await writeChanged(options.outDir, files);
  return { files, written, unchanged, differences: [] };
}

/**
 * The schemas named by the options, from files or a cluster, with what is wrong with the files (reported
 * together with the problems rendering finds, so one run lists everything).
 */
export async function readSchemas(options: GenTypesOptions): Promise<ManifestSchemas> {
  if (options.cluster) {
    const { kubeconfig, context, workspace, groups } = options.cluster;
    let client = Client.fromKubeConfig({
      ...(kubeconfig ? { path: kubeconfig } : {}),
      ...(context ? { context } : {}),
    });
    if (workspace) client = client.withServer(`/clusters/${workspace}`);
    return { schemas: await schemasFromCluster(client.rest, groups, options.signal), problems: [] };
  }
  const manifests = await loadManifests(options.files ?? []);
  const outDir = resolve(options.outDir);
  // Sources are named relative to the output, so the header does not depend on where the command ran.
  return schemasFromManifests(manifests, (manifest) =>
    relative(outDir, resolve(manifestOrigin(manifest)?.source ?? ''))
      .split(sep)
      .join('/'),
  );
}
