import type { KubeObject } from '../client/object.ts';

/** What an event is about and what happened, for an {@link EventRecorder}. */
export interface EventRecord {
  /** `Warning` for something a user should look at; `Normal` otherwise. */
  type: 'Normal' | 'Warning';
  /** Short UpperCamelCase reason, e.g. `Provisioned`. */
  reason: string;
  /** Human-readable detail, e.g. `database shop-db is ready`. */
  message: string;
  /** What was done, e.g. `Reconcile`. Default the reason. */
  action?: string;
}

/** Records Kubernetes Events about objects of one cluster. Recording never throws; failures are logged. */
export interface EventRecorder {
  /** Records `event` about `object` (it appears under the object in `kubectl describe`); returns at once. */
  record(object: KubeObject, event: EventRecord): void;
}
