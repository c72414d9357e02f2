import type { RequestInfo, RequestObserver } from './rest-client.ts';

/** What a {@link RequestObserver} learns when a request finished. */
export type FinishedRequest = RequestInfo & {
  /** HTTP status of the answer; undefined when none came (connection failure, timeout, abort). */
  status: number | undefined;
  /** From sending to the end of the answer (for streams: to the stream's close), in milliseconds. */
  durationMs: number;
};

const observers = new Set<RequestObserver>();

/**
 * Tells `observer` about every request any client in this process finishes, the way client-go's metrics
 * hooks see every client: request metrics then cover the clients a provider or a library made too, not
 * only those built with an observer. Returns the function that stops it. Observers run on the request
 * path, so they must be cheap and must not throw.
 */
export function observeEveryRequest(observer: RequestObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/** Reports a finished request to the client's own observer and to every process-wide one. */
export function reportRequestFinished(own: RequestObserver | undefined, request: FinishedRequest): void {
  own?.requestFinished?.(request);
  for (const observer of observers) observer.requestFinished?.(request);
}
