import { request } from 'node:https';

/** How to reach a health endpoint. */
export interface ProbeOptions {
  /** PEM CA bundle to verify the server with; without it the certificate is not checked (local probes only). */
  ca?: string;
  /** Bearer token to send. */
  token?: string;
  /** Per-request timeout. Default 2 s. */
  timeoutMs?: number;
}

/**
 * The HTTP status of a GET, or `undefined` when the server cannot be reached (refused, reset, timed out,
 * TLS not ready). For polling health endpoints like `/readyz` while a server starts.
 */
export function probeStatus(url: string, options: ProbeOptions = {}): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'GET',
        ca: options.ca,
        rejectUnauthorized: options.ca !== undefined,
        timeout: options.timeoutMs ?? 2_000,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => {
      req.destroy();
      resolve(undefined);
    });
    req.end();
  });
}
