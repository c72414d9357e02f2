/**
 * What to do to bring the service-cluster copy in line with its kcp object (upstream's
 * `syncObjectSpec`), as a pure decision: with a last-known state, a merge patch from that state to the
 * current (stripped) kcp object, after injecting any identification labels/annotations the copy lacks so
 * broken metadata gets repaired; without one, a full overwrite of every top-level field except
 * apiVersion, kind, metadata and subresources, plus labels and annotations.
 */
import type { KubeObject } from '@kubeloom/core';
import { isRecord } from './is-record.ts';
import { createMergePatch } from './merge-patch.ts';
import { stripMetadata } from './object-identity.ts';

/** The outcome: nothing to do, a merge patch for the copy, or a whole new copy to update with. */
export type SpecSyncAction =
  | { kind: 'in-sync'; newState: Record<string, unknown> }
  | { kind: 'patch'; patch: Record<string, unknown>; newState: Record<string, unknown> }
  | { kind: 'overwrite'; object: Record<string, unknown>; newState: Record<string, unknown> };

/** Inputs of one spec sync. */
export interface SpecSyncInput {
  /** The (mutated) kcp object. */
  source: KubeObject;
  /** The copy on the service cluster. */
  destination: KubeObject;
  /** The last-known state of the source, or undefined when none is stored (or it is unreadable). */
  lastKnown: Record<string, unknown> | undefined;
  /** Top-level keys served as subresources (e.g. `status`), never part of spec syncs. */
  subresources: readonly string[];
  /** The identification labels and annotations the copy must carry (empty for related objects). */
  desiredLabels: Readonly<Record<string, string>>;
  desiredAnnotations: Readonly<Record<string, string>>;
}

/**
 * Decides the spec sync. `newState` is what to store as the last-known state once the action has been
 * applied (the caller strips subresources when storing, see `stateSnapshot`).
 */
export function planSpecSync(input: SpecSyncInput): SpecSyncAction {
  const source = stripMetadata(input.source) as Record<string, unknown>;
  if (!input.lastKnown) {
    const object = structuredClone(input.destination) as Record<string, unknown>;
    for (const [key, value] of Object.entries(input.source as Record<string, unknown>)) {
      if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata' && !input.subresources.includes(key)) {
        object[key] = structuredClone(value);
      }
    }
    const metadata = { ...(object.metadata as Record<string, unknown> | undefined) };
    const sourceMeta = (source.metadata ?? {}) as {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    if (sourceMeta.labels)
      metadata.labels = { ...(metadata.labels as Record<string, string> | undefined), ...sourceMeta.labels };
    if (sourceMeta.annotations) {
      metadata.annotations = {
        ...(metadata.annotations as Record<string, string> | undefined),
        ...sourceMeta.annotations,
      };
    }
    object.metadata = metadata;
    return { kind: 'overwrite', object, newState: source };
  }
  injectMissingMetadata(source, input.destination, input.desiredLabels, input.desiredAnnotations);
  const base = withoutKeys(
    { ...input.lastKnown, apiVersion: source.apiVersion, kind: source.kind },
    input.subresources,
  );
  const patch = createMergePatch(base, withoutKeys(source, input.subresources));
  return Object.keys(patch).length === 0
    ? { kind: 'in-sync', newState: source }
    : { kind: 'patch', patch, newState: source };
}

/** Upstream's `threeWayDiffMetadata`: desired entries the copy lacks (or has wrong) are added to the source. */
function injectMissingMetadata(
  source: Record<string, unknown>,
  destination: KubeObject,
  desiredLabels: Readonly<Record<string, string>>,
  desiredAnnotations: Readonly<Record<string, string>>,
): void {
  const metadata = (isRecord(source.metadata) ? source.metadata : {}) as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  for (const [field, desired] of [
    ['labels', desiredLabels],
    ['annotations', desiredAnnotations],
  ] as const) {
    const present = destination.metadata?.[field] ?? {};
    for (const [key, value] of Object.entries(desired)) {
      if (present[key] !== value) metadata[field] = { ...metadata[field], [key]: value };
    }
  }
  source.metadata = metadata;
}

function withoutKeys(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const copy = { ...object };
  for (const key of keys) delete copy[key];
  return copy;
}
