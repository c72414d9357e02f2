import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starting kcp (and building it on first use) takes a while; reconciling through it a few seconds.
    hookTimeout: 600_000,
    testTimeout: 300_000,
  },
});
