import { defineConfig } from 'vitest/config';

/**
 * Files named `*.alone.test.ts` measure the event loop or wall-clock bounds,
 * so they run in a second group after every other file has finished, one at
 * a time: no neighbour competes for the CPU while they measure.
 */
const ALONE = 'test/**/*.alone.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Hands PostgreSQL tests a server started on first use and stopped after the run (test/support/postgres.ts).
    globalSetup: ['test/support/postgres-global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'tokenward',
          include: ['test/**/*.test.ts'],
          exclude: [ALONE],
          sequence: { groupOrder: 0 },
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
        },
      },
      {
        extends: true,
        test: {
          name: 'alone',
          include: [ALONE],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
