/**
 * Hints for errors whose usual reading would mislead: a 401 on an `http://` URL (or client-node refusing an
 * `http://` server) is about the scheme rather than the token, and a 403 from kcp without
 * `/clusters/<workspace>` in the URL is about the URL rather than permissions.
 */
import { KubeConfigError } from './errors.ts';

/**
 * True when an error answer is a TLS server's reply to plain HTTP (Go's `net/http` answers
 * `400 Client sent an HTTP request to an HTTPS server.`), i.e. the URL should be `https://`.
 */
export function isPlainHttpToTlsAnswer(code: number, url: string, body: string): boolean {
  return (
    code === 400 && url.startsWith('http:') && body.includes('Client sent an HTTP request to an HTTPS server')
  );
}

/** A sentence to append to an error answer's message, or undefined when the answer speaks for itself. */
export function statusHint(code: number, url: string, kubeconfig: string): string | undefined {
  if (code === 401) {
    const rejected = `the credentials from ${kubeconfig} were rejected`;
    return url.startsWith('http:')
      ? `${rejected}; the server URL is http://, so no client certificate could be presented and a token travels unencrypted: use the server's https:// URL`
      : `${rejected} (expired or revoked token, or a certificate the server does not trust)`;
  }
  if (code === 403) {
    const parsed = new URL(url);
    if (!parsed.pathname.includes('/clusters/') && !parsed.pathname.startsWith('/services/')) {
      return `if this server is kcp, its URL must name a workspace, e.g. ${parsed.origin}/clusters/root`;
    }
  }
  return undefined;
}

/**
 * Makes client-node's refusal of an `http://` server ("HTTP protocol is not allowed when skipTLSVerify is not
 * set") say what it is about: the URL's scheme, not the user's credentials.
 */
export function explainKubeConfigError(
  err: KubeConfigError,
  server: string,
  kubeconfig: string,
): KubeConfigError {
  if (!server.startsWith('http:') || !/HTTP protocol is not allowed/.test(messagesOf(err))) return err;
  return new KubeConfigError(
    `${kubeconfig}: the server URL ${server} is plain http://, and credentials are only sent over TLS; use the server's https:// URL (only for a throwaway test cluster that serves plain HTTP, insecure-skip-tls-verify: true allows it as a last resort)`,
    { cause: err, reason: 'PlainHttpServer' },
  );
}

function messagesOf(err: unknown): string {
  const out: string[] = [];
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) out.push(e.message);
  return out.join(' | ');
}
