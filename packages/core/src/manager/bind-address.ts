/** Where an HTTP server listens. `host` undefined means every interface. */
export interface BindAddress {
  readonly host: string | undefined;
  readonly port: number;
}

/**
 * Parses controller-runtime style bind addresses: `:8081` (every interface), `127.0.0.1:8080`,
 * `[::1]:9090`, `localhost:0` (port 0: any free port, useful in tests). `''` and `'0'` mean "disabled",
 * as in controller-runtime, and return undefined.
 */
export function parseBindAddress(address: string | undefined, what: string): BindAddress | undefined {
  if (address === undefined || address === '' || address === '0') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new TypeError(
      `${what} "${address}" is not a bind address; use "host:port", ":port" or "[ipv6]:port" (port 0 picks a free port; "0" disables)`,
    );
  }
  const host = match[1] ?? match[2];
  return { host: host ? host : undefined, port };
}

/** The same bind address, for deciding whether probes and metrics can share one server. */
export function sameBindAddress(a: BindAddress | undefined, b: BindAddress | undefined): boolean {
  return a !== undefined && b !== undefined && a.host === b.host && a.port === b.port && a.port !== 0;
}
