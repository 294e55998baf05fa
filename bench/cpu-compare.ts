/**
 * Operations per CPU-second of this process, candidate against baseline:
 * for work done entirely in this process (SQLite through better-sqlite3)
 * the whole cost, for a database server the client's share of it. Unlike a
 * wall-clock rate it hardly moves when other processes take the CPU, which
 * on the shared development machine decides more than the code.
 * Rounds alternate baseline and candidate (each round the other first)
 * after one warm-up run of each;
 * the best round of each side is kept, and every round's ratio.
 */
export async function compareCpuOps(
  candidate: () => unknown,
  baseline: () => unknown,
  options: { readonly ops: number; readonly rounds: number; readonly concurrency?: number },
): Promise<{ value: number; baseline: number; ratios: number[] }> {
  // `concurrency` calls in flight at once (default one): all of the process's threads count, Web Crypto's pool too.
  const concurrency = options.concurrency ?? 1;
  const perWorker = Math.ceil(options.ops / concurrency);
  const run = async (fn: () => unknown): Promise<number> => {
    const worker = async (): Promise<void> => {
      for (let i = 0; i < perWorker; i++) {
        const result = fn();
        if (result instanceof Promise) await result;
      }
    };
    const start = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const used = process.cpuUsage(start);
    return (perWorker * concurrency * 1e6) / (used.user + used.system);
  };
  await run(baseline);
  await run(candidate);
  let best = 0;
  let bestBaseline = 0;
  const ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Odd rounds run the candidate first, so neither side always follows the other.
    const first = round % 2 === 0 ? await run(baseline) : await run(candidate);
    const second = round % 2 === 0 ? await run(candidate) : await run(baseline);
    const [base, value] = round % 2 === 0 ? [first, second] : [second, first];
    bestBaseline = Math.max(bestBaseline, base);
    best = Math.max(best, value);
    ratios.push(value / base);
  }
  return { value: best, baseline: bestBaseline, ratios };
}
