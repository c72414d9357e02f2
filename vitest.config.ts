import { defineConfig } from 'vitest/config';

// Two projects: `unit` is fast and never touches the network; `e2e` runs against one real kcp
// started by test/e2e/global-setup.ts for the whole run (each test creates its own workspaces).
export default defineConfig({
  test: {
    // vitest's default is one worker fewer than the cores, i.e. one on a 2-core machine, which runs the e2e
    // files one after another although they mostly wait on servers (restarts, lease expiry, kcp workspaces).
    // With three workers the files overlapped only 2.6 at a time on average (the longest ones end the run).
    maxWorkers: 4,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'examples/*/*.test.ts', 'examples/*/src/**/*.test.ts'],
          environment: 'node',
          // Unit tests finish in milliseconds to a few seconds, but CI runs them beside e2e files that start
          // servers on 2 cores (load 15-25), where some take 4-11 s: vitest's 5 s default fails them there.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One kcp serves every file; files run in parallel against their own workspaces.
          fileParallelism: true,
        },
      },
    ],
  },
});
