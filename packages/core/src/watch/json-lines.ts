import type { Readable } from 'node:stream';

/**
 * Splits a byte stream of newline-delimited JSON (a Kubernetes watch response) into parsed values.
 * A line that is not valid JSON is reported through `onBadLine` and skipped, never silently dropped.
 */
export async function* jsonLines<T = unknown>(
  body: Readable,
  onBadLine?: (line: string, error: unknown) => void,
): AsyncGenerator<T> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) {
        let value: T | undefined;
        try {
          value = JSON.parse(line) as T;
        } catch (err) {
          onBadLine?.(line.slice(0, 200), err);
        }
        if (value !== undefined) yield value;
      }
      newline = buffered.indexOf('\n');
    }
  }
  const rest = (buffered + decoder.decode()).trim();
  if (rest) {
    try {
      yield JSON.parse(rest) as T;
    } catch (err) {
      onBadLine?.(rest.slice(0, 200), err);
    }
  }
}
