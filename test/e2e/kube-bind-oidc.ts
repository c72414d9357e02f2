/**
 * A real OpenID Connect provider in the test process (the `oidc-provider` library, with its development
 * login and consent pages: the webshop platform's demo identity provider), and a scripted browser that
 * logs a user in through them.
 */
import {
  signInWithScriptedBrowser,
  startDemoIdentityProvider,
} from '@kubeloom/example-webshop-operator/platform';

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
  const provider = await startDemoIdentityProvider(OIDC_CLIENT);
  return {
    issuer: provider.client.issuer,
    register: (redirectUri) => provider.acceptBackend(redirectUri),
    stop: () => provider.stop(),
  };
}

/**
 * Plays the user's browser: follows redirects from `url` (keeping cookies), fills in the identity provider's
 * login form as `user` and confirms consent, until it lands on the CLI's loopback callback.
 */
export const browserLogin: (url: string, user: string) => Promise<void> = signInWithScriptedBrowser;
