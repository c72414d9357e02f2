import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../client/object.ts';
import { apiVersionOf } from '../client/resource.ts';
import type { ObjectFilter } from './object-filter.ts';
import type { ChangeListener, ResourceTable, StoredEvent } from './resource-table.ts';
import { type StatusBody, expired } from './status-error.ts';

/** How one watch behaves. */
export interface WatchStreamOptions {
  table: ResourceTable;
  filter: ObjectFilter;
  /** Send a BOOKMARK this often (`allowWatchBookmarks=true`); `undefined`: no bookmarks. */
  bookmarkIntervalMs: number | undefined;
  /** End the stream normally after this long (`timeoutSeconds`); `undefined`: never. */
  timeoutMs: number | undefined;
  /** The server's current resourceVersion, for bookmarks. */
  currentRv: () => number;
  /** Called once when the connection closes, however that happens. */
  onClose: () => void;
}

/** Flush at once when this many bytes are queued; smaller batches go out on the next turn of the event loop. */
const flushBytes = 64 * 1024;

/**
 * One open watch response: newline-delimited JSON events written to an HTTP response. Events are batched
 * per event-loop turn (so bulk writes stream fast) and can be stalled, expired or dropped by fault injection.
 */
export class WatchStream implements ChangeListener {
  readonly #res: ServerResponse;
  readonly #options: WatchStreamOptions;
  #pending: string[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;
  #stalled = false;
  #closed = false;
  #bookmarkTimer: NodeJS.Timeout | undefined;
  #timeoutTimer: NodeJS.Timeout | undefined;

  constructor(res: ServerResponse, options: WatchStreamOptions) {
    this.#res = res;
    this.#options = options;
  }

  /** Whether the connection is gone. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether writes are currently held back by {@link stall}. */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** Sends the response headers, starts the bookmark and timeout timers. */
  open(): void {
    this.#res.once('close', () => this.#cleanup());
    this.#res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    this.#res.flushHeaders();
    const { bookmarkIntervalMs, timeoutMs } = this.#options;
    if (bookmarkIntervalMs !== undefined) {
      this.#bookmarkTimer = setInterval(() => {
        if (!this.#stalled) this.bookmark();
      }, bookmarkIntervalMs);
    }
    if (timeoutMs !== undefined) this.#timeoutTimer = setTimeout(() => this.end(), timeoutMs);
  }

  /** Starts receiving live changes of the table. */
  subscribe(): void {
    if (!this.#closed) this.#options.table.listeners.add(this);
  }

  /** Sends a committed change if the filter selects it (a change into or out of the selection becomes ADDED / DELETED). */
  deliver(event: StoredEvent): void {
    if (this.#closed) return;
    const { filter } = this.#options;
    const now = filter.matches(event.object);
    if (event.type === 'MODIFIED' && !filter.selectsAll) {
      const before = event.previous !== undefined && filter.matches(event.previous);
      if (now && !before) return this.send('ADDED', event.object);
      if (!now && before) return this.send('DELETED', event.object);
    }
    if (!now) return;
    event.line ??= watchLine(event.type, event.object);
    this.#write(event.line);
  }

  /** Sends one event. */
  send(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object: KubeObject): void {
    if (!this.#closed) this.#write(watchLine(type, object));
  }

  /** Sends a BOOKMARK at the current resourceVersion. */
  bookmark(annotations?: Record<string, string>): void {
    const { resource } = this.#options.table;
    this.send('BOOKMARK', {
      kind: resource.kind,
      apiVersion: apiVersionOf(resource),
      metadata: {
        resourceVersion: String(this.#options.currentRv()),
        ...(annotations ? { annotations } : {}),
      },
    });
  }

  /** Holds back every write (events and bookmarks) until {@link resume}; the connection stays open. */
  stall(): void {
    this.#stalled = true;
  }

  /** Sends what was held back and continues normally. */
  resume(): void {
    if (!this.#stalled) return;
    this.#stalled = false;
    this.#flush();
  }

  /** Sends queued events, then an ERROR event with `status`, and ends the response. */
  fail(status: StatusBody): void {
    if (this.#closed) return;
    this.#pending.push(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
    this.#stalled = false;
    this.#flush();
    this.end();
  }

  /** Sends an ERROR event with a 410 Expired Status and ends the response (fault injection). */
  expire(): void {
    this.fail(expired('The resourceVersion for the provided watch is too old.').toStatus());
  }

  /** Ends the response normally (as `timeoutSeconds` does), after sending what is queued unless stalled. */
  end(): void {
    if (this.#closed) return;
    this.#flush();
    this.#res.end();
    this.#cleanup();
  }

  /** Destroys the connection abruptly, mid-stream. */
  drop(): void {
    if (this.#closed) return;
    this.#cleanup();
    this.#res.socket?.destroy();
    this.#res.destroy();
  }

  #write(line: string): void {
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#stalled) return;
    if (this.#pendingBytes >= flushBytes) {
      this.#flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        this.#flush();
      });
    }
  }

  #flush(): void {
    if (this.#stalled || this.#closed || this.#pending.length === 0) return;
    const chunk = this.#pending.length === 1 ? (this.#pending[0] as string) : this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#res.write(chunk);
  }

  #cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    clearInterval(this.#bookmarkTimer);
    clearTimeout(this.#timeoutTimer);
    this.#options.table.listeners.delete(this);
    this.#options.onClose();
  }
}

/** One watch event as a line of JSON. */
export function watchLine(type: string, object: unknown): string {
  return `${JSON.stringify({ type, object })}\n`;
}
