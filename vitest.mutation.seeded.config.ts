import { defineConfig, mergeConfig } from 'vitest/config';
import fast from './vitest.mutation.config.js';

/**
 * The fast set of `vitest.mutation.config.ts` for mutation runs of the
 * service's trust modules (docs/testing.md, footnote ⁵), with two changes:
 * fast-check's seed is fixed (stryker/fixed-seed.ts), so every mutant meets
 * the same cases as the unmutated code, and the 1,000-run authority
 * properties are left out (seconds per mutant on a shared machine; a
 * subset of the tests gives a lower bound of the score):
 * `npx stryker run --vitest.configFile vitest.mutation.seeded.config.ts --mutate <module>`.
 */
export default mergeConfig(
  fast,
  defineConfig({
    test: {
      setupFiles: ['stryker/fixed-seed.ts'],
      exclude: ['test/core/authority/property.test.ts'],
    },
  }),
);
