import { ApiError, ConnectionError, TimeoutError, describeCause } from '../client/errors.ts';
import { redact } from '../client/redact.ts';
import type { ResourceDescriptor } from '../client/resource.ts';

/** What a watcher was doing when it failed: reading the initial list, or streaming changes. */
export type WatchPhase = 'list' | 'watch';

/**
 * `plural.group/version` (`configmaps/v1` for the core group): how a watch error names its resource, so
 * that two informers on different resources never produce the same line.
 */
export function describeResource(resource: ResourceDescriptor): string {
  return resource.group
    ? `${resource.plural}.${resource.group}/${resource.version}`
    : `${resource.plural}/${resource.version}`;
}

/**
 * A URL as a watch error shows it: without user info, and with anything that looks like a credential in
 * the query replaced by `[REDACTED]` (the same scrubbing as every other client error).
 */
export function describeWatchUrl(url: string): string {
  let shown = url;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    shown = parsed.toString();
  } catch {
    // Not a URL after all: scrub it as text.
  }
  return redact(shown);
}

/** The part of an error that says what went wrong, without the request line the watch error adds itself. */
function describeFailure(err: unknown): string {
  if (err instanceof ApiError) {
    const message = err.status.message?.trim();
    return message ? `${err.code} ${err.reason}: ${message}` : `${err.code} ${err.reason}`;
  }
  if (err instanceof ConnectionError) {
    // A certificate or http/https problem keeps its explanation and fix; a plain network error its cause.
    return err.reason === 'Unreachable' ? describeCause(err.cause) : err.explanation;
  }
  // A TimeoutError's message starts with the full request URL, query included; the watch error names the URL.
  const timedOut = err instanceof TimeoutError ? /no answer within \d+ ms/.exec(err.message) : null;
  if (timedOut) return timedOut[0];
  return err instanceof Error ? err.message : String(err);
}

/**
 * A LIST or WATCH of a resource failed; the watcher is retrying. The message names the resource, the
 * URL (credentials scrubbed) and the failure, e.g.
 * `watch of configmaps/v1 at https://kcp:6443/clusters/root/api/v1/configmaps failed: other side closed`.
 */
export class WatchFailedError extends Error {
  /** `WatchFailedError`, or the subclass's name; kept after the class is lost (structured logs). */
  override readonly name: string = 'WatchFailedError';
  /** `plural.group/version` of the watched resource. */
  readonly resource: string;
  /** Collection URL that failed (no query, no credentials). */
  readonly url: string;
  /** Whether the list or the watch failed. */
  readonly phase: WatchPhase;
  /** HTTP status, when the server answered. */
  readonly code: number | undefined;

  constructor(
    init: { resource: ResourceDescriptor; url: string; phase: WatchPhase; cause: unknown },
    message?: string,
  ) {
    const url = describeWatchUrl(init.url);
    const what = describeResource(init.resource);
    super(message ?? `${init.phase} of ${what} at ${url} failed: ${describeFailure(init.cause)}`, {
      cause: init.cause,
    });
    this.resource = what;
    this.url = url;
    this.phase = init.phase;
    this.code = init.cause instanceof ApiError ? init.cause.code : undefined;
  }
}

/**
 * The server answered 404 to a LIST or WATCH of a whole collection: it does not serve that
 * group/version/resource at that URL. The watcher keeps retrying (the API may appear later), and a
 * manager can show this in `/readyz`. `group` is `''` for the core group.
 */
export class ResourceNotServedError extends WatchFailedError {
  /** `ResourceNotServedError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'ResourceNotServedError';
  /** API group of the resource that is not served. */
  readonly group: string;
  /** Version of the resource that is not served. */
  readonly version: string;
  /** The resource's plural name, as in URLs. */
  readonly plural: string;

  constructor(init: { resource: ResourceDescriptor; url: string; phase: WatchPhase; cause: unknown }) {
    const { group, version, plural } = init.resource;
    const gv = group ? `${group}/${version}` : version;
    super(
      init,
      `the server does not serve resource "${plural}" of API ${gv} at ${describeWatchUrl(init.url)} ` +
        `(${describeFailure(init.cause)}). Usually its CustomResourceDefinition is not installed or not yet ` +
        `Established; in kcp, the APIExport that provides it is not bound in this workspace, or this APIExport ` +
        `virtual workspace does not serve it because it is neither one of the export's resource schemas nor ` +
        `a claimed resource. Retrying with backoff.`,
    );
    this.group = group;
    this.version = version;
    this.plural = plural;
  }
}

/**
 * A watch received nothing for a while and a liveness probe of its server got no answer either: the
 * connection is taken for dead (half-open TCP, a frozen proxy) and the watch is reopened from where it
 * was.
 */
export class WatchStalledError extends WatchFailedError {
  /** `WatchStalledError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'WatchStalledError';
  /** How long the watch had been silent when it was given up. */
  readonly silentMs: number;

  constructor(init: { resource: ResourceDescriptor; url: string; silentMs: number; probeFailure: string }) {
    super(
      { ...init, phase: 'watch', cause: new Error(init.probeFailure) },
      `watch on ${describeResource(init.resource)} at ${describeWatchUrl(init.url)} received nothing for ` +
        `${Math.round(init.silentMs / 1000)} s and the connection did not answer a keepalive probe ` +
        `(${init.probeFailure}); reconnecting`,
    );
    this.silentMs = init.silentMs;
  }
}

/** The error a failed LIST or WATCH is reported as: {@link ResourceNotServedError} for a 404, else {@link WatchFailedError}. */
export function watchFailure(
  resource: ResourceDescriptor,
  url: string,
  phase: WatchPhase,
  cause: unknown,
): WatchFailedError {
  if (cause instanceof WatchFailedError) return cause;
  const init = { resource, url, phase, cause };
  return cause instanceof ApiError && cause.code === 404
    ? new ResourceNotServedError(init)
    : new WatchFailedError(init);
}
