/**
 * Errors raised by the client. Every error names what failed (verb, URL, kubeconfig, context) and what to
 * do about it; none ever carries a credential.
 */
import {
  type CertificateProblem,
  type ConnectionFailure,
  type ConnectionFailureDetails,
  classifyConnectionFailure,
  explainConnectionFailure,
} from './connection-failure.ts';

/** The `Status` object a Kubernetes API server returns with a failed request. */
export interface Status {
  /** Always `Status` when the server sent one. */
  kind?: 'Status';
  /** `v1`. */
  apiVersion?: string;
  /** `Failure` for every error answer. */
  status?: 'Failure' | 'Success';
  /** What went wrong, in the server's words (with kubeloom's hint appended for common causes). */
  message?: string;
  /** Machine-readable cause, e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Invalid`, `Expired`. */
  reason?: string;
  /** Which object failed and, for `Invalid`, each field that was refused. */
  details?: StatusDetails;
  /** The HTTP status code again. */
  code?: number;
}

/** Extra detail in a {@link Status}: which object failed and why, field by field. */
export interface StatusDetails {
  /** Name of the object the error is about. */
  name?: string;
  /** API group of that object. */
  group?: string;
  /** Kind (or resource) of that object. */
  kind?: string;
  /** UID of that object, when known. */
  uid?: string;
  /** One entry per refused field or other cause (422 Invalid lists each field). */
  causes?: Array<{
    /** Machine-readable cause, e.g. `FieldValueRequired`. */
    type?: string;
    /** The same as `type` on older servers. */
    reason?: string;
    /** What is wrong with the field. */
    message?: string;
    /** Path of the field, e.g. `spec.replicas`. */
    field?: string;
  }>;
  /** How long to wait before retrying (429 and some 5xx); the client honours it. */
  retryAfterSeconds?: number;
}

/**
 * The API server answered with an error status. `code` is the HTTP status, `reason` the machine-readable
 * `Status.reason` (e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Expired`), and `status` the full body.
 */
export class ApiError extends Error {
  /** `ApiError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'ApiError';
  /** HTTP status code. */
  readonly code: number;
  /** `Status.reason`, or a reason derived from the HTTP code when the body is not a Status. */
  readonly reason: string;
  /** The parsed `Status` body (a synthetic one when the server sent something else). */
  readonly status: Status;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** URL of the failed request (never contains credentials). */
  readonly url: string;
  /** How long the server asked us to wait before retrying (Retry-After header or `details.retryAfterSeconds`). */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    code: number;
    status: Status;
    method: string;
    url: string;
    retryAfterMs?: number | undefined;
  }) {
    const reason = init.status.reason || reasonForCode(init.code);
    const message = init.status.message || `the server answered ${init.code} ${reason}`;
    super(`${init.method} ${init.url}: ${init.code} ${reason}: ${message}`);
    this.code = init.code;
    this.reason = reason;
    this.status = init.status;
    this.method = init.method;
    this.url = init.url;
    const fromDetails = init.status.details?.retryAfterSeconds;
    this.retryAfterMs = init.retryAfterMs ?? (fromDetails !== undefined ? fromDetails * 1000 : undefined);
  }

  /** `Status.details`, if the server sent any. */
  get details(): StatusDetails | undefined {
    return this.status.details;
  }
}

/**
 * No HTTP answer arrived: the server could not be reached, its certificate could not be verified, or the
 * URL's scheme does not match what the port speaks. `reason` (and `certificateProblem`) tell these apart so
 * code can branch on them; the message says what happened and what to fix.
 */
export class ConnectionError extends Error {
  /** `ConnectionError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'ConnectionError';
  /** HTTP method of the failed request. */
  readonly method: string;
  /** URL of the failed request (never contains credentials). */
  readonly url: string;
  /** What kind of failure this is; see {@link ConnectionFailure}. */
  readonly reason: ConnectionFailure;
  /** For `CertificateNotVerified`: why the certificate was rejected. */
  readonly certificateProblem: CertificateProblem | undefined;
  /** Everything known about the failure (safe to show: no credentials). */
  readonly diagnosis: ConnectionFailureDetails;
  /** The message without its leading `METHOD url: `: what happened and what to do about it. */
  readonly explanation: string;

  /**
   * @param details What {@link diagnoseConnectionFailure} found; classified from `cause`'s error codes when
   *   left out.
   */
  constructor(method: string, url: string, cause: unknown, details?: ConnectionFailureDetails) {
    const found = details ?? classifyConnectionFailure(url, cause);
    const explanation = explainConnectionFailure(found, describeCause(cause));
    super(`${method} ${url}: ${explanation}`, { cause });
    this.explanation = explanation;
    this.method = method;
    this.url = url;
    this.reason = found.reason;
    this.certificateProblem = found.certificateProblem;
    this.diagnosis = found;
  }
}

/**
 * What was wrong with an object a client verb was asked to send:
 *
 * - `NotAnObject`: null, undefined, a string (YAML or JSON text?), an array, a Map, a Promise, ...
 * - `NotSerializable`: JSON cannot carry it as it is (a cycle, a BigInt, NaN, a Map or Set inside).
 * - `MissingName`: the verb needs `metadata.name` (or the name argument) and it is missing or not a string.
 * - `MissingNamespace`: a namespaced resource without a namespace in the object or the options.
 * - `InvalidMetadata`: `metadata` (or `metadata.namespace`) has the wrong type.
 * - `KindMismatch`: the object's `kind` is not the resource descriptor's.
 */
export type InvalidObjectProblem =
  | 'NotAnObject'
  | 'NotSerializable'
  | 'MissingName'
  | 'MissingNamespace'
  | 'InvalidMetadata'
  | 'KindMismatch';

/**
 * A client verb refused its arguments before sending anything. The message starts with the call, e.g.
 * `create(ConfigMap): the object must be a plain object, got a string (...)`.
 */
export class InvalidObjectError extends TypeError {
  /** `InvalidObjectError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'InvalidObjectError';
  /** The call that refused, e.g. `create(ConfigMap)`. */
  readonly call: string;
  /** What was wrong; see {@link InvalidObjectProblem}. */
  readonly problem: InvalidObjectProblem;

  /** @param message What is wrong and what to do; the call is put in front of it. */
  constructor(call: string, problem: InvalidObjectProblem, message: string) {
    super(`${call}: ${message}`);
    this.call = call;
    this.problem = problem;
  }
}

/** The request did not finish within its timeout. */
export class TimeoutError extends Error {
  /** `TimeoutError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'TimeoutError';
  constructor(method: string, url: string, timeoutMs: number) {
    super(
      `${method} ${url}: no answer within ${timeoutMs} ms; the server may be overloaded, or raise the timeout (timeoutMs)`,
    );
  }
}

/**
 * A kubeconfig could not be used: missing file, unknown context, no cluster, or a credential plugin that
 * failed. The message names the kubeconfig source and the context.
 */
export class KubeConfigError extends Error {
  /** `KubeConfigError`, also after the class is lost (structured logs, errors crossing a worker). */
  override readonly name = 'KubeConfigError';
  /**
   * A machine-readable cause where one is known: `PlainHttpServer` means the cluster's server URL is
   * `http://` while the kubeconfig's credentials may only be sent over TLS.
   */
  readonly reason: KubeConfigProblem | undefined;

  /** @param options `cause`, and `reason` when the problem is one of the known {@link KubeConfigProblem}s. */
  constructor(message: string, options: ErrorOptions & { reason?: KubeConfigProblem } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.reason = options.reason;
  }
}

/** Known kinds of {@link KubeConfigError}. */
export type KubeConfigProblem = 'PlainHttpServer';

function reasonForCode(code: number): string {
  switch (code) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 406:
      return 'NotAcceptable';
    case 409:
      return 'Conflict';
    case 410:
      return 'Gone';
    case 415:
      return 'UnsupportedMediaType';
    case 422:
      return 'Invalid';
    case 429:
      return 'TooManyRequests';
    case 500:
      return 'InternalError';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'Timeout';
    default:
      return code >= 500 ? 'InternalError' : 'Unknown';
  }
}

/** Short description of an underlying network error, including nested `cause` codes such as ECONNREFUSED. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const inner = cause.cause instanceof Error ? `: ${describeCause(cause.cause)}` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${cause.message}${inner}`;
  }
  return String(cause);
}

function hasCode(err: unknown, code: number): boolean {
  return err instanceof ApiError && err.code === code;
}

/** True for a 404 NotFound. */
export const isNotFound = (err: unknown): boolean => hasCode(err, 404);
/** True for a 409 Conflict that is not an AlreadyExists (i.e. a stale resourceVersion). */
export const isConflict = (err: unknown): boolean =>
  hasCode(err, 409) && (err as ApiError).reason === 'Conflict';
/** True for a 409 AlreadyExists. */
export const isAlreadyExists = (err: unknown): boolean =>
  hasCode(err, 409) && (err as ApiError).reason === 'AlreadyExists';
/** True for a 410 Gone / Expired: the resourceVersion or continue token is too old. */
export const isGone = (err: unknown): boolean =>
  hasCode(err, 410) || (err instanceof ApiError && err.reason === 'Expired');
/** True for a 403 Forbidden. */
export const isForbidden = (err: unknown): boolean => hasCode(err, 403);
/** True for a 401 Unauthorized. */
export const isUnauthorized = (err: unknown): boolean => hasCode(err, 401);
/** True for a 422 Invalid. */
export const isInvalid = (err: unknown): boolean => hasCode(err, 422);
/** True for a 429 TooManyRequests. */
export const isTooManyRequests = (err: unknown): boolean => hasCode(err, 429);
