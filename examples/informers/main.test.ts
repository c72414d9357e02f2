import { describe, expect, it } from 'vitest';
import { main } from './main.ts';

describe('examples/informers', () => {
  it('keeps two workspaces apart and tells the shop handler only about shop', async () => {
    const lines: string[] = [];
    const seen = await main((l) => lines.push(l));
    expect(lines[0]).toBe('cached 2 ConfigMaps from one watch');
    expect(lines).toContain('shop: default/settings theme=solarized');
    expect(lines).toContain('blog: default/settings theme=sepia');
    expect(seen).toEqual(['replayed shop/settings', 'updated shop/settings theme=solarized']);
  });
});
