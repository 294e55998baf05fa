import { defineConfig } from 'vitest/config';

// Temporary: core unit tests for access, actors, authority, encoding, errors, records, scanning, options.
export default defineConfig({
  test: {
    include: [
      'test/core/actors.test.ts',
      'test/core/authority/rules.test.ts',
      'test/core/authority/table.test.ts',
      'test/core/authority/untargeted.test.ts',
      'test/core/errors.test.ts',
      'test/core/encoding.test.ts',
      'test/core/format.test.ts',
      'test/core/format.edges.test.ts',
      'test/core/configuration.test.ts',
      'test/core/stored-hashes.test.ts',
      'test/core/service.verify.test.ts',
      'test/core/service.issue.test.ts',
      'test/core/service.manage.test.ts',
      'test/scanning/find.test.ts',
      'test/scanning/rules.test.ts',
    ],
    testTimeout: 30_000,
  },
});
