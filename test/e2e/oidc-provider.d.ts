/** The part of `oidc-provider` (which ships no types) that the kube-bind e2e tests use. */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Account {
    accountId: string;
    claims(): Record<string, unknown>;
  }

  interface Configuration {
    clients: Array<Record<string, unknown>>;
    pkce?: { required?: () => boolean };
    features?: { devInteractions?: { enabled: boolean } };
    claims?: Record<string, string[]>;
    cookies?: { keys: string[] };
    ttl?: Record<string, number>;
    findAccount(ctx: unknown, id: string): Account | Promise<Account>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
