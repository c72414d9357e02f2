import type { KubeObject } from '../client/object.ts';

/** One `field=value` / `field!=value` term of a field selector. */
export interface FieldRequirement {
  /** The field compared (the fake server supports these two). */
  field: 'metadata.name' | 'metadata.namespace';
  /** `=` (or `==`) and `!=`. */
  operator: 'Equals' | 'NotEquals';
  /** The value compared with. */
  value: string;
}

const supportedFields = new Set<string>(['metadata.name', 'metadata.namespace']);

/**
 * A parsed field selector (the `fieldSelector` query parameter). Like a real API server for custom
 * resources, only `metadata.name` and `metadata.namespace` are supported.
 */
export class FieldSelector {
  /** The comma-separated requirements; all must hold. */
  readonly requirements: readonly FieldRequirement[];

  constructor(requirements: readonly FieldRequirement[]) {
    this.requirements = requirements;
  }

  /** Parses `metadata.name=a,metadata.namespace!=b` (`=`, `==`, `!=`). Throws a `SyntaxError` naming the bad term. */
  static parse(text: string): FieldSelector {
    const requirements: FieldRequirement[] = [];
    for (const raw of text.split(',')) {
      const term = raw.trim();
      if (!term) continue;
      const match = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!match) throw new SyntaxError(`field selector "${text}": invalid term "${term}"`);
      const [, field = '', op, value = ''] = match;
      if (!supportedFields.has(field)) {
        throw new SyntaxError(`field selector "${text}": field label not supported: ${field}`);
      }
      requirements.push({
        field: field as FieldRequirement['field'],
        operator: op === '!=' ? 'NotEquals' : 'Equals',
        value,
      });
    }
    return new FieldSelector(requirements);
  }

  /** True when the selector matches everything. */
  get empty(): boolean {
    return this.requirements.length === 0;
  }

  /** Whether the object is selected. */
  matches(obj: KubeObject): boolean {
    for (const r of this.requirements) {
      const actual = (r.field === 'metadata.name' ? obj.metadata?.name : obj.metadata?.namespace) ?? '';
      if ((actual === r.value) !== (r.operator === 'Equals')) return false;
    }
    return true;
  }
}
