import type { Status, StatusDetails } from '../client/errors.ts';
import type { ResourceDescriptor } from '../client/resource.ts';

/** A `Status` body exactly as the fake server sends it (real servers include an empty `metadata`). */
export type StatusBody = Status & { kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, never> };

/**
 * A failed request inside the fake API server. Handlers throw it; the server turns it into an HTTP
 * response (or a watch ERROR event) with a Kubernetes `Status` body, so the client sees what a real
 * API server would send.
 */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  /** HTTP status code. */
  readonly code: number;
  /** `Status.reason`, e.g. `NotFound`, `Conflict`, `Expired`. */
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The `Status` body to send. */
  toStatus(): StatusBody {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

/** Builds a failure `Status` body. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: StatusDetails,
): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

/** `configmaps` or `widgets.example.io`: how API servers name a resource in messages. */
export function qualifiedName(resource: ResourceDescriptor): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

function detailsFor(resource: ResourceDescriptor, name: string | undefined): StatusDetails {
  return {
    ...(name !== undefined ? { name } : {}),
    ...(resource.group ? { group: resource.group } : {}),
    kind: resource.plural,
  };
}

/** 404: the object does not exist. */
export function notFound(resource: ResourceDescriptor, name: string): StatusError {
  return new StatusError(
    404,
    'NotFound',
    `${qualifiedName(resource)} "${name}" not found`,
    detailsFor(resource, name),
  );
}

/** 404: the URL names no registered resource (or an unsupported subresource). */
export function unknownPath(path: string): StatusError {
  return new StatusError(404, 'NotFound', `the server could not find the requested resource (${path})`);
}

/** 409 AlreadyExists: create of an object whose name is taken. */
export function alreadyExists(resource: ResourceDescriptor, name: string): StatusError {
  return new StatusError(
    409,
    'AlreadyExists',
    `${qualifiedName(resource)} "${name}" already exists`,
    detailsFor(resource, name),
  );
}

/** 409 Conflict: a stale resourceVersion or a failed precondition. */
export function conflict(resource: ResourceDescriptor, name: string, why: string): StatusError {
  return new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedName(resource)} "${name}": ${why}`,
    detailsFor(resource, name),
  );
}

/** 410 Expired: a resourceVersion or continue token older than the retained history. */
export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

/** 422 Invalid: the object or patch is semantically wrong. */
export function invalid(resource: ResourceDescriptor, name: string, message: string): StatusError {
  return new StatusError(
    422,
    'Invalid',
    `${resource.kind} "${name}" is invalid: ${message}`,
    detailsFor(resource, name),
  );
}

/** 400 BadRequest: malformed JSON, selector, continue token or query parameter. */
export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

/** 405 MethodNotAllowed: the verb is not supported on this URL. */
export function methodNotAllowed(method: string, path: string): StatusError {
  return new StatusError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method} ${path})`,
  );
}

/** 415 UnsupportedMediaType: a PATCH content type the fake server does not implement. */
export function unsupportedMediaType(contentType: string): StatusError {
  return new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got "${contentType}")`,
  );
}

/** 401 Unauthorized: missing or wrong bearer token. */
export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** The conventional reason for an HTTP error code, for injected failures. */
export function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    409: 'Conflict',
    410: 'Expired',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}
