import { defineConfig } from 'vitest/config';

// Temporary: the core modules' own unit tests only (a lower bound of the score with the whole fast set).
export default defineConfig({
  test: {
    include: [
      'test/core/policy.test.ts',
      'test/core/duration.test.ts',
      'test/core/duration.edges.test.ts',
      'test/core/format.test.ts',
      'test/core/format.edges.test.ts',
      'test/core/principal.test.ts',
      'test/core/input.edges.test.ts',
      'test/core/text.test.ts',
      'test/core/encoding.test.ts',
      'test/scanning/find.test.ts',
    ],
    testTimeout: 30_000,
  },
});
