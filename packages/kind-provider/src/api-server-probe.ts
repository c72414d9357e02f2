import { ApiError, type Client, redact } from '@kubeloom/core';

/** Options for {@link probeApiServer}. */
export interface ApiServerProbeOptions {
  /** How long to wait for an answer. */
  timeoutMs: number;
  /** Stops probing; the probe then reports the abort. */
  signal?: AbortSignal;
}

/**
 * Whether a cluster's API server answers at all: one `GET /version`, not retried. Returns `undefined` when
 * it answered (any HTTP status counts: a 401 or 403 is an authorization problem its informers will report,
 * not an unreachable server), otherwise why it could not be reached, with credentials scrubbed.
 */
export async function probeApiServer(
  client: Client,
  options: ApiServerProbeOptions,
): Promise<string | undefined> {
  try {
    await client.rest.request({
      path: '/version',
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return undefined;
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof ApiError) return undefined;
    // A ConnectionError or TimeoutError message already names the request and the cause.
    return redact(error instanceof Error ? error.message : String(error));
  }
}
