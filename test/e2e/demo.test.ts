import { demo } from '@kubeloom/example-quickstart/demo';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sharedKcp } from './kcp.ts';

describe('./run demo', () => {
  it('greets the ConfigMap of each of three consumer workspaces and stops cleanly', async () => {
    const kcp = await sharedKcp();
    onTestFinished(() => kcp.stop());
    const lines: string[] = [];
    const greetings = await demo((line) => lines.push(line), kcp);
    expect(greetings.size).toBe(3);
    for (const [path, greeting] of greetings) {
      expect(path).toMatch(/^root:quickstart-consumer-/);
      expect(greeting).toMatch(/^Hello from kubeloom, workspace [a-z0-9]+!$/);
    }
    expect(lines.at(-1)).toMatch(/^\nAll 3 workspaces reconciled through one watch per resource; done in/);
  });
});
