/**
 * Setup file of `vitest.mutation.seeded.config.ts`: every fast-check
 * property draws the same cases on every run, so a mutant is judged by the
 * same tests as the unmutated code (a property that counts what it saw,
 * such as test/core/authority/property.test.ts, otherwise may fall short
 * of its count by chance and fail Stryker's initial run).
 */
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: 20_261_130 });
