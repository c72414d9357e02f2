import { describe, expect, it } from 'vitest';
import { streams } from './streams.ts';

describe('examples/informers/streams', () => {
  it('reflects a watch into a store, streams one workspace of an informer, and closes the watch', async () => {
    const lines: string[] = [];
    await streams((l) => lines.push(l));
    expect(lines.filter((l) => !l.startsWith('shop informer'))).toEqual([
      'apply settings (store holds 1)',
      'delete settings (store holds 0)',
      "open watches after unsubscribing: 1 (the informer's)",
    ]);
    expect(lines.filter((l) => l.startsWith('shop informer'))).toEqual([
      'shop informer: add settings',
      'shop informer: delete settings',
    ]);
  });
});
