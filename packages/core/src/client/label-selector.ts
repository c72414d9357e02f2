/**
 * Kubernetes label selectors in their string form (`app=shop,tier!=db,env in (prod,staging),!legacy`),
 * parsed once and matched against label maps. Used for cache queries and by the fake API server.
 */

/** One requirement of a selector. */
export interface LabelRequirement {
  /** The label key, e.g. `app.kubernetes.io/name`. */
  key: string;
  /** How the label's value is tested (`=`, `!=`, `in (...)`, `notin (...)`, `key`, `!key`). */
  operator: 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** The values compared with; empty for `Exists` and `DoesNotExist`. */
  values: string[];
}

/** A parsed selector; `matches` is true when every requirement holds. The empty selector matches everything. */
export interface LabelSelector {
  /** The comma-separated requirements, in the order written; all must hold. */
  readonly requirements: readonly LabelRequirement[];
  /** Whether an object with these labels is selected (no labels counts as none). */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

/** A label selector string could not be parsed. */
export class LabelSelectorError extends Error {
  /** `LabelSelectorError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'LabelSelectorError';
}

/** Parses a label selector string. Throws {@link LabelSelectorError} naming the offending part. */
export function parseLabelSelector(selector: string | undefined): LabelSelector {
  const requirements: LabelRequirement[] = [];
  for (const part of splitTopLevel(selector ?? '')) {
    requirements.push(parseRequirement(part, selector ?? ''));
  }
  return {
    requirements,
    matches: (labels) => requirements.every((r) => matchRequirement(r, labels)),
  };
}

/**
 * The string form of a structured selector (`{matchLabels, matchExpressions}`), e.g. from a Deployment spec
 * or an APIBinding claim.
 */
export function formatLabelSelector(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    switch (e.operator) {
      case 'In':
        parts.push(`${e.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${e.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(e.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${e.key}`);
        break;
      default:
        throw new LabelSelectorError(`unknown label selector operator "${e.operator}" for key "${e.key}"`);
    }
  }
  return parts.join(',');
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      if (current.trim()) parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

const setPattern = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/;
const comparePattern = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s,()]*)$/;
const existsPattern = /^(!?)\s*([^\s!=()]+)$/;

function parseRequirement(part: string, whole: string): LabelRequirement {
  const set = setPattern.exec(part);
  if (set) {
    const values = (set[3] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    return { key: set[1] as string, operator: set[2] === 'in' ? 'In' : 'NotIn', values };
  }
  const compare = comparePattern.exec(part);
  if (compare) {
    return {
      key: compare[1] as string,
      operator: compare[2] === '!=' ? 'NotEquals' : 'Equals',
      values: [compare[3] ?? ''],
    };
  }
  const exists = existsPattern.exec(part);
  if (exists) {
    return { key: exists[2] as string, operator: exists[1] ? 'DoesNotExist' : 'Exists', values: [] };
  }
  throw new LabelSelectorError(
    `invalid label selector "${whole}": cannot parse "${part}" (use key=value, key!=value, key in (a,b), key notin (a,b), key or !key)`,
  );
}

function matchRequirement(
  r: LabelRequirement,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Equals':
      return has && value === r.values[0];
    case 'NotEquals':
      return !has || value !== r.values[0];
    case 'In':
      return has && r.values.includes(value as string);
    case 'NotIn':
      return !has || !r.values.includes(value as string);
    default:
      return false;
  }
}
