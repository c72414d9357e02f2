import type { Status } from '../client/errors.ts';
import type { KubeObject } from '../client/object.ts';

/** One line of a Kubernetes watch response, as the server sends it. */
export type RawWatchEvent<T extends KubeObject = KubeObject> =
  | {
      /** What happened to the object. */
      type: 'ADDED' | 'MODIFIED' | 'DELETED';
      /** The object after the change (for DELETED: its last state). */
      object: T;
    }
  /** Only `metadata.resourceVersion` (and maybe annotations) of the object is meaningful. */
  | {
      /** `BOOKMARK`. */
      type: 'BOOKMARK';
      /** Carries the resourceVersion to resume from. */
      object: T;
    }
  /** The watch failed; `object` is a Status (410 Expired means: relist). */
  | {
      /** `ERROR`. */
      type: 'ERROR';
      /** Why the watch failed. */
      object: Status;
    };
