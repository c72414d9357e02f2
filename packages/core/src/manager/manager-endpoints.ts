import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log/logger.ts';
import { type BindAddress, sameBindAddress } from './bind-address.ts';
import { HealthChecks } from './health-checks.ts';
import { type EndpointHandler, HttpEndpoints } from './http-endpoints.ts';

/** Where {@link ManagerEndpoints} listens and what it serves. */
export interface ManagerEndpointsOptions {
  logger: Logger;
  /** What `/metrics` serves. */
  registry: Registry;
  /** `/healthz`, `/livez` and `/readyz` (and `/metrics` when both addresses are the same); none when undefined. */
  probeBind: BindAddress | undefined;
  /** `/metrics`; none when undefined. */
  metricsBind: BindAddress | undefined;
}

/**
 * The manager's HTTP side: `/healthz` and `/livez` (liveness), `/readyz` (readiness) and `/metrics`, on one
 * address or two. Checks are answered the way the Kubernetes API server answers its own, so probes and
 * humans read them the same way.
 */
export class ManagerEndpoints {
  /** The liveness checks behind `/healthz` and `/livez`. */
  readonly healthz = new HealthChecks('healthz');
  /** The readiness checks behind `/readyz`. */
  readonly readyz = new HealthChecks('readyz');
  readonly #options: ManagerEndpointsOptions;
  #probeServer: HttpEndpoints | undefined;
  #metricsServer: HttpEndpoints | undefined;

  constructor(options: ManagerEndpointsOptions) {
    this.#options = options;
  }

  /** The address `/healthz` and `/readyz` are served on, once listening. */
  get healthProbeAddress(): AddressInfo | undefined {
    return this.#probeServer?.address;
  }

  /** The address `/metrics` is served on, once listening. */
  get metricsAddress(): AddressInfo | undefined {
    const { probeBind, metricsBind } = this.#options;
    return (this.#metricsServer ?? (sameBindAddress(probeBind, metricsBind) ? this.#probeServer : undefined))
      ?.address;
  }

  /** Starts listening on the configured addresses; rejects if one cannot be bound. */
  async listen(): Promise<void> {
    const { logger, registry, probeBind, metricsBind } = this.#options;
    const shared = sameBindAddress(probeBind, metricsBind);
    const metrics: EndpointHandler = async (_url, _req, res) => {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    };
    if (probeBind) {
      const server = new HttpEndpoints(logger);
      server.route('/healthz', healthHandler(this.healthz));
      server.route('/livez', healthHandler(this.healthz));
      server.route('/readyz', healthHandler(this.readyz));
      if (shared) server.route('/metrics', metrics);
      this.#probeServer = server;
      await server.listen(probeBind);
    }
    if (metricsBind && !shared) {
      const server = new HttpEndpoints(logger);
      server.route('/metrics', metrics);
      this.#metricsServer = server;
      await server.listen(metricsBind);
    }
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    await Promise.allSettled([this.#probeServer?.close(), this.#metricsServer?.close()]);
  }
}

function healthHandler(checks: HealthChecks): EndpointHandler {
  return async (url, _req, res) => {
    const report = await checks.run();
    const verbose = url.searchParams.has('verbose') || !report.ok;
    res
      .writeHead(report.ok ? 200 : 503, {
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
      })
      .end(verbose ? `${report.lines.join('\n')}\n` : 'ok');
  };
}

/** `host:port` (`[host]:port` for IPv6) for log lines. */
export function formatAddress(address: AddressInfo | undefined): string | undefined {
  if (!address) return undefined;
  return address.family === 'IPv6'
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}
