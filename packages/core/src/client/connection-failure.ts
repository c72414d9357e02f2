/**
 * Telling apart the ways a connection to an API server fails before any HTTP answer arrives: the server is
 * unreachable, its certificate is not trusted, or the URL's scheme does not match what the port speaks.
 * Each needs a different fix, so each gets its own {@link ConnectionFailure} reason and its own message.
 */
/**
 * Why a connection failed.
 *
 * - `Unreachable`: refused, reset, DNS failure, no route — the server is down or the address is wrong.
 * - `CertificateNotVerified`: TLS worked but the server's certificate could not be verified; see
 *   {@link CertificateProblem}.
 * - `PlainHttpOnHttpsUrl`: the URL says `https://` but the port answers in plain HTTP.
 * - `TlsOnHttpUrl`: the URL says `http://` but the port expects a TLS handshake.
 */
export type ConnectionFailure =
  | 'Unreachable'
  | 'CertificateNotVerified'
  | 'PlainHttpOnHttpsUrl'
  | 'TlsOnHttpUrl';

/** Why a server certificate was rejected. */
export type CertificateProblem =
  | 'SelfSigned'
  | 'UnknownAuthority'
  | 'HostnameMismatch'
  | 'Expired'
  | 'NotYetValid'
  | 'Other';

/** What is known about a failed connection; everything in it is safe to show (no credentials). */
export interface ConnectionFailureDetails {
  /** Which way the connection failed. */
  readonly reason: ConnectionFailure;
  /** Set when `reason` is `CertificateNotVerified`. */
  readonly certificateProblem?: CertificateProblem | undefined;
  /** The TLS library's verification code (e.g. `CERT_REVOKED`) when `certificateProblem` is `Other`. */
  readonly certificateCode?: string | undefined;
  /** The host name the certificate was checked against, for `HostnameMismatch`. */
  readonly requestedHost?: string | undefined;
  /** The names (`DNS:...`, `IP Address:...`) the certificate is valid for, if known. */
  readonly certificateNames?: string | undefined;
  /** When the certificate stops (or stopped) being valid, if known. */
  readonly certificateValidTo?: string | undefined;
  /** Where the credentials came from (e.g. `kubeconfig /x, context "y"`), to say which file to fix. */
  readonly kubeconfig?: string | undefined;
}

// OpenSSL / Node verification codes, grouped by what the user has to do about them.
const selfSigned = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const unknownAuthority = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'CERT_CHAIN_TOO_LONG',
]);
const otherVerification = new Set([
  'CERT_REVOKED',
  'CERT_REJECTED',
  'INVALID_PURPOSE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'PATH_LENGTH_EXCEEDED',
]);
// What OpenSSL reports when the bytes after our ClientHello are not TLS (typically "HTTP/1.1 400 ...").
const notTls = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_HTTP_REQUEST',
]);
// The connection closed before any answer: on an http:// URL this is what a TLS-only port does.
const closedEarly = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** Every `code` in an error's cause chain, outermost first. */
function codesOf(cause: unknown): Array<{ code: string; error: Error }> {
  const out: Array<{ code: string; error: Error }> = [];
  for (let e = cause, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') out.push({ code, error: e });
  }
  return out;
}

/**
 * Classifies a network-level failure from the error codes alone (no I/O). An `http://` URL whose connection
 * merely closed is classified `Unreachable` here; {@link diagnoseConnectionFailure} can tell more by probing.
 */
export function classifyConnectionFailure(url: string, cause: unknown): ConnectionFailureDetails {
  for (let e = cause, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const diagnosis = (e as { diagnosis?: unknown }).diagnosis;
    if (e.name === 'ConnectionError' && diagnosis && typeof diagnosis === 'object') {
      return diagnosis as ConnectionFailureDetails;
    }
  }
  const https = url.startsWith('https:');
  for (const { code, error } of codesOf(cause)) {
    if (selfSigned.has(code)) return { reason: 'CertificateNotVerified', certificateProblem: 'SelfSigned' };
    if (unknownAuthority.has(code)) {
      return { reason: 'CertificateNotVerified', certificateProblem: 'UnknownAuthority' };
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      const { cert, host } = error as { cert?: { subjectaltname?: unknown }; host?: unknown };
      return {
        reason: 'CertificateNotVerified',
        certificateProblem: 'HostnameMismatch',
        certificateNames: typeof cert?.subjectaltname === 'string' ? cert.subjectaltname : undefined,
        requestedHost: typeof host === 'string' ? host : undefined,
      };
    }
    if (code === 'CERT_HAS_EXPIRED')
      return { reason: 'CertificateNotVerified', certificateProblem: 'Expired' };
    if (code === 'CERT_NOT_YET_VALID') {
      return { reason: 'CertificateNotVerified', certificateProblem: 'NotYetValid' };
    }
    if (otherVerification.has(code)) {
      return { reason: 'CertificateNotVerified', certificateProblem: 'Other', certificateCode: code };
    }
    if (https && notTls.has(code)) return { reason: 'PlainHttpOnHttpsUrl' };
  }
  return { reason: 'Unreachable' };
}

/**
 * Classifies a failure like {@link classifyConnectionFailure}, then looks closer where the codes are
 * ambiguous: a connection to an `http://` URL that closed without an answer is probed with a TLS handshake
 * (a TLS-only port), and an expired certificate is fetched to say when it expired. Probes never send
 * credentials and give up after `probeTimeoutMs`.
 */
export async function diagnoseConnectionFailure(
  url: string,
  cause: unknown,
  options: { kubeconfig?: string | undefined; servername?: string | undefined; probeTimeoutMs?: number } = {},
): Promise<ConnectionFailureDetails> {
  const found = classifyConnectionFailure(url, cause);
  const withSource = { ...found, kubeconfig: found.kubeconfig ?? options.kubeconfig };
  const timeoutMs = options.probeTimeoutMs ?? probeTimeoutMs;
  if (found.reason === 'Unreachable' && (await isTlsOnHttpUrl(url, cause, options))) {
    return { ...withSource, reason: 'TlsOnHttpUrl' };
  }
  if (found.certificateProblem === 'Expired' || found.certificateProblem === 'NotYetValid') {
    const cert = await peerCertificate(url, options.servername, timeoutMs);
    const validTo = found.certificateProblem === 'Expired' ? cert?.valid_to : cert?.valid_from;
    if (validTo) return { ...withSource, certificateValidTo: new Date(validTo).toISOString() };
  }
  return withSource;
}

/**
 * How long a diagnostic TLS handshake may take. Generous: it only runs after a failure, against a server
 * that just answered (or closed) a connection, and a loaded machine must not turn a diagnosis into a guess.
 */
const probeTimeoutMs = 5000;

/** Recent answers of {@link isTlsOnHttpUrl}'s probe, per origin: one probe serves every request for a minute. */
const tlsProbes = new Map<string, { at: number; speaksTls: Promise<boolean> }>();

/**
 * True when a request to an `http://` URL lost its connection without an answer because the port expects
 * TLS (found by a TLS handshake, remembered per origin for a minute). Such a failure is permanent, so it
 * must not be retried like a kept-alive connection that happened to close.
 */
export async function isTlsOnHttpUrl(
  url: string,
  cause: unknown,
  options: { servername?: string | undefined; probeTimeoutMs?: number } = {},
): Promise<boolean> {
  if (!url.startsWith('http:') || !codesOf(cause).some(({ code }) => closedEarly.has(code))) return false;
  const origin = new URL(url).origin;
  let probe = tlsProbes.get(origin);
  if (!probe || Date.now() - probe.at > 60_000) {
    const speaksTls = peerCertificate(url, options.servername, options.probeTimeoutMs ?? probeTimeoutMs).then(
      (cert) => cert !== undefined,
    );
    probe = { at: Date.now(), speaksTls };
    tlsProbes.set(origin, probe);
  }
  return probe.speaksTls;
}

/** The certificate a TLS handshake with the URL's host and port presents, or undefined if it is not TLS. */
async function peerCertificate(
  url: string,
  servername: string | undefined,
  timeoutMs: number,
): Promise<{ valid_to?: string; valid_from?: string } | undefined> {
  // Loaded here, on a failure, rather than with @kubeloom/core (Node's TLS stack costs start-up time).
  const { connect: tlsConnect } = await import('node:tls');
  const { hostname, port, protocol } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port: Number(port) || (protocol === 'https:' ? 443 : 80),
      // Only looking at the certificate; nothing is sent over this connection.
      rejectUnauthorized: false,
      ...(servername || !/^[\d.:]+$/.test(host) ? { servername: servername ?? host } : {}),
      timeout: timeoutMs,
    });
    const done = (value: { valid_to?: string; valid_from?: string } | undefined): void => {
      socket.destroy();
      resolve(value);
    };
    socket.once('secureConnect', () => done(socket.getPeerCertificate()));
    socket.once('error', () => done(undefined));
    socket.once('timeout', () => done(undefined));
  });
}

/** The human part of a connection error's message: what happened and what to do. */
export function explainConnectionFailure(details: ConnectionFailureDetails, cause: string): string {
  const where = details.kubeconfig ? `the cluster in ${details.kubeconfig}` : "the kubeconfig's cluster";
  if (details.reason === 'Unreachable') return `cannot reach the server: ${cause}`;
  if (details.reason === 'PlainHttpOnHttpsUrl') {
    return `the server answered with plain HTTP on an https:// URL; point the server URL of ${where} at the port that serves TLS, or make it start with http:// if the server really serves plain HTTP`;
  }
  if (details.reason === 'TlsOnHttpUrl') {
    return `the server expects TLS but the URL is http://, so the request was sent unencrypted; make the server URL of ${where} start with https://`;
  }
  return `the server's certificate could not be verified: ${certificateReason(details)}; ${certificateFix(details, where)}`;
}

function certificateReason(details: ConnectionFailureDetails): string {
  const { certificateValidTo: validTo, certificateNames: names } = details;
  const reasons: Record<CertificateProblem, () => string> = {
    SelfSigned: () => 'it is self-signed and not among the certificate authorities the client trusts',
    UnknownAuthority: () =>
      'it was issued by an unknown certificate authority (unable to get the local issuer certificate)',
    HostnameMismatch: () =>
      `it is not valid for ${details.requestedHost ?? 'the host in the URL'}${names ? `, only for ${names}` : ''}`,
    Expired: () => `it has expired${validTo ? ` (valid until ${validTo})` : ''}`,
    NotYetValid: () => `it is not valid yet${validTo ? ` (valid from ${validTo})` : ''}`,
    Other: () => `the TLS library rejected it with ${details.certificateCode ?? 'an unknown error'}`,
  };
  return reasons[details.certificateProblem ?? 'Other']();
}

function certificateFix(details: ConnectionFailureDetails, where: string): string {
  const problem = details.certificateProblem ?? 'Other';
  if (problem === 'HostnameMismatch') {
    return `connect through one of the names it is valid for, set tls-server-name in ${where} to one of them, or reissue the server's certificate for this name`;
  }
  if (problem === 'Expired' || problem === 'NotYetValid') {
    return "renew the server's certificate, or correct this machine's clock if it is wrong";
  }
  return `put the CA certificate that signed the server's certificate into certificate-authority-data (base64 PEM) or certificate-authority (a file path) of ${where}; only for a throwaway test cluster, insecure-skip-tls-verify: true turns verification off as a last resort`;
}
