/**
 * Operations per CPU-second of this process, candidate against baseline:
 * for work done entirely in this process (SQLite through better-sqlite3)
 * the whole cost, for a database server the client's share of it. Unlike a
 * wall-clock rate it hardly moves when other processes take the CPU, which
 * on the shared development machine decides more than the code.
 * Rounds alternate baseline and candidate after one warm-up run of each;
 * the best round of each side is kept, and every round's ratio.
 */
export async function compareCpuOps(
  candidate: () => unknown,
  baseline: () => unknown,
  options: { readonly ops: number; readonly rounds: number },
): Promise<{ value: number; baseline: number; ratios: number[] }> {
  const run = async (fn: () => unknown): Promise<number> => {
    const start = process.cpuUsage();
    for (let i = 0; i < options.ops; i++) {
      const result = fn();
      if (result instanceof Promise) await result;
    }
    const used = process.cpuUsage(start);
    return (options.ops * 1e6) / (used.user + used.system);
  };
  await run(baseline);
  await run(candidate);
  let best = 0;
  let bestBaseline = 0;
  const ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const base = await run(baseline);
    const value = await run(candidate);
    bestBaseline = Math.max(bestBaseline, base);
    best = Math.max(best, value);
    ratios.push(value / base);
  }
  return { value: best, baseline: bestBaseline, ratios };
}
