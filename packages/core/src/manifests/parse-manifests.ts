import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject, ObjectMeta } from '../client/object.ts';
import { ManifestError, type ManifestOrigin, type ManifestProblem } from './manifest-error.ts';

/** A Kubernetes object read from YAML or JSON: `apiVersion`, `kind` and `metadata.name` are present. */
export interface Manifest extends KubeObject {
  /** E.g. `v1`, `apps/v1`. */
  apiVersion: string;
  /** E.g. `ConfigMap`; never a `List` kind (lists are flattened). */
  kind: string;
  /** Always has a name: server-side apply addresses objects by name. */
  metadata: ObjectMeta & {
    /** Always present in a manifest. */
    name: string;
  };
  /** The rest of the object (`spec`, `data`, ...), as written. */
  [field: string]: unknown;
}

/** Options for {@link parseManifests}. */
export interface ParseManifestsOptions {
  /** Name of the text's origin in error messages, e.g. a file path or URL. Default `manifests`. */
  source?: string;
}

const origins = new WeakMap<KubeObject, ManifestOrigin>();

/** Where a manifest returned by {@link parseManifests} or {@link loadManifests} came from. */
export function manifestOrigin(manifest: KubeObject): ManifestOrigin | undefined {
  return origins.get(manifest);
}

/**
 * Parses YAML (or JSON) text holding any number of Kubernetes objects: documents separated by `---`, empty
 * and comment-only documents skipped, `List` kinds (`List`, `ConfigMapList`, ...) flattened into their items.
 * Every object must have `apiVersion`, `kind` and `metadata.name`; all problems are reported together in
 * one {@link ManifestError} naming the source, the document (1-based) and the line.
 *
 * The `yaml` library is loaded on the first call, so programs that never read manifests do not pay for it.
 *
 * @example
 * ```ts
 * const manifests = await parseManifests(text, { source: 'app.yaml' });
 * ```
 */
export async function parseManifests(text: string, options: ParseManifestsOptions = {}): Promise<Manifest[]> {
  const source = options.source ?? 'manifests';
  if (typeof text !== 'string') {
    throw new TypeError(`parseManifests(${source}): expected YAML or JSON text, got ${typeof text}`);
  }
  const { LineCounter, parseAllDocuments } = await import('yaml');
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines });
  const documents = Array.isArray(parsed) ? parsed : [];
  const problems: ManifestProblem[] = [];
  const manifests: Manifest[] = [];
  documents.forEach((doc, i) => {
    const contents = doc.contents as { range?: [number, number, number] } | null;
    const start = lines.linePos(contents?.range?.[0] ?? doc.range[0]);
    const origin: ManifestOrigin = { source, document: i + 1, line: start.line };
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const at = error.linePos?.[0];
        problems.push({
          ...origin,
          line: at?.line ?? origin.line,
          column: at?.col,
          message: `invalid YAML: ${firstLine(error.message)}`,
        });
      }
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    collect(value, origin, manifests, problems);
  });
  if (problems.length > 0) throw new ManifestError(problems);
  return manifests;
}

/**
 * Reads and parses manifest files (see {@link parseManifests}), in the order given. A directory stands for
 * its `.yaml`, `.yml` and `.json` files in name order (not recursive, as `kubectl apply -f <dir>`). Errors
 * name the file.
 *
 * @example
 * ```ts
 * const manifests = await loadManifests(['crds.yaml', 'app.yaml']);
 * ```
 */
export async function loadManifests(paths: string | readonly string[]): Promise<Manifest[]> {
  const files = (
    await Promise.all((typeof paths === 'string' ? [paths] : paths).map(expandDirectory))
  ).flat();
  const texts = await Promise.all(
    files.map((path) =>
      readFile(path, 'utf8').catch((err: unknown) => {
        const code = (err as { code?: unknown }).code;
        throw new Error(
          code === 'ENOENT'
            ? `loadManifests: ${path} does not exist`
            : `loadManifests: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }),
    ),
  );
  const problems: ManifestProblem[] = [];
  const manifests: Manifest[] = [];
  for (const [i, text] of texts.entries()) {
    const source = files[i] ?? '';
    try {
      manifests.push(...(await parseManifests(text, { source })));
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new ManifestError(problems);
  return manifests;
}

/** A directory's manifest files in name order; any other path as it is (reading it reports what is wrong). */
async function expandDirectory(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => /\.(ya?ml|json)$/i.test(name)).toSorted();
  return names.map((name) => join(path, name));
}

/** Validates one document's value and adds it (or a List's items) to `out`. */
function collect(value: unknown, origin: ManifestOrigin, out: Manifest[], problems: ManifestProblem[]): void {
  const problem = (message: string, at: ManifestOrigin = origin): void => {
    problems.push({ ...at, message });
  };
  if (!isMapping(value)) {
    problem(`a manifest must be a mapping with apiVersion, kind and metadata, got ${kindOfValue(value)}`);
    return;
  }
  const { kind, apiVersion, items } = value;
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
    // A typed list (ConfigMapList) may leave its items' apiVersion and kind out; they follow from the list.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    items.forEach((item: unknown, j) => {
      const at = { ...origin, item: j + 1 };
      if (isMapping(item) && itemKind) {
        item.kind ??= itemKind;
        item.apiVersion ??= apiVersion;
      }
      validate(item, at, out, problem);
    });
    return;
  }
  validate(value, origin, out, problem);
}

function validate(
  value: unknown,
  origin: ManifestOrigin,
  out: Manifest[],
  problem: (message: string, at?: ManifestOrigin) => void,
): void {
  if (!isMapping(value)) {
    problem(
      `a manifest must be a mapping with apiVersion, kind and metadata, got ${kindOfValue(value)}`,
      origin,
    );
    return;
  }
  const missing: string[] = [];
  if (typeof value.apiVersion !== 'string' || !value.apiVersion) missing.push('apiVersion');
  if (typeof value.kind !== 'string' || !value.kind) missing.push('kind');
  const metadata = value.metadata;
  if (!isMapping(metadata) || typeof metadata.name !== 'string' || !metadata.name)
    missing.push('metadata.name');
  if (missing.length > 0) {
    const what = typeof value.kind === 'string' && value.kind ? `the ${value.kind} ` : '';
    problem(
      `${what}has no ${missing.join(', ')}; every manifest needs apiVersion, kind and metadata.name (generateName cannot be applied)`,
      origin,
    );
    return;
  }
  const manifest = value as Manifest;
  origins.set(manifest, origin);
  out.push(manifest);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOfValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

/** yaml's messages end with the position and a code excerpt; the position is reported separately. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}
