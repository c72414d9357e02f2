import { type LabelSelector, parseLabelSelector } from '../client/label-selector.ts';
import { type KubeObject, clusterOf } from '../client/object.ts';
import { ALL_CLUSTERS } from './api-path.ts';
import { FieldSelector } from './field-selector.ts';
import { badRequest } from './status-error.ts';

/** Which objects a LIST, WATCH or deleteCollection sees: scope (cluster, namespace, name) plus selectors. */
export class ObjectFilter {
  /** Logical cluster, or `*` for all clusters. */
  readonly cluster: string;
  /** `undefined`: every namespace (or a cluster-scoped resource). */
  readonly namespace: string | undefined;
  /** Set for watches on a single object URL. */
  readonly name: string | undefined;
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;

  constructor(init: {
    cluster: string;
    namespace?: string | undefined;
    name?: string | undefined;
    labelSelector?: string | undefined;
    fieldSelector?: string | undefined;
  }) {
    this.cluster = init.cluster;
    this.namespace = init.namespace;
    this.name = init.name;
    try {
      this.labels = parseLabelSelector(init.labelSelector);
      this.fields = FieldSelector.parse(init.fieldSelector ?? '');
    } catch (err) {
      throw badRequest(err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * The key prefix every matching object's store key shares (see `objectKey`), so that a sorted key list
   * can be scanned from the first candidate only.
   */
  get keyPrefix(): string {
    if (this.cluster === ALL_CLUSTERS) return '';
    if (this.namespace === undefined) return `${this.cluster}|`;
    return `${this.cluster}|${this.namespace}/`;
  }

  /** Whether the object is in scope and selected. */
  matches(obj: KubeObject): boolean {
    const meta = obj.metadata;
    if (this.cluster !== ALL_CLUSTERS && clusterOf(obj) !== this.cluster) return false;
    if (this.namespace !== undefined && (meta?.namespace ?? '') !== this.namespace) return false;
    if (this.name !== undefined && meta?.name !== this.name) return false;
    if (this.labels.requirements.length > 0 && !this.labels.matches(meta?.labels)) return false;
    if (!this.fields.empty && !this.fields.matches(obj)) return false;
    return true;
  }

  /** Whether only scope (not selectors) restricts the result. */
  get selectsAll(): boolean {
    return this.labels.requirements.length === 0 && this.fields.empty && this.name === undefined;
  }
}
