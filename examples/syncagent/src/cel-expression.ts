/**
 * CEL expressions of `cel` mutations, compiled once and evaluated per object with `@bufbuild/cel` (a
 * conformance-tested evaluator; we never interpret CEL ourselves). The variables are upstream's: `value`
 * (the current value at the mutation's path), `self` (the object being mutated) and `other` (the object on
 * the other side, or null). JSON goes in and comes out the way Kubernetes' Go decoding shapes it: whole
 * numbers are CEL `int`, other numbers `double`.
 */
import {
  CelScalar,
  type CelInput,
  type CelValue,
  celEnv,
  celList,
  celMap,
  isCelError,
  isCelList,
  isCelMap,
  isCelUint,
  parse,
  plan,
} from '@bufbuild/cel';

/** The variables a mutation expression may use. */
export const celMutationVariables = ['value', 'self', 'other'] as const;

/** Values bound to the variables of one evaluation. */
export type CelMutationBindings = Record<(typeof celMutationVariables)[number], unknown>;

/** An expression that does not parse or uses an undeclared variable. */
export class CelCompileError extends Error {
  override readonly name = 'CelCompileError';
}

/** An expression that failed at evaluation time (e.g. a missing key) or returned a non-JSON value. */
export class CelEvaluationError extends Error {
  override readonly name = 'CelEvaluationError';
}

/** A compiled expression. */
export interface CompiledCelExpression {
  readonly source: string;
  /** Evaluates and returns the result as JSON. Throws {@link CelEvaluationError}. */
  evaluate(bindings: CelMutationBindings): unknown;
}

const env = celEnv({
  variables: { value: CelScalar.DYN, self: CelScalar.DYN, other: CelScalar.DYN },
});

/** Identifiers CEL resolves without a declaration: type names usable in `type(x) == int`. */
const builtinIdentifiers = new Set([
  'int',
  'uint',
  'double',
  'bool',
  'string',
  'bytes',
  'list',
  'map',
  'null_type',
  'type',
  'dyn',
]);

/** Compiles `expression`. Throws {@link CelCompileError} with the parser's position, or the unknown name. */
export function compileCelExpression(expression: string): CompiledCelExpression {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (error) {
    throw new CelCompileError(`does not compile: ${(error as Error).message}`);
  }
  // The generated AST type is wider than the fields this walk reads; the cast only narrows what we look at.
  const unknown = undeclaredIdentifiers(parsed.expr as unknown as ExprNode, new Set());
  if (unknown.size > 0) {
    throw new CelCompileError(
      `does not compile: undeclared reference to ${[...unknown].map((n) => `"${n}"`).join(', ')} (the variables are value, self and other)`,
    );
  }
  const program = plan(env, parsed);
  return {
    source: expression,
    evaluate(bindings) {
      const result = program({
        value: jsonToCel(bindings.value),
        self: jsonToCel(bindings.self),
        other: jsonToCel(bindings.other),
      });
      if (isCelError(result)) throw new CelEvaluationError(`evaluation failed: ${result.message}`);
      return celToJson(result);
    },
  };
}

/** The parts of the parsed AST this walk reads (structurally typed to avoid depending on cel-spec). */
interface ExprNode {
  exprKind:
    | { case: 'identExpr'; value: { name: string } }
    | { case: 'selectExpr'; value: { operand?: ExprNode | undefined } }
    | { case: 'callExpr'; value: { target?: ExprNode | undefined; args: ExprNode[] } }
    | { case: 'listExpr'; value: { elements: ExprNode[] } }
    | {
        case: 'structExpr';
        value: {
          entries: Array<{ keyKind: { case?: string; value?: unknown }; value?: ExprNode | undefined }>;
        };
      }
    | {
        case: 'comprehensionExpr';
        value: {
          iterVar: string;
          iterVar2: string;
          accuVar: string;
          iterRange?: ExprNode | undefined;
          accuInit?: ExprNode | undefined;
          loopCondition?: ExprNode | undefined;
          loopStep?: ExprNode | undefined;
          result?: ExprNode | undefined;
        };
      }
    | { case: 'constExpr' | undefined; value?: unknown };
}

function undeclaredIdentifiers(
  node: ExprNode | undefined,
  bound: ReadonlySet<string>,
  out = new Set<string>(),
): Set<string> {
  if (!node) return out;
  const kind = node.exprKind;
  switch (kind.case) {
    case 'identExpr':
      if (
        !bound.has(kind.value.name) &&
        !builtinIdentifiers.has(kind.value.name) &&
        !(celMutationVariables as readonly string[]).includes(kind.value.name)
      ) {
        out.add(kind.value.name);
      }
      break;
    case 'selectExpr':
      undeclaredIdentifiers(kind.value.operand, bound, out);
      break;
    case 'callExpr':
      undeclaredIdentifiers(kind.value.target, bound, out);
      for (const arg of kind.value.args) undeclaredIdentifiers(arg, bound, out);
      break;
    case 'listExpr':
      for (const element of kind.value.elements) undeclaredIdentifiers(element, bound, out);
      break;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey')
          undeclaredIdentifiers(entry.keyKind.value as ExprNode, bound, out);
        undeclaredIdentifiers(entry.value, bound, out);
      }
      break;
    case 'comprehensionExpr': {
      const c = kind.value;
      undeclaredIdentifiers(c.iterRange, bound, out);
      undeclaredIdentifiers(c.accuInit, bound, out);
      const inner = new Set([...bound, c.iterVar, c.accuVar, ...(c.iterVar2 ? [c.iterVar2] : [])]);
      undeclaredIdentifiers(c.loopCondition, inner, out);
      undeclaredIdentifiers(c.loopStep, inner, out);
      undeclaredIdentifiers(c.result, new Set([...bound, c.accuVar]), out);
      break;
    }
    case 'constExpr':
    case undefined:
      break;
  }
  return out;
}

/** JSON → CEL input: objects become maps, arrays lists, whole numbers `int` (bigint), others `double`. */
export function jsonToCel(value: unknown): CelInput {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return celList(value.map(jsonToCel));
  if (typeof value === 'object') {
    return celMap(
      new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonToCel(v)])),
    );
  }
  throw new CelEvaluationError(`cannot pass a ${typeof value} to CEL`);
}

/** CEL result → JSON. Throws {@link CelEvaluationError} for values JSON cannot hold (bytes, types, messages). */
export function celToJson(value: CelValue): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new CelEvaluationError(`the result ${value} is not representable in JSON`);
    return value;
  }
  if (typeof value === 'bigint') return bigintToJson(value);
  if (isCelUint(value)) return bigintToJson(value.value);
  if (isCelList(value)) return [...value].map(celToJson);
  if (isCelMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) {
      if (typeof k !== 'string') {
        throw new CelEvaluationError(
          `the result is a map with a non-string key (${typeof k === 'object' ? k.value.toString() : k.toString()}), which JSON cannot hold`,
        );
      }
      out[k] = celToJson(v);
    }
    return out;
  }
  throw new CelEvaluationError('the result is not a JSON value (bytes, a type, a timestamp or a message)');
}

function bigintToJson(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new CelEvaluationError(`the result ${value} is too large to be written exactly as a JSON number`);
  }
  return Number(value);
}
