/**
 * Types of patch bodies, derived from the object type of a resource, so that a typo in a field name or a
 * value of the wrong type fails at compile time instead of as a 422 from the server (or, worse, as a merge
 * patch that silently adds an unknown field the server then prunes).
 */
import type { KubeObject, ObjectMeta } from './object.ts';

/** A value JSON can carry; the fallback for fields whose type is not known. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** True for the untyped object type (a descriptor made without a type argument): its patches stay loose. */
type IsUntyped<T> = KubeObject extends T ? true : false;

/**
 * An RFC 7386 JSON merge patch of `T`: every field optional, `null` removes a field, and arrays are
 * replaced as a whole, so an array in the patch holds complete elements.
 */
export type MergePatch<T> = IsUntyped<T> extends true ? { [key: string]: unknown } : MergePatchValue<T>;

type MergePatchValue<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: MergePatchValue<T[K]> | null }
    : T;

/**
 * A Kubernetes strategic merge patch of `T` (built-in types only): like {@link MergePatch}, except that
 * lists with a merge key (containers by `name`, ...) are merged element by element, so their elements are
 * partial too.
 */
export type StrategicMergePatch<T> =
  IsUntyped<T> extends true ? { [key: string]: unknown } : StrategicValue<T>;

type StrategicValue<T> = T extends readonly (infer U)[]
  ? StrategicValue<U>[]
  : T extends object
    ? { [K in keyof T]?: StrategicValue<T[K]> | null }
    : T;

/**
 * The depth down to which {@link JsonPatch} spells out the paths of `T` and types their values. Deeper
 * paths are accepted as any string below a spelled-out prefix, with a value of any JSON type: spelling out
 * every path of a large type (a Pod has thousands) would slow the compiler down for little gain.
 */
type PathDepth = [never, 0, 1, 2, 3];

/** Every JSON pointer into `T` down to {@link PathDepth}, mapped to the type of the value found there. */
type PathsOf<T, Depth extends number = 4> = [Depth] extends [never]
  ? { [path: `/${string}`]: JsonValue }
  : T extends readonly (infer U)[]
    ? { [P in `/${number}` | '/-']: U } & Prefixed<`/${number}`, PathsOf<U, PathDepth[Depth]>>
    : T extends object
      ? string extends keyof T
        ? { [path: `/${string}`]: T[string & keyof T] }
        : UnionToIntersection<
            {
              [K in keyof T & string]-?: { [P in `/${Escaped<K>}`]: NonNullable<T[K]> } & Prefixed<
                `/${Escaped<K>}`,
                PathsOf<NonNullable<T[K]>, PathDepth[Depth]>
              >;
            }[keyof T & string]
          >
      : unknown;

type Prefixed<Prefix extends string, Paths> = {
  [P in keyof Paths as P extends string ? `${Prefix}${P}` : never]: Paths[P];
};

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** A field name as a JSON pointer segment: `~` becomes `~0` and `/` becomes `~1` (RFC 6901). */
type Escaped<K extends string> = K extends `${infer A}~${infer B}`
  ? `${A}~0${Escaped<B>}`
  : K extends `${infer A}/${infer B}`
    ? `${A}~1${Escaped<B>}`
    : K;

type Pointers<T> = PathsOf<T>;

/**
 * One RFC 6902 JSON patch operation on `T`. `path` is a JSON pointer (build one with {@link jsonPointer});
 * for paths a few levels deep the value is typed by the field it lands on.
 */
export type JsonPatchOperation<T> =
  IsUntyped<T> extends true
    ? UntypedOperation
    :
        | {
            [P in keyof Pointers<T> & string]: ValueOperation<P, Pointers<T>[P]> | RemoveOperation<P>;
          }[keyof Pointers<T> & string]
        | MoveOperation;

type UntypedOperation = ValueOperation<string, unknown> | RemoveOperation<string> | MoveOperation;

/** A JSON patch operation that puts a value at `path` (or, for `test`, checks it is there). */
export interface ValueOperation<P extends string, V> {
  /**
   * `add` sets a field (or inserts into a list, `/-` appending), `replace` sets a field that must exist,
   * `test` fails the whole patch unless the value there equals `value`.
   */
  op: 'add' | 'replace' | 'test';
  /** JSON pointer to the field, e.g. `/spec/replicas`. */
  path: P;
  /** The value to put there, or to compare with. */
  value: V;
}

/** A JSON patch operation that removes the field (or list element) at `path`, which must exist. */
export interface RemoveOperation<P extends string> {
  /** `remove`. */
  op: 'remove';
  /** JSON pointer to the field, e.g. `/metadata/labels/tier`. */
  path: P;
}

/** A JSON patch operation that moves or copies the value at `from` to `path`. */
export interface MoveOperation {
  /** `move` removes the value at `from`; `copy` keeps it. */
  op: 'move' | 'copy';
  /** JSON pointer to the value taken. */
  from: string;
  /** JSON pointer to where it goes. */
  path: string;
}

/** An RFC 6902 JSON patch of `T`: operations applied in order, all or none. */
export type JsonPatch<T> = readonly JsonPatchOperation<T>[];

/**
 * A server-side apply configuration of `T`: the fields this field manager owns, and nothing else. Like the
 * apply configurations of client-go, every field is optional (a field left out is given up, not cleared)
 * except what identifies the object: `apiVersion`, `kind` and `metadata.name`.
 */
export type ApplyConfiguration<T> = ApplyFields<T> & {
  /** `group/version` of the object, e.g. `apps/v1`: the server reads the configuration as that version. */
  apiVersion: string;
  /** Kind of the object, e.g. `Deployment`. */
  kind: string;
  /** The name (and namespace) of the object, and the labels, annotations, ... this manager owns. */
  metadata: ApplyFields<ObjectMeta> & {
    /** Name of the object the configuration is for. */
    name: string;
  };
};

/**
 * What {@link Client.apply} takes: an {@link ApplyConfiguration} whose `apiVersion` and `kind` may be left
 * out, since the client fills them in from the resource descriptor.
 */
export type ApplyIntent<T> = ApplyFields<T> & {
  /** Default: from the resource descriptor. */
  apiVersion?: string;
  /** Default: from the resource descriptor. */
  kind?: string;
  /** The name (and namespace) of the object, and the labels, annotations, ... this manager owns. */
  metadata: ApplyFields<ObjectMeta> & {
    /** Name of the object the configuration is for. */
    name: string;
  };
};

type ApplyFields<T> = IsUntyped<T> extends true ? { [key: string]: unknown } : ApplyValue<T>;

type ApplyValue<T> = T extends readonly (infer U)[]
  ? ApplyValue<U>[]
  : T extends object
    ? { [K in keyof T]?: ApplyValue<T[K]> }
    : T;

/**
 * A JSON pointer (RFC 6901) from path segments, escaping `~` and `/` inside them, e.g.
 * `jsonPointer('metadata', 'labels', 'app.kubernetes.io/name')` is `/metadata/labels/app.kubernetes.io~1name`.
 */
export function jsonPointer<const S extends readonly (string | number)[]>(...segments: S): PointerOf<S> {
  return `/${segments.map((s) => String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}` as PointerOf<S>;
}

/** The JSON pointer {@link jsonPointer} builds from `S`, as a literal type where the segments are literals. */
export type PointerOf<S extends readonly (string | number)[]> = S extends readonly [
  infer Head extends string | number,
  ...infer Rest extends readonly (string | number)[],
]
  ? `/${Escaped<`${Head}`>}${PointerOf<Rest>}`
  : S extends readonly []
    ? ''
    : `/${string}`;
