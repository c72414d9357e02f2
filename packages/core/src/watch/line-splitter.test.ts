import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';
import { LineSplitter } from './line-splitter.ts';

describe('LineSplitter', () => {
  it('joins lines split across chunks, including multi-byte characters', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    const bytes = new TextEncoder().encode('{"a":"ü"}\n\n{"b":2}\n{"c"');
    // Split inside the two-byte ü.
    const cut = bytes.indexOf(0xc3) + 1;
    splitter.push(bytes.slice(0, cut), (l) => lines.push(l));
    splitter.push(bytes.slice(cut), (l) => lines.push(l));
    splitter.push(':3}', (l) => lines.push(l));
    splitter.flush((l) => lines.push(l));
    expect(lines).toEqual(['{"a":"ü"}', '{"b":2}', '{"c":3}']);
  });
});

describe('Backoff', () => {
  it('doubles up to the cap, and starts over after a healthy period', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 400, jitter: 0, resetAfterMs: 1_000 });
    expect([b.next(0), b.next(10), b.next(20), b.next(30)]).toEqual([100, 200, 400, 400]);
    expect(b.next(5_000)).toBe(100);
    b.reset();
    expect(b.next(5_001)).toBe(100);
  });
});
