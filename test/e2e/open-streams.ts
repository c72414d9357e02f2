import type { RequestInfo, RequestObserver } from '@kubeloom/core';

/**
 * Counts the watch streams a client has open, by URL without its query, from the requests its
 * {@link observer} sees: give the observer to a provider to see which watches it holds.
 */
export class OpenStreams {
  readonly #open = new Map<string, number>();

  /** The request observer that does the counting. */
  readonly observer: RequestObserver = {
    requestStarted: (info) => this.#count(info, 1),
    requestFinished: (info) => this.#count(info, -1),
  };

  /** All open streams. */
  total(): number {
    return [...this.#open.values()].reduce((a, b) => a + b, 0);
  }

  /** The URLs with an open stream, sorted. */
  urls(): string[] {
    return [...this.#open]
      .filter(([, n]) => n > 0)
      .map(([url]) => url)
      .toSorted();
  }

  /** Every URL seen with its count, for a timeout message. */
  toString(): string {
    return JSON.stringify([...this.#open]);
  }

  #count(info: RequestInfo, change: number): void {
    if (!info.stream) return;
    const key = info.url.replace(/[?].*$/, '');
    this.#open.set(key, (this.#open.get(key) ?? 0) + change);
  }
}
