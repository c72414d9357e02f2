/**
 * Content rewriting (`spec.mutation.spec` / `.status` and the same on related resources): `delete`,
 * `regex`, `template` and `cel` steps, compiled once per PublishedResource and applied in order to a copy
 * of an object. Semantics follow upstream (regex and template results are written as strings, CEL results
 * with their JSON type); beyond upstream, a path may address every element of a list (`spec.items[*].x`
 * or `spec.items.#.x`), and the step then runs once per element with `value` bound to that element's
 * value.
 */
import { type CompiledCelExpression, compileCelExpression } from './cel-expression.ts';
import { FieldProblemError } from './field-problem.ts';
import { type GoTemplate, parseGoTemplate } from './go-template.ts';
import { type GoRegexp, compileGoRegexp } from './go-regexp.ts';
import {
  type PathSegment,
  deleteJsonPathValue,
  expandJsonPath,
  formatJsonPath,
  getJsonPathValue,
  parseJsonPath,
  setJsonPathValue,
} from './json-path.ts';
import type { ResourceMutation } from './published-resource.ts';

/** A JSON object being mutated. */
export type JsonObject = Record<string, unknown>;

/** One compiled step. */
export interface CompiledMutation {
  /** Field path of the step in the PublishedResource, e.g. `spec.mutation.spec[0]`. */
  readonly fieldPath: string;
  /** Mutates `self` in place; `other` is the object on the other side (or null). */
  apply(self: JsonObject, other: JsonObject | null): void;
}

/**
 * Compiles one step. `fieldPath` names the step (e.g. `spec.mutation.spec[2]`) in errors. Throws
 * {@link FieldProblemError} when the step sets zero or several kinds, or a path, pattern, template or
 * expression does not compile.
 */
export function compileMutation(mutation: ResourceMutation, fieldPath: string): CompiledMutation {
  const kinds = (['delete', 'regex', 'template', 'cel'] as const).filter(
    (k) => mutation[k] !== undefined && mutation[k] !== null,
  );
  if (kinds.length !== 1) {
    throw new FieldProblemError({
      path: fieldPath,
      message:
        kinds.length === 0
          ? 'exactly one of delete, regex, template or cel must be set, but none is'
          : `exactly one of delete, regex, template or cel must be set, but ${kinds.join(' and ')} are`,
    });
  }
  const kind = kinds[0] as (typeof kinds)[number];
  const stepPath = `${fieldPath}.${kind}`;
  const step = mutation[kind] as { path?: unknown };
  if (typeof step.path !== 'string') {
    throw new FieldProblemError({ path: `${stepPath}.path`, message: 'is required' });
  }
  const segments = compilePath(step.path, `${stepPath}.path`);
  switch (kind) {
    case 'delete':
      return { fieldPath, apply: (self) => applyDelete(self, segments) };
    case 'regex': {
      const { pattern = '', replacement = '' } = mutation.regex ?? {};
      const regexp = pattern
        ? compileOrProblem(() => compileGoRegexp(pattern), `${stepPath}.pattern`)
        : undefined;
      return {
        fieldPath,
        apply: (self) =>
          forEachTarget(self, segments, stepPath, (value) => applyRegex(regexp, replacement, value)),
      };
    }
    case 'template': {
      const source = mutation.template?.template;
      if (typeof source !== 'string')
        throw new FieldProblemError({ path: `${stepPath}.template`, message: 'is required' });
      const template = compileOrProblem(
        () => parseGoTemplate(source),
        `${stepPath}.template`,
        'template does not parse: ',
      );
      return {
        fieldPath,
        apply: (self, other) =>
          forEachTarget(self, segments, stepPath, (value) =>
            renderTemplateMutation(template, value, self, other),
          ),
      };
    }
    case 'cel': {
      const source = mutation.cel?.expression;
      if (typeof source !== 'string')
        throw new FieldProblemError({ path: `${stepPath}.expression`, message: 'is required' });
      const expression = compileOrProblem(() => compileCelExpression(source), `${stepPath}.expression`);
      return {
        fieldPath,
        apply: (self, other) =>
          forEachTarget(self, segments, stepPath, (value) => evaluateCel(expression, value, self, other)),
      };
    }
  }
  throw new TypeError(`unknown mutation kind ${String(kind)}`);
}

/** Compiles a list of steps found at `fieldPath` (e.g. `spec.mutation.spec`). Throws on the first problem. */
export function compileMutations(
  mutations: readonly ResourceMutation[] | undefined,
  fieldPath: string,
): CompiledMutation[] {
  return (mutations ?? []).map((m, i) => compileMutation(m, `${fieldPath}[${i}]`));
}

/** Applies compiled steps in order to a deep copy of `object` and returns the copy. */
export function applyMutations(
  mutations: readonly CompiledMutation[],
  object: JsonObject,
  other: JsonObject | null,
): JsonObject {
  const copy = structuredClone(object);
  for (const mutation of mutations) mutation.apply(copy, other);
  return copy;
}

function compilePath(path: string, fieldPath: string): PathSegment[] {
  return compileOrProblem(() => parseJsonPath(path), fieldPath);
}

function compileOrProblem<T>(compile: () => T, path: string, prefix = ''): T {
  try {
    return compile();
  } catch (error) {
    throw new FieldProblemError({ path, message: prefix + (error as Error).message });
  }
}

function applyDelete(self: JsonObject, segments: readonly PathSegment[]): void {
  // Last element first, so earlier indexes stay valid while list elements are removed.
  for (const target of expandJsonPath(self, segments).toReversed()) deleteJsonPathValue(self, target);
}

/** Rewrites the value at each concrete target; errors name the step and the concrete element. */
function forEachTarget(
  self: JsonObject,
  segments: readonly PathSegment[],
  stepPath: string,
  compute: (current: { found: boolean; value?: unknown }) => unknown,
): void {
  for (const target of expandJsonPath(self, segments)) {
    try {
      setJsonPathValue(self, target, compute(getJsonPathValue(self, target)));
    } catch (error) {
      throw new FieldProblemError({
        path: stepPath,
        message: `at ${formatJsonPath(target)}: ${(error as Error).message}`,
      });
    }
  }
}

/** gjson's `Result.String()`: strings as-is, other scalars as JSON text, missing/null as "". */
export function gjsonString(current: { found: boolean; value?: unknown }): string {
  if (!current.found || current.value === null || current.value === undefined) return '';
  return typeof current.value === 'string' ? current.value : JSON.stringify(current.value);
}

function applyRegex(
  regexp: GoRegexp | undefined,
  replacement: string,
  current: { found: boolean; value?: unknown },
): string {
  if (!regexp) return replacement;
  return regexp.replaceAll(gjsonString(current), replacement);
}

function renderTemplateMutation(
  template: GoTemplate,
  current: { found: boolean; value?: unknown },
  self: JsonObject,
  other: JsonObject | null,
): string {
  const value = {
    String: () => gjsonString(current),
    Exists: () => current.found,
    Value: () => (current.found ? current.value : null),
  };
  return template.execute({ Value: value, LocalObject: self, RemoteObject: other }).trim();
}

function evaluateCel(
  expression: CompiledCelExpression,
  current: { found: boolean; value?: unknown },
  self: JsonObject,
  other: JsonObject | null,
): unknown {
  return expression.evaluate({ value: current.found ? current.value : null, self, other });
}
