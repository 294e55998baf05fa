/**
 * A tiny benchmark harness: every figure is printed as a ratio against a
 * baseline measured in the same run, on the same machine, right next to it,
 * so the numbers mean something even on a busy 2-core box.
 */

/** One measured figure with its baseline. */
export interface BenchRow {
  readonly group: string;
  readonly name: string;
  readonly value: number;
  readonly baselineName: string;
  readonly baseline: number;
  /** `ops/s` (higher is better) or `bytes` (lower is better). */
  readonly unit: 'ops/s' | 'req/s' | 'bytes';
  /** The target ratio from the issue, for display (e.g. 0.8 means value/baseline ≥ 0.8). */
  readonly target?: number;
  /** The ratio of each round, when measured in rounds: printed as median and min–max. */
  readonly roundRatios?: readonly number[];
  /** An absolute bound from the issue (e.g. a page in at most 5 ms), checked against `measured`. */
  readonly limit?: { readonly value: number; readonly measured: number; readonly unit: string };
}

/** Options of `measureOps`. */
export interface MeasureOptions {
  /** How long to run after warm-up (default 1500 ms). */
  readonly durationMs?: number;
  /** Warm-up time (default 300 ms). */
  readonly warmupMs?: number;
  /** How many calls run concurrently (default 1: strictly sequential). */
  readonly concurrency?: number;
}

/** Calls `fn` repeatedly for a fixed time and returns operations per second. */
export async function measureOps(fn: () => unknown | Promise<unknown>, options: MeasureOptions = {}): Promise<number> {
  const durationMs = options.durationMs ?? 1500;
  const warmupMs = options.warmupMs ?? 300;
  const concurrency = options.concurrency ?? 1;
  const runFor = async (ms: number): Promise<number> => {
    const end = performance.now() + ms;
    let count = 0;
    const worker = async (): Promise<void> => {
      while (performance.now() < end) {
        // Batches of 64 keep the clock reads from dominating very fast calls.
        for (let i = 0; i < 64; i++) {
          const result = fn();
          if (result instanceof Promise) await result;
        }
        count += 64;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return (count * 1000) / (performance.now() - started);
  };
  await runFor(warmupMs);
  return runFor(durationMs);
}

/**
 * Measures a candidate and its baseline alternately (baseline, candidate,
 * baseline, candidate, …) and keeps the best of each, so a noisy moment on
 * the machine hurts both sides alike. `ratios` holds each round's
 * candidate/baseline ratio, from which a median and a range can be read.
 */
export async function compareOps(
  candidate: () => unknown | Promise<unknown>,
  baseline: () => unknown | Promise<unknown>,
  options: MeasureOptions & { readonly rounds?: number } = {},
): Promise<{ value: number; baseline: number; ratios: number[] }> {
  let best = 0;
  let bestBaseline = 0;
  const ratios: number[] = [];
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    const base = await measureOps(baseline, options);
    const value = await measureOps(candidate, options);
    bestBaseline = Math.max(bestBaseline, base);
    best = Math.max(best, value);
    ratios.push(value / base);
  }
  return { value: best, baseline: bestBaseline, ratios };
}

/** The median and the range of some ratios, e.g. `1.92× (1.85–2.01)`. */
function describeRatios(ratios: readonly number[]): string {
  const sorted = [...ratios].sort((a, b) => a - b);
  return `${median(ratios).toFixed(2)}× (${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)})`;
}

/** Formats rows as an aligned table with the ratio column. */
export function formatRows(rows: readonly BenchRow[]): string {
  const lines = rows.map((row) => {
    // Rows measured in rounds are judged by their median round.
    const ratio = row.roundRatios === undefined ? row.value / row.baseline : median(row.roundRatios);
    const relative =
      row.target === undefined
        ? ''
        : row.unit === 'bytes'
          ? `target ≤ ${row.target}× ${ratio <= row.target ? 'met' : 'MISSED'}`
          : `target ≥ ${row.target}× ${ratio >= row.target ? 'met' : 'MISSED'}`;
    const { limit } = row;
    const absolute =
      limit === undefined
        ? ''
        : `target ≤ ${limit.value} ${limit.unit} ${limit.measured <= limit.value ? 'met' : 'MISSED'}`;
    const target = [relative, absolute].filter((part) => part !== '').join(', ');
    return [
      `${row.group} / ${row.name}`,
      `${format(row.value)} ${row.unit}`,
      `vs ${row.baselineName} ${format(row.baseline)} ${row.unit}`,
      row.roundRatios === undefined ? `ratio ${ratio.toFixed(2)}×` : `median ratio ${describeRatios(row.roundRatios)}`,
      target,
    ];
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...lines.map((cells) => cells[i]?.length ?? 0)));
  return lines
    .map((cells) =>
      cells
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function format(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

/** A benchmark module: bench/<area>.bench.ts exports `default` of this type. */
export type BenchModule = (report: (row: BenchRow) => void) => Promise<void>;
