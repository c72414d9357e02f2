/**
 * The identity provider the demo's kube-bind backend logs users in at: a real OpenID Connect provider
 * (the `oidc-provider` library) in this process on a loopback port, with its development login and
 * consent pages, and a scripted browser that signs a user in through them. The backend's login stays
 * what it is everywhere (authorization code with PKCE); only the user's clicks are played by the demo.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type RequestListener, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, silentLogger } from '@kubeloom/core';
import { Provider } from 'oidc-provider';

/** The backend's client registration at this identity provider, for its `oidc` options. */
export interface DemoOidcClient {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A running demo identity provider. */
export interface DemoIdentityProvider {
  readonly client: DemoOidcClient;
  /**
   * Registers the backend's callback URL (known once the backend listens) and starts answering; before
   * this, every request gets 503.
   */
  acceptBackend(callbackUrl: string): void;
  /**
   * Plays `user`'s browser on a login URL the CLI opens: follows redirects with cookies, fills in the
   * login and consent forms, and stops on the CLI's loopback callback.
   */
  signIn(url: string, user: string): Promise<void>;
  stop(): Promise<void>;
}

/** How many pages a login may take before the scripted browser gives up. */
const MAX_PAGES = 20;

/** How the backend is registered; by default `kube-bind-backend` with a fresh secret per run. */
export interface DemoIdentityProviderOptions {
  clientId?: string;
  clientSecret?: string;
  /**
   * Gets the library's start-up notices at info level (that its storage is in memory and its login pages
   * are for development: both true of this provider by design), instead of stderr. Default silent.
   */
  logger?: Logger;
}

/**
 * Runs `construct` with `console.warn` going to `logger`: the library prints its start-up notices that
 * way, synchronously in its constructor, and the demo keeps its stderr for real failures.
 */
function warningsTo<T>(logger: Logger, construct: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => logger.info(args.map(String).join(' '));
  try {
    return construct();
  } finally {
    console.warn = warn;
  }
}

/** Starts the identity provider on a free loopback port; every login name is a user, `<name>@example.com`. */
export async function startDemoIdentityProvider(
  options: DemoIdentityProviderOptions = {},
): Promise<DemoIdentityProvider> {
  let handler: RequestListener | undefined;
  const server: Server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.writeHead(503, { 'content-type': 'text/plain' }).end('the identity provider is not configured yet\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const client: DemoOidcClient = {
    issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    clientId: options.clientId ?? 'kube-bind-backend',
    // A fresh secret per run unless one is given: the backend is the only one told it.
    clientSecret: options.clientSecret ?? randomBytes(16).toString('hex'),
  };
  return {
    client,
    acceptBackend(callbackUrl) {
      const provider = warningsTo(
        options.logger ?? silentLogger,
        () =>
          new Provider(client.issuer, {
            clients: [
              {
                client_id: client.clientId,
                client_secret: client.clientSecret,
                redirect_uris: [callbackUrl],
                grant_types: ['authorization_code'],
                response_types: ['code'],
              },
            ],
            pkce: { required: () => true },
            features: { devInteractions: { enabled: true } },
            claims: { openid: ['sub'], email: ['email'] },
            cookies: { keys: [randomBytes(16).toString('hex')] },
            // Lifetimes in seconds, set explicitly: the library prints a notice for each one left to default.
            ttl: {
              AccessToken: 3600,
              AuthorizationCode: 600,
              Grant: 3600,
              IdToken: 3600,
              Interaction: 600,
              Session: 3600,
            },
            // A signing key of this run's own, not the library's published development keys.
            jwks: {
              keys: [
                generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
              ],
            },
            findAccount: (_ctx, id) => ({
              accountId: id,
              claims: () => ({ sub: id, email: `${id}@example.com` }),
            }),
          }),
      );
      handler = provider.callback();
    },
    signIn: signInWithScriptedBrowser,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A page of the login: where to go next, or the form to submit there. */
type Visit = { url: string; form?: URLSearchParams };

/**
 * The scripted browser behind {@link DemoIdentityProvider.signIn}: follows redirects from `start` with
 * cookies, fills in the provider's development login (as `user`) and consent forms, and stops on the
 * CLI's loopback callback (an error if that answers anything but 200).
 */
export async function signInWithScriptedBrowser(start: string, user: string): Promise<void> {
  const jar = new Map<string, string>();
  let visit: Visit = { url: start };
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetch(visit.url, {
      redirect: 'manual',
      ...(visit.form
        ? {
            method: 'POST',
            body: visit.form.toString(),
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
          }
        : { headers: { cookie: cookieHeader(jar) } }),
    });
    for (const setCookie of answer.headers.getSetCookie()) {
      const pair = setCookie.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    const location = answer.headers.get('location');
    if (answer.status >= 300 && answer.status < 400 && location) {
      visit = { url: new URL(location, visit.url).toString() };
      continue;
    }
    const body = await answer.text();
    if (new URL(visit.url).pathname === '/callback') {
      if (answer.status === 200) return;
      throw new Error(`the login ended at the CLI's callback with ${answer.status}: ${body.slice(0, 200)}`);
    }
    const prompt = /name="prompt" value="(login|consent)"/.exec(body)?.[1];
    if (answer.status !== 200 || !prompt) {
      throw new Error(
        `the identity provider showed an unexpected page at ${visit.url} (${answer.status}); the demo's scripted login cannot go on`,
      );
    }
    visit = {
      url: visit.url,
      form: new URLSearchParams(prompt === 'login' ? { prompt, login: user, password: 'demo' } : { prompt }),
    };
  }
  throw new Error(`the login did not reach the CLI's callback within ${MAX_PAGES} pages`);
}

const cookieHeader = (jar: ReadonlyMap<string, string>): string =>
  [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
