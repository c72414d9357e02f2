/** The few parts of `oidc-provider` (which ships no types) that the demo's identity provider configures. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** Who logged in, and the claims the ID token carries. */
  interface Account {
    accountId: string;
    claims(): Record<string, unknown>;
  }

  /** The provider's configuration, as far as the demo sets it. */
  interface Configuration {
    clients: Array<Record<string, unknown>>;
    pkce?: { required?: () => boolean };
    features?: { devInteractions?: { enabled: boolean } };
    claims?: Record<string, string[]>;
    cookies?: { keys: string[] };
    ttl?: Record<string, number>;
    jwks?: { keys: object[] };
    findAccount(ctx: unknown, id: string): Account | Promise<Account>;
  }

  /** An OpenID Connect provider; `callback()` is its request handler. */
  export class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
