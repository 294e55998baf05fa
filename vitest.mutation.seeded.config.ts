import { defineConfig, mergeConfig } from 'vitest/config';
import fast from './vitest.mutation.config.js';

/**
 * The fast set of `vitest.mutation.config.ts` for mutation runs of the
 * service's trust modules (docs/testing.md, footnote ⁵), with three changes:
 * fast-check's seed is fixed (stryker/fixed-seed.ts), so every mutant meets
 * the same cases as the unmutated code; the 1,000-run authority properties
 * are left out (seconds per mutant on a shared machine); and
 * `MUTATION_TESTS` (comma-separated globs) may narrow the set further to
 * the test files of one module. A subset of the tests gives a lower bound
 * of the score:
 * `MUTATION_TESTS='test/service/verify*.ts' npx stryker run stryker.seeded.config.mjs --mutate src/service/verify.ts`.
 */
const narrowed = process.env.MUTATION_TESTS?.split(',').filter((glob) => glob !== '');

export default mergeConfig(
  narrowed === undefined || narrowed.length === 0 ? fast : { ...fast, test: { ...fast.test, include: narrowed } },
  defineConfig({
    test: {
      setupFiles: ['stryker/fixed-seed.ts'],
      exclude: ['test/core/authority/property.test.ts'],
    },
  }),
);
