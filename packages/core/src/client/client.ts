import { type WithDates, withRfc3339Dates } from './client-node-objects.ts';
import type { CredentialsOptions } from './credentials.ts';
import { isGone } from './errors.ts';
import type { KubeConfigSource } from './kubeconfig.ts';
import { checkName, checkObject, checkPatch } from './object-check.ts';
import type { KubeList, KubeObject } from './object.ts';
import type {
  ApplyConfiguration,
  ApplyIntent,
  JsonPatch,
  MergePatch,
  StrategicMergePatch,
} from './patch-types.ts';
import { type ResourceDescriptor, apiVersionOf, resourcePath } from './resource.ts';
import { PatchType, type QueryValue, RestClient, type RestClientOptions } from './rest-client.ts';

/** Options every call accepts. */
export interface CallOptions {
  /** Aborts the call (and its retries); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  timeoutMs?: number;
}

/** Where an object lives: namespace for namespaced resources. */
export interface NamespacedOptions extends CallOptions {
  /** Namespace of a namespaced resource; without it a namespaced list or watch covers all namespaces. */
  namespace?: string;
}

/** Options for list calls. */
export interface ListOptions extends NamespacedOptions {
  /** Only objects whose labels match, e.g. `app=shop,tier!=db` (Kubernetes selector syntax). */
  labelSelector?: string;
  /** Only objects whose fields match, e.g. `metadata.name=shop` (the fields a resource supports). */
  fieldSelector?: string;
  /** Page size for paged LISTs. Default 500. */
  limit?: number;
  /** `resourceVersion` semantics for the list (e.g. `'0'` to allow a cached answer). */
  resourceVersion?: string;
  /** How `resourceVersion` is matched: at least that fresh, or exactly that version. */
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
}

/** Options for writes. */
export interface WriteOptions extends NamespacedOptions {
  /** Recorded as the writer in managedFields; use one stable name per controller. */
  fieldManager?: string;
  /** `'All'` to validate and admit without persisting. */
  dryRun?: 'All';
}

/** Options for patches. */
export interface PatchOptions extends WriteOptions {
  /** Patch content type. Default JSON merge patch. */
  type?: PatchType;
  /** For server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  /** Patch a subresource such as `status`. */
  subresource?: string;
}

/** Options for deletes. */
export interface DeleteOptions extends NamespacedOptions {
  /** What happens to dependents: deleted first, deleted after, or left alone. */
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Seconds the object gets to terminate; 0 deletes at once. */
  gracePeriodSeconds?: number;
  /** Delete only if the object still has this uid / resourceVersion. */
  preconditions?: {
    /** The uid the object must have: a recreated object of the same name is not deleted. */
    uid?: string;
    /** The resourceVersion the object must have: a changed object is not deleted (409 Conflict). */
    resourceVersion?: string;
  };
  /** `All` to validate and admit the delete without doing it. */
  dryRun?: 'All';
}

/** Options for server-side apply. */
export interface ApplyOptions extends CallOptions {
  /** Required: who owns the applied fields. */
  fieldManager: string;
  /** Take ownership of fields another manager owns. Controllers usually want true. */
  force?: boolean;
  /** Apply to a subresource such as `status`. */
  subresource?: string;
  /** `All` to validate and admit without persisting. */
  dryRun?: 'All';
}

/** Any patch body of `T` a {@link Client.patch} can send, for a patch type known only at run time. */
export type AnyPatch<T> =
  | MergePatch<T>
  | WithDates<MergePatch<T>>
  | JsonPatch<T>
  | StrategicMergePatch<T>
  | WithDates<StrategicMergePatch<T>>
  | ApplyConfiguration<T>
  | WithDates<ApplyConfiguration<T>>
  | string;

/**
 * Typed verbs over {@link ResourceDescriptor}s. Objects in and out are plain JSON; list items get
 * `apiVersion` and `kind` filled in so that they look exactly like watch events. Objects written may also
 * be @kubernetes/client-node model objects: their `Date` timestamps are sent as the RFC 3339 text the API
 * server writes (see {@link WithDates}).
 */
export class Client {
  /** The HTTP client underneath, for requests no verb covers (and for its server URL and credentials). */
  readonly rest: RestClient;

  /** Wraps a {@link RestClient}; most programs use {@link Client.fromKubeConfig} or a cluster's client instead. */
  constructor(rest: RestClient) {
    this.rest = rest;
  }

  /** A client for a kubeconfig's current context. */
  static fromKubeConfig(
    source: KubeConfigSource = {},
    options: Omit<RestClientOptions, 'credentials'> & CredentialsOptions = {},
  ): Client {
    return new Client(RestClient.fromKubeConfig(source, options));
  }

  /** The same client pointed at another base URL (see {@link RestClient.withServer}). */
  withServer(url: string): Client {
    return new Client(this.rest.withServer(url));
  }

  /**
   * Reads one object. Throws ApiError 404 if it does not exist (see `isNotFound`), and `InvalidObjectError`
   * without sending anything if `name` is not a non-empty string.
   */
  async get<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    options: NamespacedOptions = {},
  ): Promise<T> {
    checkName(`get(${resource.kind})`, name);
    return this.rest
      .request<T>({
        path: resourcePath(resource, { namespace: options.namespace, name }),
        ...call(options),
      })
      .then((obj) => fillType(resource, obj));
  }

  /**
   * Lists every object, following `continue` tokens page by page (limit 500). If a continue token expires
   * mid-way (410), the list starts over, so the result is always one consistent snapshot.
   */
  async list<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    options: ListOptions = {},
  ): Promise<KubeList<T>> {
    for (let restarts = 0; ; restarts++) {
      const items: T[] = [];
      let continueToken: string | undefined;
      let first: KubeList<T> | undefined;
      try {
        do {
          const page = await this.listPage(resource, { ...options, continue: continueToken });
          first ??= page;
          for (const item of page.items) items.push(item);
          continueToken = page.metadata.continue || undefined;
        } while (continueToken);
      } catch (err) {
        if (continueToken && isGone(err) && restarts < 3) continue;
        throw err;
      }
      if (!first) throw new Error('unreachable: a list always has a first page');
      const { continue: _done, ...metadata } = first.metadata;
      return { ...first, metadata, items };
    }
  }

  /** Reads one page of a list. */
  async listPage<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    options: ListOptions & { continue?: string | undefined } = {},
  ): Promise<KubeList<T>> {
    const query: Record<string, QueryValue> = {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit ?? 500,
      continue: options.continue,
      resourceVersion: options.continue ? undefined : options.resourceVersion,
      resourceVersionMatch: options.continue ? undefined : options.resourceVersionMatch,
    };
    const list = await this.rest.request<KubeList<T>>({
      path: resourcePath(resource, { namespace: options.namespace }),
      query,
      ...call(options),
    });
    list.items ??= [];
    list.metadata ??= {};
    for (const item of list.items) fillType(resource, item);
    return list;
  }

  /**
   * Creates an object; namespace is taken from `obj.metadata.namespace` unless given. Rejects with
   * `InvalidObjectError`, before sending anything, if `obj` cannot be sent (not an object, not
   * JSON-serializable, no name or namespace).
   */
  async create<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    input: NoInfer<T | WithDates<T>>,
    options: WriteOptions = {},
  ): Promise<T> {
    const obj = withRfc3339Dates(input) as T;
    checkObject(`create(${resource.kind})`, resource, obj, {
      name: 'nameOrGenerateName',
      namespace: options.namespace,
    });
    return this.rest
      .request<T>({
        method: 'POST',
        path: resourcePath(resource, { namespace: options.namespace ?? obj.metadata?.namespace }),
        query: writeQuery(options),
        body: withType(resource, obj),
        ...call(options),
      })
      .then((o) => fillType(resource, o));
  }

  /**
   * Replaces an object (PUT). Its `metadata.resourceVersion` makes this an optimistic-concurrency update.
   * Rejects with `InvalidObjectError` before sending anything if `obj` cannot be sent.
   */
  update<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    obj: NoInfer<T | WithDates<T>>,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.#put(resource, withRfc3339Dates(obj) as T, options, undefined);
  }

  /** Replaces an object's status subresource; checks `obj` like {@link Client.update}. */
  updateStatus<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    obj: NoInfer<T | WithDates<T>>,
    options: WriteOptions = {},
  ): Promise<T> {
    return this.#put(resource, withRfc3339Dates(obj) as T, options, 'status');
  }

  /**
   * Patches an object. The body's type follows the patch type: a {@link MergePatch} by default, a
   * {@link JsonPatch} (list of operations) for {@link PatchType.Json}, a {@link StrategicMergePatch} for
   * {@link PatchType.StrategicMerge} and an {@link ApplyConfiguration} for {@link PatchType.Apply}; text is
   * sent as it is. Rejects with `InvalidObjectError` before sending anything if the body cannot be sent.
   */
  patch<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    patch: NoInfer<MergePatch<T> | WithDates<MergePatch<T>>> | string,
    options?: PatchOptions & { type?: typeof PatchType.Merge },
  ): Promise<T>;
  /** A JSON patch (RFC 6902): operations applied in order, all or none. */
  patch<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    patch: NoInfer<JsonPatch<T>> | string,
    options: PatchOptions & { type: typeof PatchType.Json },
  ): Promise<T>;
  /** A strategic merge patch (built-in types only): lists with a merge key merge element by element. */
  patch<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    patch: NoInfer<StrategicMergePatch<T> | WithDates<StrategicMergePatch<T>>> | string,
    options: PatchOptions & { type: typeof PatchType.StrategicMerge },
  ): Promise<T>;
  /** Server-side apply of a complete apply configuration (needs a `fieldManager`); see also {@link Client.apply}. */
  patch<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    patch: NoInfer<ApplyConfiguration<T> | WithDates<ApplyConfiguration<T>>> | string,
    options: PatchOptions & { type: typeof PatchType.Apply; fieldManager: string },
  ): Promise<T>;
  /** A patch whose type is known only at run time. */
  patch<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    patch: NoInfer<AnyPatch<T>>,
    options: PatchOptions,
  ): Promise<T>;
  async patch<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    name: string,
    input: unknown,
    options: PatchOptions = {},
  ): Promise<T> {
    const patch = withRfc3339Dates(input);
    const type = options.type ?? PatchType.Merge;
    const verb = `${type === PatchType.Apply ? 'apply' : 'patch'}(${resource.kind})`;
    checkPatch(verb, resource, name, patch, { type, namespace: options.namespace });
    if (type === PatchType.Apply && !options.fieldManager) {
      throw new TypeError(
        `${verb}: server-side apply of ${name} needs a fieldManager (who owns the applied fields)`,
      );
    }
    return this.rest
      .request<T>({
        method: 'PATCH',
        path: resourcePath(resource, {
          namespace: options.namespace,
          name,
          subresource: options.subresource,
        }),
        query: { ...writeQuery(options), force: options.force },
        body: patch,
        contentType: type,
        ...call(options),
      })
      .then((o) => fillType(resource, o));
  }

  /**
   * Server-side apply: sends the fully specified intent `obj` (name, namespace and the fields you own).
   * `apiVersion` and `kind` are filled in from the descriptor. Rejects with `InvalidObjectError` before
   * sending anything if `obj` cannot be sent.
   */
  async apply<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    input: NoInfer<T | WithDates<ApplyIntent<T>>>,
    options: ApplyOptions,
  ): Promise<T> {
    const obj = withRfc3339Dates(input) as T;
    checkObject(`apply(${resource.kind})`, resource, obj, {
      name: 'name',
      namespace: undefined,
      hasNamespaceOption: false,
    });
    const name = obj.metadata?.name ?? '';
    return this.patch<T>(resource, name, withType(resource, obj) as AnyPatch<T>, {
      ...options,
      ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
      type: PatchType.Apply,
    });
  }

  /**
   * Deletes an object. Resolves with the server's answer (the object while finalizers run, or a Status).
   * Rejects with `InvalidObjectError` without sending anything if `name` is not a non-empty string (an
   * undefined name must never turn into a delete of the whole collection; that is {@link Client.deleteCollection}).
   */
  async delete(resource: ResourceDescriptor, name: string, options: DeleteOptions = {}): Promise<unknown> {
    checkName(`delete(${resource.kind})`, name);
    return this.rest.request({
      method: 'DELETE',
      path: resourcePath(resource, { namespace: options.namespace, name }),
      body: deleteBody(options),
      ...call(options),
    });
  }

  /** Deletes every object matching the selectors in a namespace (or cluster-wide for cluster-scoped resources). */
  deleteCollection(
    resource: ResourceDescriptor,
    options: DeleteOptions & { labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<unknown> {
    return this.rest.request({
      method: 'DELETE',
      path: resourcePath(resource, { namespace: options.namespace }),
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
      body: deleteBody(options),
      ...call(options),
    });
  }

  async #put<T extends KubeObject>(
    resource: ResourceDescriptor<T>,
    obj: T,
    options: WriteOptions,
    subresource: string | undefined,
  ): Promise<T> {
    checkObject(`${subresource ? 'updateStatus' : 'update'}(${resource.kind})`, resource, obj, {
      name: 'name',
      namespace: options.namespace,
    });
    const name = obj.metadata?.name ?? '';
    return this.rest
      .request<T>({
        method: 'PUT',
        path: resourcePath(resource, {
          namespace: options.namespace ?? obj.metadata?.namespace,
          name,
          subresource,
        }),
        query: writeQuery(options),
        body: withType(resource, obj),
        ...call(options),
      })
      .then((o) => fillType(resource, o));
  }
}

function call(options: CallOptions): { signal?: AbortSignal; timeoutMs?: number } {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}

function writeQuery(options: { fieldManager?: string; dryRun?: string }): Record<string, QueryValue> {
  return { fieldManager: options.fieldManager, dryRun: options.dryRun };
}

function deleteBody(options: DeleteOptions): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
    ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
    ...(options.preconditions ? { preconditions: options.preconditions } : {}),
    ...(options.dryRun ? { dryRun: [options.dryRun] } : {}),
  };
}

function withType<T extends KubeObject>(resource: ResourceDescriptor<T>, obj: T): T {
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(resource), kind: obj.kind ?? resource.kind };
}

function fillType<T extends KubeObject>(resource: ResourceDescriptor<T>, obj: T): T {
  if (obj && typeof obj === 'object') {
    obj.apiVersion ??= apiVersionOf(resource);
    obj.kind ??= resource.kind;
  }
  return obj;
}
