import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';

/** The backend's OIDC client registration. */
export interface OidcClientOptions {
  /** The issuer URL (discovery is at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** Allow an `http://` issuer (local development and tests only). */
  readonly allowInsecureIssuer?: boolean;
}

/** A login in progress: where to send the user back, and the PKCE verifier (never leaves the backend). */
interface PendingLogin {
  readonly verifier: string;
  readonly redirectUrl: string;
  readonly sessionId: string;
  readonly expiresAt: number;
}

/** Who a backend access token stands for. */
export interface Principal {
  readonly issuer: string;
  readonly subject: string;
  /** The e-mail or name claim, for audit annotations. */
  readonly author: string;
  readonly expiresAt: number;
}

const loginTtlMs = 10 * 60_000;
/** Backend access tokens live a day, as kube-bind's do. */
export const ACCESS_TOKEN_TTL_SECONDS = 86_400;

/**
 * The backend's side of the OIDC authorization-code flow with PKCE: starts logins (state and verifier kept
 * here, in memory), finishes them at the callback, and issues opaque access tokens for the HTTP API. A
 * restarted backend forgets logins in progress and issued tokens: users log in again.
 */
export class OidcLogin {
  readonly #options: OidcClientOptions;
  readonly #redirectUri: string;
  readonly #pending = new Map<string, PendingLogin>();
  readonly #tokens = new Map<string, Principal>();
  #config: Promise<oidc.Configuration> | undefined;

  constructor(options: OidcClientOptions, redirectUri: string) {
    this.#options = options;
    this.#redirectUri = redirectUri;
  }

  /** The issuer's configuration, discovered once (again after a failure). */
  #configuration(): Promise<oidc.Configuration> {
    this.#config ??= oidc
      .discovery(
        new URL(this.#options.issuer),
        this.#options.clientId,
        this.#options.clientSecret,
        undefined,
        this.#options.allowInsecureIssuer ? { execute: [oidc.allowInsecureRequests] } : {},
      )
      .catch((error: unknown) => {
        this.#config = undefined;
        throw new Error(
          `cannot discover the OIDC issuer ${this.#options.issuer}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      });
    return this.#config;
  }

  /** Starts a login: the URL to send the user's browser to. */
  async start(redirectUrl: string, sessionId: string): Promise<URL> {
    const config = await this.#configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    this.#pending.set(state, { verifier, redirectUrl, sessionId, expiresAt: Date.now() + loginTtlMs });
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.#redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
  }

  /**
   * Finishes a login from the callback URL: exchanges the code (with the PKCE verifier) and returns where
   * to send the user with an access token. Throws when the state is unknown or expired, or the exchange fails.
   */
  async finish(callbackUrl: URL): Promise<{ redirect: URL }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    const pending = this.#pending.get(state);
    this.#pending.delete(state);
    if (!pending || pending.expiresAt < Date.now()) {
      throw new Error(
        'this login is unknown or has expired (the backend keeps logins for 10 minutes); log in again',
      );
    }
    const config = await this.#configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: state,
    });
    const claims = tokens.claims();
    if (!claims?.sub) throw new Error('the identity provider returned no ID token subject');
    const accessToken = randomBytes(32).toString('base64url');
    this.#tokens.set(accessToken, {
      issuer: claims.iss,
      subject: claims.sub,
      author: typeof claims.email === 'string' ? claims.email : claims.sub,
      expiresAt: Date.now() + ACCESS_TOKEN_TTL_SECONDS * 1000,
    });
    const redirect = new URL(pending.redirectUrl);
    redirect.searchParams.set('access_token', accessToken);
    redirect.searchParams.set('token_type', 'Bearer');
    redirect.searchParams.set('expires_in', String(ACCESS_TOKEN_TTL_SECONDS));
    redirect.searchParams.set('session_id', pending.sessionId);
    return { redirect };
  }

  /** Who an access token stands for, or undefined when it is unknown or expired. */
  principal(accessToken: string): Principal | undefined {
    const principal = this.#tokens.get(accessToken);
    if (principal && principal.expiresAt < Date.now()) {
      this.#tokens.delete(accessToken);
      return undefined;
    }
    return principal;
  }
}
