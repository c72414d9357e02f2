import {
  ApiError,
  type Client,
  type InformerOptions,
  type KubeObject,
  type Logger,
  type ResourceDescriptor,
  SharedInformer,
  onEveryTick,
  redact,
  waitFor,
} from '@kubeloom/core';
import { WorkspaceResource } from '../apis/tenancy.ts';
import { baseName, clusterUrl, parentPath } from '../apis/urls.ts';
import { ProblemLog } from './problem-log.ts';
import type { ProviderWorkspace } from './provider-workspace.ts';

/** How a provider follows one named object, and what to tell the user when it cannot. */
export interface FollowNamedObjectOptions<T extends KubeObject> {
  /** Options for the watch (timeouts, backoff); the transform is ignored. */
  informerOptions?: InformerOptions | undefined;
  log: Logger;
  signal: AbortSignal;
  /** The workspace `client` points at, for messages. */
  workspace: ProviderWorkspace;
  /** What to check when the object is not found, e.g. `check the name (kcp names …)`. */
  missingHint: string;
  /** The RBAC the provider's identity needs to read the object, e.g. `get, list and watch on …`. */
  rbacHint: string;
  /** A problem with the object itself (e.g. a condition saying it is invalid), or `undefined`. */
  validate?: (object: T) => string | undefined;
  /**
   * How often the state is re-checked for the log and for resolved errors while something is wrong or the
   * first read is pending (a followed object that is present and read without error is not re-checked on a
   * timer: an idle process is not woken for it). Default 1 s.
   */
  checkIntervalMs?: number;
}

/**
 * Follows one object by name (a field-selected watch) and calls `onChange` with its current state, or with
 * `undefined` once it is gone, until `signal` aborts. Providers follow their endpoint object this way: an
 * APIExportEndpointSlice, or a WorkspaceType whose status lists virtual-workspace URLs.
 *
 * It also knows what is wrong while the object cannot be followed — not found (with the names that do exist
 * there, to tell a typo from a wrong workspace), workspace not found, forbidden, credentials rejected,
 * unreachable — and says so through {@link problem} (for `/readyz`) and the log (once per distinct
 * problem, then with backoff while it persists). The watch itself keeps retrying with backoff throughout.
 */
export class FollowedObject<T extends KubeObject> {
  readonly informer: SharedInformer<T>;
  readonly #client: Client;
  readonly #resource: ResourceDescriptor<T>;
  readonly #name: string;
  readonly #options: FollowNamedObjectOptions<T>;
  readonly #problemLog: ProblemLog;
  /** Names of objects of the kind that do exist in the workspace, read once each time the object goes missing. */
  #existingNames: string[] | undefined;
  #lookingForExisting = false;
  /** An error a later successful read showed to be over, though no watch event has cleared it yet. */
  #resolvedError: Error | undefined;
  #probing = false;
  /** Stops the periodic re-check; set while it runs. */
  #stopChecking: (() => void) | undefined;
  /**
   * Whether the workspace exists, as its parent says: kcp answers 403, not 404, for a workspace path that
   * does not exist, so a 403 alone cannot tell a typo in the path from missing RBAC. Looked up once per
   * spell of 403s; `'unknown'` when the parent would not say.
   */
  #workspaceExists: boolean | 'unknown' | undefined;
  #lookingForWorkspace = false;

  constructor(
    client: Client,
    resource: ResourceDescriptor<T>,
    name: string,
    onChange: (object: T | undefined) => void,
    options: FollowNamedObjectOptions<T>,
  ) {
    this.#client = client;
    this.#resource = resource;
    this.#name = name;
    this.#options = options;
    this.#problemLog = new ProblemLog(options.log);
    // The caller's transform is typed for other objects; the rest (timeouts, backoff) applies as it is.
    const { transform: _ignored, ...watchOptions } = options.informerOptions ?? {};
    this.informer = new SharedInformer<T>(client, resource, {
      ...watchOptions,
      fieldSelector: `metadata.name=${name}`,
      onError: (err) => {
        watchOptions.onError?.(err);
        this.#check();
      },
    });
    this.informer.addHandler({
      onAdd: (object) => {
        this.#existingNames = undefined;
        onChange(object);
        this.#check();
      },
      onUpdate: (_old, object) => {
        onChange(object);
        this.#check();
      },
      onDelete: () => {
        this.#existingNames = undefined;
        onChange(undefined);
        this.#check();
      },
    });
    this.informer.start(options.signal);
    this.#checkPeriodically(true);
    options.signal.addEventListener('abort', () => this.#checkPeriodically(false), { once: true });
  }

  /** The object, once read (and until it is deleted). */
  current(): T | undefined {
    return this.informer.list()[0];
  }

  /**
   * What keeps the provider from following the object right now, in words for `/readyz` and the log, or
   * `undefined` when nothing is wrong (or the first read is still in flight).
   */
  problem(): string | undefined {
    const err = this.informer.lastError;
    const code = apiErrorIn(err)?.code;
    const relevant =
      err !== undefined &&
      err !== this.#resolvedError &&
      (!this.informer.hasSynced || (code !== undefined && [401, 403, 404].includes(code)));
    if (relevant) return this.#describeError(err);
    if (!this.informer.hasSynced) return undefined;
    const object = this.current();
    if (!object) return this.#describeMissing();
    return this.#options.validate?.(object);
  }

  /** Resolves once the object exists and has no problem; rejects when `signal` aborts. */
  async whenFound(signal: AbortSignal): Promise<T> {
    return waitFor(() => (this.problem() === undefined ? this.current() : undefined), {
      what: `${this.#what()} to be found`,
      intervalMs: 100,
      timeoutMs: 365 * 24 * 3600_000,
      signal,
    });
  }

  #what(): string {
    return `${this.#resource.kind} "${this.#name}"`;
  }

  #where(): string {
    return `workspace ${this.#options.workspace.path} (${this.#options.workspace.url})`;
  }

  /** Starts or stops the periodic re-check (one timer shared with other periodic checks). */
  #checkPeriodically(on: boolean): void {
    if (on && !this.#stopChecking) {
      this.#stopChecking = onEveryTick(this.#options.checkIntervalMs ?? 1_000, () => this.#check());
    } else if (!on && this.#stopChecking) {
      this.#stopChecking();
      this.#stopChecking = undefined;
    }
  }

  #check(): void {
    if (this.#options.signal.aborted) return;
    // Every change that can make it wrong again (an event, a watch error) calls #check, which restarts it.
    this.#checkPeriodically(
      !this.informer.hasSynced || !this.current() || this.informer.lastError !== undefined || this.#probing,
    );
    if (this.informer.hasSynced && !this.current() && !this.informer.lastError) this.#lookForExisting();
    const err = this.informer.lastError;
    if (err && err !== this.#resolvedError && this.informer.hasSynced && this.current()) this.#probe(err);
    if (apiErrorIn(err)?.code === 403) this.#lookForWorkspace();
    else if (!err) this.#workspaceExists = undefined;
    // Log once, with what the lookups found, rather than once before and once after them.
    if (!this.#lookingForExisting && !this.#lookingForWorkspace) this.#problemLog.update(this.problem());
  }

  /** Lists what exists of the kind, once per disappearance, so the message can tell a typo from a wrong workspace. */
  #lookForExisting(): void {
    if (this.#existingNames !== undefined || this.#lookingForExisting) return;
    this.#lookingForExisting = true;
    this.#client
      .listPage(this.#resource, { limit: 50, signal: this.#options.signal })
      .then((list) => {
        this.#existingNames = list.items.map((o) => o.metadata?.name ?? '').filter(Boolean);
      })
      .catch(() => {
        this.#existingNames = undefined;
      })
      .finally(() => {
        this.#lookingForExisting = false;
        this.#check();
      });
  }

  /**
   * A watch error after the object was read clears only with the next event, which may be long in coming;
   * a direct read that succeeds shows the error is over.
   */
  #probe(err: Error): void {
    if (this.#probing) return;
    this.#probing = true;
    this.#client
      .get(this.#resource, this.#name, { signal: this.#options.signal })
      .then(() => {
        if (this.informer.lastError === err) this.#resolvedError = err;
      })
      .catch(() => undefined)
      .finally(() => {
        this.#probing = false;
      });
  }

  /** Asks the parent workspace whether ours exists (needs read access there; unknown otherwise). */
  #lookForWorkspace(): void {
    const path = this.#options.workspace.path;
    const parent = parentPath(path);
    if (this.#workspaceExists !== undefined || this.#lookingForWorkspace || !parent) return;
    this.#lookingForWorkspace = true;
    this.#client
      .withServer(clusterUrl(this.#options.workspace.url, parent))
      .get(WorkspaceResource, baseName(path), { signal: this.#options.signal })
      .then(
        () => {
          this.#workspaceExists = true;
        },
        (err: unknown) => {
          const answer = apiErrorIn(err);
          this.#workspaceExists =
            answer?.code === 404 && answer.details?.kind === 'workspaces' ? false : 'unknown';
        },
      )
      .finally(() => {
        this.#lookingForWorkspace = false;
        this.#check();
      });
  }

  #describeMissing(): string {
    const names = this.#existingNames;
    const there =
      names === undefined
        ? ''
        : names.length === 0
          ? `; there is no ${this.#resource.kind} in that workspace`
          : `; ${this.#resource.kind}s in that workspace: ${names.map((n) => `"${n}"`).join(', ')}`;
    return `${this.#what()} not found in ${this.#where()}: ${this.#options.missingHint}${there}`;
  }

  #describeError(failure: Error): string {
    const err = apiErrorIn(failure);
    const detail = redact(err ? (err.status.message ?? err.message) : failure.message);
    const reading = `reading ${this.#what()} in ${this.#where()}`;
    if (!err) return `cannot reach kcp ${reading}: ${detail}; retrying`;
    if (err.code === 401)
      return `kcp rejected the provider's credentials (401 Unauthorized) ${reading}: check the kubeconfig's user (an expired or wrong token, or a client certificate kcp does not trust); retrying`;
    const path = this.#options.workspace.path;
    if (
      (err.code === 403 && this.#workspaceExists === false) ||
      (err.code === 404 && err.status.details?.kind === 'workspaces')
    )
      return `workspace ${path} does not exist (kcp answered ${err.code}) ${reading}: ${detail}. Check the workspace path in the kubeconfig's server URL; retrying`;
    if (err.code === 403) {
      const grant = `the identity ${this.#options.rbacHint} in workspace ${path} (RBAC there), or check the kubeconfig's user; retrying`;
      return this.#workspaceExists === true
        ? `the provider's identity is forbidden (403) ${reading}: ${detail}. Grant ${grant}`
        : `the provider's identity is forbidden (403) ${reading}: ${detail}. Check that workspace ${path} exists (kcp answers 403 for a path that does not), then grant ${grant}`;
    }
    if (err.code === 404)
      return `not found (404) ${reading}: ${detail}. Check that the server is kcp and the workspace path is right; retrying`;
    return `kcp answered ${err.code} ${err.reason} ${reading}: ${detail}; retrying`;
  }
}

/** The server's answer behind an error: the error itself or one of its causes (watch errors wrap it). */
function apiErrorIn(err: unknown): ApiError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof ApiError) return e;
  return undefined;
}
