import type { APIServiceBinding } from '../api/apiservicebinding.ts';
import type { PermissionClaim } from '../api/apiserviceexportrequest.ts';
import { BindingConditions } from '../api/apiservicebinding.ts';
import {
  type ConditionUpdate,
  type KubeBindCondition,
  setCondition,
  setReadySummary,
} from '../api/conditions.ts';

/** The binding status the konnector wants, built condition by condition during a reconcile. */
export class BindingStatus {
  conditions: KubeBindCondition[];
  providerPrettyName: string | undefined;
  boundSchemas: Array<{ group: string; resource: string }> | undefined;
  permissionClaims: PermissionClaim[] | undefined;
  readonly #now = new Date();

  constructor(binding: APIServiceBinding) {
    this.conditions = [...(binding.status?.conditions ?? [])];
    this.providerPrettyName = binding.status?.providerPrettyName;
    this.boundSchemas = binding.status?.boundSchemas;
    this.permissionClaims = binding.status?.permissionClaims;
  }

  /** Sets a condition (a False one as an error unless a severity is given). */
  set(update: ConditionUpdate): this {
    const severity = update.status === 'False' ? (update.severity ?? 'Error') : undefined;
    this.conditions = setCondition(
      this.conditions,
      { ...update, ...(severity ? { severity } : {}) },
      this.#now,
    );
    return this;
  }

  /** The status to write, with the `Ready` summary. */
  toStatus(): NonNullable<APIServiceBinding['status']> {
    const conditions = setReadySummary(
      this.conditions,
      [
        BindingConditions.SecretValid,
        BindingConditions.Connected,
        BindingConditions.SchemaInSync,
        BindingConditions.Heartbeating,
      ],
      this.#now,
    );
    return {
      ...(this.providerPrettyName ? { providerPrettyName: this.providerPrettyName } : {}),
      conditions,
      ...(this.boundSchemas ? { boundSchemas: this.boundSchemas } : {}),
      ...(this.permissionClaims ? { permissionClaims: this.permissionClaims } : {}),
    };
  }
}
