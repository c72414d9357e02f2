import type { KubeObject } from '../client/object.ts';

/** Where a manifest came from: a file (or the name given to text) and its place in it. */
export interface ManifestOrigin {
  /** File path, or the `source` name given to {@link parseManifests} (default `manifests`). */
  readonly source: string;
  /** 1-based position of the YAML document in the source (empty documents count too, as in an editor). */
  readonly document: number;
  /** 1-based position within a `List` document's `items`, for manifests that came out of a List. */
  readonly item?: number | undefined;
  /** 1-based line where the document (or the problem) starts, when known. */
  readonly line?: number | undefined;
  /** 1-based column of the problem, when known. */
  readonly column?: number | undefined;
}

/** `deploy.yaml, document 2 (line 14)` or `list.yaml, document 1, item 3 (line 2)`. */
export function describeOrigin(origin: ManifestOrigin): string {
  const item = origin.item !== undefined ? `, item ${origin.item}` : '';
  const at =
    origin.line !== undefined
      ? ` (line ${origin.line}${origin.column !== undefined ? `, column ${origin.column}` : ''})`
      : '';
  return `${origin.source}, document ${origin.document}${item}${at}`;
}

/** One thing wrong with a manifest source. */
export interface ManifestProblem extends ManifestOrigin {
  /** What is wrong, e.g. `metadata.name is missing`. */
  readonly message: string;
}

/**
 * Manifests could not be parsed or are incomplete. Lists every problem found in the sources, each with the
 * file, document index and line, so one run shows everything to fix.
 */
export class ManifestError extends Error {
  /** `ManifestError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'ManifestError';
  /** Every problem found, in source order. */
  readonly problems: readonly ManifestProblem[];

  /** @param problems At least one problem; the message lists them all. */
  constructor(problems: readonly ManifestProblem[]) {
    const lines = problems.map((p) => `${describeOrigin(p)}: ${p.message}`);
    super(
      lines.length === 1
        ? (lines[0] ?? '')
        : `${lines.length} problems in manifests:\n  ${lines.join('\n  ')}`,
    );
    this.problems = problems;
  }
}

/**
 * Applying one manifest failed. Names the manifest (kind, namespace/name and where it came from); `cause` is
 * the underlying error (an `ApiError`, `NoMatchError`, ...), and `applied` the manifests applied before it.
 */
export class ManifestApplyError extends Error {
  /** `ManifestApplyError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'ManifestApplyError';
  /** The manifest that failed. */
  readonly manifest: KubeObject;
  /** What the server stored for each manifest applied before this one, in order. */
  readonly applied: readonly KubeObject[];

  /** @param cause The error applying `manifest` failed with. */
  constructor(message: string, manifest: KubeObject, applied: readonly KubeObject[], cause: unknown) {
    super(message, { cause });
    this.manifest = manifest;
    this.applied = applied;
  }
}
