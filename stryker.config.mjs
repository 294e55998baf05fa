// Mutation testing of the core and the service (issue 15): `npm run mutate`,
// or one module while iterating: `npm run mutate -- --mutate src/core/grants.ts`.
// Not part of `npm test` or CI. Scores and accepted survivors: docs/testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/*', './stryker/message-text.mjs'],
  mutate: [
    'src/core/**/*.ts',
    'src/service/**/*.ts',
    // Files that only declare types (or re-export) have nothing to mutate.
    '!src/core/types.ts',
    '!src/core/format-types.ts',
    '!src/core/principal-types.ts',
    '!src/core/repository.ts',
    '!src/core/directory-store.ts',
    '!src/core/tracing.ts',
    '!src/service/types.ts',
    '!src/service/token-service.ts',
  ],
  // Message text excluded: mutants of the message argument of `new TokenError(…)`,
  // `invalid(field, …)`, `withMethods(…, what)`, `safeLog(…, …, message, …)` and the service's `forbidden(…)`,
  // `requireAdmin(…, …)` and `requireReach(…)` are ignored by the plugin above (the
  // list is in stryker/message-text.mjs); everything else, codes and fields included, is mutated.
  ignorers: ['message-text'],
  // Only the tests that cover a mutant run against it.
  coverageAnalysis: 'perTest',
  // Re-runs only mutants whose code or tests changed since the last run (`--force`: all of them).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // Two cores shared by several people.
  concurrency: 2,
  reporters: ['html', 'clear-text', 'progress', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  // Not copied into the sandbox: build output, reports and other runs' sandboxes.
  ignorePatterns: ['dist', 'coverage', '.tmp', 'reports', '.stryker-tmp*', '.demo-data'],
  cleanTempDir: 'always',
};
