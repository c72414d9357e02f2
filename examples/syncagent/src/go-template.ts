/**
 * The subset of Go `text/template` that PublishedResources use in naming rules, template mutations and
 * related-resource templates: text, `{{ }}` actions with `{{-`/`-}}` trimming, field chains
 * (`.ClusterName`, `.Object.metadata.name`), string/number/bool literals, function calls and pipelines
 * (`{{ .Object.metadata.name | sha3short 8 }}`), and a fixed list of functions ({@link supportedFunctions}).
 * Anything else (if/range/with, variables, parentheses, other sprig functions) is rejected at parse time
 * with an error naming the construct, so a PublishedResource fails validation instead of misbehaving.
 */
import { createHash } from 'node:crypto';
import { sha3short, sha3sum, shortHash } from './hashes.ts';

/** A template that does not parse, or uses something outside the supported subset. */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
}

/** A template that parsed but failed while rendering (e.g. a function got a missing value). */
export class TemplateExecutionError extends Error {
  override readonly name = 'TemplateExecutionError';
}

/** A parsed template, reusable for many renders. */
export interface GoTemplate {
  readonly source: string;
  /** Renders with `data` as `.`; the output is not trimmed (callers decide). */
  execute(data: unknown): string;
}

type Operand =
  | { kind: 'field'; chain: string[] }
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'function'; name: string };

interface Command {
  operands: Operand[];
}

type Node = { kind: 'text'; text: string } | { kind: 'action'; pipeline: Command[]; source: string };

/** Marks a missing map key, printed by Go as `<no value>`. */
const missing: unique symbol = Symbol('missing');
type Value = unknown;

interface TemplateFunction {
  /** Number of fixed parameters (the piped value, if any, is the last argument). */
  readonly arity: readonly [min: number, max: number];
  call(args: Value[], name: string): Value;
}

function expectString(value: Value, fn: string, position: number): string {
  if (value === missing) {
    throw new TemplateExecutionError(
      `${fn}: argument ${position} has no value (the field does not exist); expected a string`,
    );
  }
  if (typeof value !== 'string') {
    throw new TemplateExecutionError(
      `${fn}: argument ${position} is ${goTypeName(value)}; expected a string`,
    );
  }
  return value;
}

function expectInteger(value: Value, fn: string, position: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TemplateExecutionError(
      `${fn}: argument ${position} is ${goTypeName(value)}; expected an integer`,
    );
  }
  return value;
}

function stringFunction(impl: (s: string) => string): TemplateFunction {
  return { arity: [1, 1], call: (args, name) => impl(expectString(args[0], name, 1)) };
}

const functions: Record<string, TemplateFunction> = {
  sha3sum: stringFunction(sha3sum),
  sha3short: {
    arity: [1, 2],
    call(args, name) {
      const input = expectString(args.at(-1), name, args.length);
      const length = args.length === 2 ? expectInteger(args[0], name, 1) : 20;
      if (length <= 0) throw new TemplateExecutionError(`sha3short: invalid length ${length}`);
      return sha3short(input, length);
    },
  },
  shortHash: stringFunction(shortHash),
  sha1sum: stringFunction((s) => createHash('sha1').update(s).digest('hex')),
  sha256sum: stringFunction((s) => createHash('sha256').update(s).digest('hex')),
  lower: stringFunction((s) => s.toLowerCase()),
  upper: stringFunction((s) => s.toUpperCase()),
  trim: stringFunction((s) => s.trim()),
  trimPrefix: {
    arity: [2, 2],
    call: (args, name) => {
      const prefix = expectString(args[0], name, 1);
      const s = expectString(args[1], name, 2);
      return s.startsWith(prefix) ? s.slice(prefix.length) : s;
    },
  },
  trimSuffix: {
    arity: [2, 2],
    call: (args, name) => {
      const suffix = expectString(args[0], name, 1);
      const s = expectString(args[1], name, 2);
      return suffix && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s;
    },
  },
  replace: {
    arity: [3, 3],
    call: (args, name) =>
      expectString(args[2], name, 3).replaceAll(
        expectString(args[0], name, 1),
        expectString(args[1], name, 2),
      ),
  },
  trunc: {
    arity: [2, 2],
    call: (args, name) => {
      const n = expectInteger(args[0], name, 1);
      const s = expectString(args[1], name, 2);
      return n >= 0 ? s.slice(0, n) : s.slice(Math.max(0, s.length + n));
    },
  },
  default: {
    arity: [1, 2],
    call: (args) => {
      const fallback = args[0];
      const given = args.length === 2 ? args[1] : missing;
      return isEmpty(given) ? fallback : given;
    },
  },
  index: {
    arity: [2, 16],
    call: (args, name) => {
      let current = args[0];
      for (const key of args.slice(1)) current = indexValue(current, key, name);
      return current;
    },
  },
};

/** The function names templates may use; everything else is a parse error. */
export const supportedFunctions: readonly string[] = Object.keys(functions).toSorted();

const unsupportedKeywords = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
]);

/** Parses `source`. Throws {@link TemplateSyntaxError} naming the first unsupported or malformed part. */
export function parseGoTemplate(source: string): GoTemplate {
  const nodes = parseNodes(source);
  return {
    source,
    execute(data: unknown): string {
      let out = '';
      for (const node of nodes) {
        if (node.kind === 'text') {
          out += node.text;
        } else {
          try {
            out += printResult(evalPipeline(node.pipeline, data));
          } catch (error) {
            if (error instanceof TemplateExecutionError) {
              throw new TemplateExecutionError(`executing "{{${node.source}}}": ${error.message}`);
            }
            throw error;
          }
        }
      }
      return out;
    },
  };
}

/** Parses and renders once, trimming surrounding whitespace like upstream's `Render`. */
export function renderGoTemplate(source: string, data: unknown): string {
  return parseGoTemplate(source).execute(data).trim();
}

function parseNodes(source: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  let trimNextText = false;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    let text = open < 0 ? source.slice(pos) : source.slice(pos, open);
    if (trimNextText) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text) nodes.push({ kind: 'text', text });
      break;
    }
    let inner = open + 2;
    if (
      source.startsWith('- ', inner) ||
      source.startsWith('-\t', inner) ||
      source.startsWith('-\n', inner)
    ) {
      text = text.replace(/\s+$/, '');
      inner += 1;
    }
    if (text) nodes.push({ kind: 'text', text });
    const close = findClose(source, inner);
    if (close < 0) throw new TemplateSyntaxError(`unclosed action starting at offset ${open}: missing "}}"`);
    let end = close;
    trimNextText = false;
    if (/\s-$/.test(source.slice(inner, close))) {
      end = close - 1;
      trimNextText = true;
    }
    const body = source.slice(inner, end);
    nodes.push({ kind: 'action', pipeline: parsePipeline(body), source: source.slice(open + 2, close) });
    pos = close + 2;
  }
  return nodes;
}

/** Finds the `}}` closing an action, skipping over string literals. */
function findClose(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '"') {
      i++;
      while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
    } else if (ch === '`') {
      i = source.indexOf('`', i + 1);
      if (i < 0) return -1;
    } else if (source.startsWith('}}', i)) {
      return i;
    }
    i++;
  }
  return -1;
}

type Token = { kind: 'pipe' } | { kind: 'operand'; operand: Operand };

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const ch = body[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '|') {
      tokens.push({ kind: 'pipe' });
      i++;
      continue;
    }
    if (ch === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      if (j >= body.length) throw new TemplateSyntaxError(`unterminated string literal in {{${body}}}`);
      let value: string;
      try {
        value = JSON.parse(body.slice(i, j + 1)) as string;
      } catch {
        throw new TemplateSyntaxError(`invalid string literal ${body.slice(i, j + 1)} in {{${body}}}`);
      }
      tokens.push({ kind: 'operand', operand: { kind: 'literal', value } });
      i = j + 1;
      continue;
    }
    if (ch === '`') {
      const j = body.indexOf('`', i + 1);
      if (j < 0) throw new TemplateSyntaxError(`unterminated raw string in {{${body}}}`);
      tokens.push({ kind: 'operand', operand: { kind: 'literal', value: body.slice(i + 1, j) } });
      i = j + 1;
      continue;
    }
    const word = /^[^\s|]+/.exec(body.slice(i))?.[0] as string;
    tokens.push({ kind: 'operand', operand: parseWord(word, body) });
    i += word.length;
  }
  return tokens;
}

function parseWord(word: string, body: string): Operand {
  if (word === '.') return { kind: 'field', chain: [] };
  if (/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(word)) return { kind: 'field', chain: word.slice(1).split('.') };
  if (/^-?\d+$/.test(word)) return { kind: 'literal', value: Number(word) };
  if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
  if (word.startsWith('/*')) throw new TemplateSyntaxError(`comments are not supported (in {{${body}}})`);
  if (word.startsWith('$')) {
    throw new TemplateSyntaxError(`variables such as "${word}" are not supported (in {{${body}}})`);
  }
  if (word.includes('(') || word.includes(')')) {
    throw new TemplateSyntaxError(`parenthesised pipelines are not supported (in {{${body}}})`);
  }
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) {
    if (unsupportedKeywords.has(word)) {
      throw new TemplateSyntaxError(
        `the "${word}" action is not supported; only field values, literals and functions are (in {{${body}}})`,
      );
    }
    if (!Object.hasOwn(functions, word)) {
      throw new TemplateSyntaxError(
        `function "${word}" is not supported (supported: ${supportedFunctions.join(', ')})`,
      );
    }
    return { kind: 'function', name: word };
  }
  throw new TemplateSyntaxError(
    `cannot parse "${word}" in {{${body}}} (expected a field like .Object.metadata.name, a literal or a function)`,
  );
}

function parsePipeline(body: string): Command[] {
  if (!body.trim()) throw new TemplateSyntaxError('empty action {{ }}');
  const commands: Command[] = [];
  let current: Operand[] = [];
  for (const token of tokenize(body)) {
    if (token.kind === 'pipe') {
      if (current.length === 0) throw new TemplateSyntaxError(`missing command before "|" in {{${body}}}`);
      commands.push({ operands: current });
      current = [];
    } else {
      current.push(token.operand);
    }
  }
  if (current.length === 0) throw new TemplateSyntaxError(`missing command after "|" in {{${body}}}`);
  commands.push({ operands: current });
  commands.forEach((command, index) => {
    const [head, ...args] = command.operands;
    if (head?.kind !== 'function') {
      if (args.length > 0)
        throw new TemplateSyntaxError(
          `"${describe(head)}" is not a function but has arguments in {{${body}}}`,
        );
      if (index > 0)
        throw new TemplateSyntaxError(
          `cannot pipe into "${describe(head)}", which is not a function, in {{${body}}}`,
        );
      return;
    }
    const [min, max] = (functions[head.name] as TemplateFunction).arity;
    const count = args.length + (index > 0 ? 1 : 0);
    if (count < min || count > max) {
      throw new TemplateSyntaxError(
        `wrong number of arguments for ${head.name}: got ${count}, want ${min === max ? min : `${min} to ${max}`} (in {{${body}}})`,
      );
    }
    for (const arg of args) {
      if (arg.kind === 'function') {
        throw new TemplateSyntaxError(
          `function "${arg.name}" used as an argument; use a pipeline instead (in {{${body}}})`,
        );
      }
    }
  });
  return commands;
}

function describe(operand: Operand | undefined): string {
  if (!operand) return '';
  if (operand.kind === 'field') return `.${operand.chain.join('.')}`;
  if (operand.kind === 'function') return operand.name;
  return JSON.stringify(operand.value);
}

function evalPipeline(commands: Command[], data: unknown): Value {
  let piped: Value;
  commands.forEach((command, index) => {
    const [head, ...args] = command.operands as [Operand, ...Operand[]];
    if (head.kind !== 'function') {
      piped = evalOperand(head, data);
      return;
    }
    const values = args.map((a) => evalOperand(a, data));
    if (index > 0) values.push(piped);
    piped = (functions[head.name] as TemplateFunction).call(values, head.name);
  });
  return piped;
}

function evalOperand(operand: Operand, data: unknown): Value {
  if (operand.kind === 'literal') return operand.value;
  if (operand.kind === 'function')
    return (functions[operand.name] as TemplateFunction).call([], operand.name);
  let current: Value = data;
  const walked: string[] = [];
  for (const name of operand.chain) {
    // Like Go: a missing key stays missing down the chain, but stepping into null is an error.
    if (current === missing) return missing;
    if (current === null || current === undefined) {
      throw new TemplateExecutionError(`cannot read .${name} of .${walked.join('.')}, which is null`);
    }
    if (typeof current !== 'object' || Array.isArray(current)) {
      throw new TemplateExecutionError(
        `cannot read .${name} of .${walked.join('.')}, which is ${goTypeName(current)}`,
      );
    }
    const record = current as Record<string, unknown>;
    const next = Object.hasOwn(record, name) ? record[name] : missing;
    current = typeof next === 'function' ? (next as () => unknown).call(record) : next;
    walked.push(name);
  }
  return current;
}

function indexValue(container: Value, key: Value, fn: string): Value {
  if (Array.isArray(container)) {
    const i = expectInteger(key, fn, 2);
    if (i < 0 || i >= container.length) throw new TemplateExecutionError(`index out of range: ${i}`);
    return container[i];
  }
  if (container !== null && typeof container === 'object') {
    const k = expectString(key, fn, 2);
    const record = container as Record<string, unknown>;
    return Object.hasOwn(record, k) ? record[k] : missing;
  }
  throw new TemplateExecutionError(`${fn}: cannot index ${goTypeName(container)}`);
}

function isEmpty(value: Value): boolean {
  if (
    value === missing ||
    value === null ||
    value === undefined ||
    value === false ||
    value === 0 ||
    value === ''
  )
    return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function goTypeName(value: Value): string {
  if (value === missing || value === undefined) return 'a missing value';
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a float';
  if (typeof value === 'object') return 'a map';
  return `a ${typeof value}`;
}

/** Formats an action's result like Go's template printing: missing values and null both as `<no value>`. */
function printResult(value: Value): string {
  return value === null ? '<no value>' : printValue(value);
}

/** Formats a value like Go's `fmt.Sprint` does for decoded JSON. */
function printValue(value: Value): string {
  if (value === missing || value === undefined) return '<no value>';
  if (value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(printValue).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).toSorted(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `map[${entries.map(([k, v]) => `${k}:${printValue(v)}`).join(' ')}]`;
  }
  return typeof value === 'bigint' ? value.toString() : `<${typeof value}>`;
}
