import type { Status } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';

/** One line of a Kubernetes watch response, as the server sends it. */
export type RawWatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  /** Only `metadata.resourceVersion` (and maybe annotations) of the object is meaningful. */
  | { type: 'BOOKMARK'; object: T }
  /** The watch failed; `object` is a Status (410 Expired means: relist). */
  | { type: 'ERROR'; object: Status };
