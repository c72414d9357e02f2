/**
 * One kind at one version, with the OpenAPI v3 schema of its objects: what `kubeloom gen types` reads from
 * a CustomResourceDefinition, a kcp APIResourceSchema or a live cluster's `/openapi/v3`, before it renders
 * TypeScript.
 */
export interface ResourceSchema {
  /** API group, e.g. `postgresql.cnpg.io`; `''` for the core group. */
  readonly group: string;
  /** E.g. `v1`: every served version of a CRD is generated, each into its group/version's file. */
  readonly version: string;
  /** E.g. `Cluster`: the generated interface's name (the descriptor is `ClusterResource`). */
  readonly kind: string;
  /** Lower-case plural used in URLs, e.g. `clusters`. */
  readonly plural: string;
  /** `spec.scope: Namespaced` (or discovery's `namespaced`); decides the descriptor's `namespaced`. */
  readonly namespaced: boolean;
  /** The version serves the `status` subresource (write status with `client.updateStatus`). */
  readonly statusSubresource: boolean;
  /** The OpenAPI v3 schema of an object, as read (validated while rendering). */
  readonly schema: unknown;
  /**
   * Where the schema was read, for error messages: `crds.yaml, document 2 (line 40)` or
   * `the cluster's /openapi/v3/apis/example.io/v1`.
   */
  readonly origin: string;
  /** Path of {@link schema} within its origin, e.g. `spec.versions[0].schema.openAPIV3Schema`. */
  readonly schemaPath: string;
  /** What produced the schema, for the generated file's header: a file path or `the cluster's OpenAPI v3`. */
  readonly source: string;
  /**
   * The schemas `$ref`s point into (`#/components/schemas/<key>`): a server's OpenAPI v3 document describes
   * built-in kinds by reference (a Deployment's pod template is `io.k8s.api.core.v1.PodTemplateSpec`), where
   * CRD schemas are self-contained. Each referenced schema becomes a named type.
   */
  readonly components?: Readonly<Record<string, unknown>>;
  /** The key of this kind's own schema in {@link components}, so that references to it name the kind. */
  readonly componentKey?: string;
}

/** One thing wrong with a schema: where it is and what is wrong. */
export interface SchemaProblem {
  /** Where the schema was read (see {@link ResourceSchema.origin}). */
  readonly origin: string;
  /** Path of the offending value within its origin, e.g. `spec.versions[0].schema.openAPIV3Schema.properties.spec`. */
  readonly path: string;
  /** What is wrong and what to do. */
  readonly message: string;
}

/**
 * The sources cannot be turned into types. Lists every problem found (file, schema path, what is wrong), so
 * one run shows everything to fix.
 */
export class GenTypesError extends Error {
  /** `GenTypesError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'GenTypesError';
  /** Every problem, in source order. */
  readonly problems: readonly SchemaProblem[];

  /** @param problems At least one problem; the message lists them all. */
  constructor(problems: readonly SchemaProblem[]) {
    super(problemsMessage('kubeloom gen types', problems));
    this.problems = problems;
  }
}

/**
 * `<command>: <origin>: <path>: <message>` for one problem; for several, their number and one indented
 * line each, so one run shows everything to fix.
 */
export function problemsMessage(command: string, problems: readonly SchemaProblem[]): string {
  const lines = problems.map((p) => `${p.origin}: ${p.path ? `${p.path}: ` : ''}${p.message}`);
  return lines.length === 1
    ? `${command}: ${lines[0] ?? ''}`
    : `${command}: ${lines.length} problems:\n  ${lines.join('\n  ')}`;
}

/** A JSON object (not an array, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `a list`, `null`, `a string`: what a value is, for messages. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  return `a ${typeof value}`;
}
