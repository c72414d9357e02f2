/**
 * Splits a byte stream into lines synchronously, chunk by chunk. The watcher parses tens of thousands of
 * events per second; doing it in the 'data' callback, without a promise per line, is what makes that cheap.
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder();
  #rest = '';

  /** Calls `onLine` for every complete, non-empty line in `chunk` (plus what was left from earlier chunks). */
  push(chunk: Uint8Array | string, onLine: (line: string) => void): void {
    const text =
      this.#rest + (typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true }));
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline >= 0) {
      if (newline > start) onLine(text.slice(start, newline));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.#rest = start === 0 ? text : text.slice(start);
  }

  /** Whatever remains after the stream ended (a last line without a newline). */
  flush(onLine: (line: string) => void): void {
    const rest = (this.#rest + this.#decoder.decode()).trim();
    this.#rest = '';
    if (rest) onLine(rest);
  }
}
