import type { KubeObject } from '../client/object.ts';

/** What an event is about and what happened, for an {@link EventRecorder}. */
export interface EventRecord {
  type: 'Normal' | 'Warning';
  /** Short UpperCamelCase reason, e.g. `Provisioned`. */
  reason: string;
  message: string;
  /** What was done, e.g. `Reconcile`. Default the reason. */
  action?: string;
}

/** Records Kubernetes Events about objects of one cluster. Recording never throws; failures are logged. */
export interface EventRecorder {
  record(object: KubeObject, event: EventRecord): void;
}
