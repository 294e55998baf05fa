// Mutation runs with vitest.mutation.seeded.config.ts (fast-check's seed fixed,
// the 1,000-run authority properties left out): docs/testing.md, footnote ⁵.
//   npx stryker run stryker.seeded.config.mjs --mutate src/service/verify.ts
// MUTATION_RUN=<name> gives a run its own sandbox, incremental file and JSON
// report (reports/mutation/<name>.json), so two runs can share a worktree.
import base from './stryker.config.mjs';

const run = process.env.MUTATION_RUN;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.mutation.seeded.config.ts' },
  ...(run === undefined
    ? {}
    : {
        tempDirName: `.stryker-tmp-${run}`,
        incrementalFile: `reports/stryker-${run}.json`,
        htmlReporter: { fileName: `reports/mutation/${run}.html` },
        jsonReporter: { fileName: `reports/mutation/${run}.json` },
      }),
};
