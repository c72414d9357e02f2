/** Writing a Webshop's status, and the Events that tell a tenant when a condition changed. */
import { applyStatus, type ConditionUpdate, type ReconcileContext } from '@kubeloom/core';
import { type Webshop, WebshopResource } from '../api/webshop.ts';
import { FIELD_MANAGER } from './names.ts';
import { nextStatus, transitions } from './webshop-conditions.ts';

/**
 * Writes the status when it changed (server-side apply of the status subresource) and records an Event
 * for each condition whose status changed.
 */
export async function writeStatus(
  webshop: Webshop,
  ctx: ReconcileContext,
  updates: readonly ConditionUpdate[],
  fields: { availableReplicas?: number; computeNamespace?: string } = {},
): Promise<void> {
  const status = nextStatus(webshop, updates, fields);
  if (status === webshop.status) return;
  await applyStatus(
    ctx.cluster.client,
    WebshopResource,
    // Only the status: a status apply ignores the rest, and sending the spec would claim its fields.
    {
      apiVersion: 'webshop.kubeloom.dev/v1alpha1',
      kind: 'Webshop',
      metadata: { name: webshop.metadata?.name ?? '', namespace: webshop.metadata?.namespace ?? '' },
      status,
    } as Webshop,
    { fieldManager: FIELD_MANAGER, signal: ctx.signal },
  );
  for (const changed of transitions(webshop.status?.conditions, status.conditions)) {
    ctx.log.info(
      { condition: changed.type, status: changed.status, reason: changed.reason },
      changed.message,
    );
    ctx.cluster.events.record(webshop, {
      type: changed.status === 'False' && changed.reason.endsWith('NotBound') ? 'Warning' : 'Normal',
      reason: changed.reason,
      message: `${changed.type}=${changed.status}: ${changed.message}`,
    });
  }
}
