/**
 * A candidate against its baseline by the wall clock, in rounds of short
 * slices taken in turn (baseline, candidate, candidate, baseline, …), so
 * that a burst of load from another process falls on both sides of a round
 * alike instead of on one side's whole measurement. Each round's ratio is
 * the candidate's calls over the baseline's in that round's slices (equal
 * time each). Used where a target sits close to parity and 400 ms rounds
 * swung by ±15 % (issue 12, PostgreSQL `verify`).
 */
import { measureOps } from './harness.js';

/** Options of `compareSliced`. */
export interface SlicedOptions {
  readonly rounds: number;
  /** Slices per side and round. */
  readonly slices: number;
  readonly sliceMs: number;
  /** Warm-up of each side before the first round, in ms. */
  readonly warmupMs: number;
}

/** See the module. `value` and `baseline` are each side's best round, in calls per second. */
export async function compareSliced(
  candidate: () => unknown,
  baseline: () => unknown,
  options: SlicedOptions,
): Promise<{ value: number; baseline: number; ratios: number[] }> {
  const slice = (fn: () => unknown) => measureOps(fn, { durationMs: options.sliceMs, warmupMs: 0 });
  await measureOps(baseline, { durationMs: options.warmupMs, warmupMs: 0 });
  await measureOps(candidate, { durationMs: options.warmupMs, warmupMs: 0 });
  let best = 0;
  let bestBaseline = 0;
  const ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    let ours = 0;
    let theirs = 0;
    for (let i = 0; i < options.slices; i++) {
      // ABBA: neither side always runs first.
      if (i % 2 === 0) {
        theirs += await slice(baseline);
        ours += await slice(candidate);
      } else {
        ours += await slice(candidate);
        theirs += await slice(baseline);
      }
    }
    best = Math.max(best, ours / options.slices);
    bestBaseline = Math.max(bestBaseline, theirs / options.slices);
    ratios.push(ours / theirs);
  }
  return { value: best, baseline: bestBaseline, ratios };
}
