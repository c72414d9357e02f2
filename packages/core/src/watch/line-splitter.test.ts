import { describe, expect, it } from 'vitest';
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
