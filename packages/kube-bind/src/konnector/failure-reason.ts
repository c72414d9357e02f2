import { ApiError, ConnectionError } from '@kubeloom/core';
import { messageOf } from './bound-crd.ts';

/** A condition reason and message for a failed call to the provider. */
export interface ProviderFailure {
  readonly reason: 'ProviderUnauthorized' | 'ProviderForbidden' | 'ProviderUnreachable' | 'ProviderError';
  readonly message: string;
}

/**
 * Says why a call to the provider failed and what to do, naming the kubeconfig Secret the credentials came
 * from (never the credentials).
 */
export function providerFailure(error: unknown, server: string, secret: string): ProviderFailure {
  if (error instanceof ApiError && error.code === 401) {
    return {
      reason: 'ProviderUnauthorized',
      message: `the provider at ${server} rejected the kubeconfig in Secret ${secret} (401 Unauthorized): it expired or was revoked. Bind again (kubeloom bind) or put a valid kubeconfig into the Secret; nothing bound is deleted meanwhile`,
    };
  }
  if (error instanceof ApiError && error.code === 403) {
    return {
      reason: 'ProviderForbidden',
      message: `the provider at ${server} denies the kubeconfig in Secret ${secret} access (403 Forbidden): ${error.message}. Ask the provider to grant it, or bind again`,
    };
  }
  if (error instanceof ConnectionError) {
    return {
      reason: 'ProviderUnreachable',
      message: `cannot reach the provider at ${server} (kubeconfig in Secret ${secret}): ${error.message}. The konnector keeps retrying; nothing bound is deleted meanwhile`,
    };
  }
  return { reason: 'ProviderError', message: `the provider at ${server} failed: ${messageOf(error)}` };
}
