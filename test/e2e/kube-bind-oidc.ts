/**
 * A real OpenID Connect provider in the test process (the `oidc-provider` library, with its development
 * login and consent pages), and a scripted browser that logs a user in through them.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Provider } from 'oidc-provider';

/** The backend's client registration at the test identity provider. */
export const OIDC_CLIENT = {
  clientId: 'kube-bind-backend',
  clientSecret: 'kube-bind-backend-secret',
} as const;

/** A running identity provider. */
export interface TestOidcProvider {
  readonly issuer: string;
  /** Registers the backend's callback (known only once the backend listens). */
  register(redirectUri: string): void;
  stop(): Promise<void>;
}

/** Starts an identity provider on a free loopback port; users are whoever logs in, e-mail `<login>@example.com`. */
export async function startOidcProvider(): Promise<TestOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    register(redirectUri: string) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: OIDC_CLIENT.clientId,
            client_secret: OIDC_CLIENT.clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        pkce: { required: () => true },
        features: { devInteractions: { enabled: true } },
        claims: { openid: ['sub'], email: ['email'] },
        cookies: { keys: ['kube-bind-e2e-cookie-key'] },
        // Explicit lifetimes (seconds): without them the library prints a notice per artifact kind.
        ttl: {
          AccessToken: 3600,
          AuthorizationCode: 600,
          Grant: 3600,
          IdToken: 3600,
          Interaction: 600,
          Session: 3600,
        },
        findAccount: (_ctx, id) => ({
          accountId: id,
          claims: () => ({ sub: id, email: `${id}@example.com` }),
        }),
      });
      server.on('request', provider.callback());
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Plays the user's browser: follows redirects from `url` (keeping cookies), fills in the identity provider's
 * login form as `user` and confirms consent, until it lands on the CLI's loopback callback.
 */
export async function browserLogin(url: string, user: string): Promise<void> {
  const cookies = new Map<string, string>();
  let next: { url: string; init?: RequestInit } = { url };
  for (let step = 0; step < 20; step++) {
    const res = await fetch(next.url, {
      ...next.init,
      redirect: 'manual',
      headers: {
        ...(next.init?.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      next = { url: new URL(location, next.url).toString() };
      continue;
    }
    const body = await res.text();
    if (new URL(next.url).pathname === '/callback') {
      if (res.status !== 200) throw new Error(`the CLI callback answered ${res.status}: ${body}`);
      return;
    }
    const prompt = /name="prompt" value="(login|consent)"/.exec(body)?.[1];
    if (res.status !== 200 || !prompt)
      throw new Error(`unexpected page at ${next.url} (${res.status}): ${body.slice(0, 300)}`);
    const form = new URLSearchParams({
      prompt,
      ...(prompt === 'login' ? { login: user, password: 'any' } : {}),
    });
    next = {
      url: next.url,
      init: {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    };
  }
  throw new Error(`the login did not reach the CLI callback within 20 steps (last ${next.url})`);
}
