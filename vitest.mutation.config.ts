import { defineConfig } from 'vitest/config';

/**
 * The fast unit tests of the core and the service, for mutation testing
 * (`npm run mutate`, stryker.config.mjs): no PostgreSQL, no HTTP server, no
 * SQLite, no test that reads the source tree. Stryker runs each mutant against
 * the tests that cover it, so every file here must stay quick.
 */
export default defineConfig({
  test: {
    // The core's scanning has its unit tests in test/scanning (the secretlint adapter's are left out).
    include: [
      'test/core/**/*.test.ts',
      'test/service/**/*.test.ts',
      'test/scanning/find.test.ts',
      'test/scanning/rules.test.ts',
      // The store-backed directory through the service, on the memory directory store.
      'test/directory/**/*.test.ts',
      // The kept policies on a memory store with policy versions: the only test of their bound (1,000 entries).
      'test/storage/policy-cache.test.ts',
    ],
    exclude: [
      // The random model runs against SQLite as well; it takes seconds per run and belongs to the full suite.
      'test/core/service.model.test.ts',
      // These read the source tree (imports, Node globals), not behaviour: no mutant changes their answer.
      'test/core/runtime.test.ts',
      'test/core/dependencies.test.ts',
    ],
    testTimeout: 30_000,
  },
});
