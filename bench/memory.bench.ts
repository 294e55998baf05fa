/**
 * The memory store at scale (issue 12): `verify` against the raw chain,
 * heap per token against the bare record, and one page of `list` against
 * the same page in a 100-token tenant of the same store — each scale
 * filled through `issue` in a child process of its own (bench/memory-scale.ts).
 *
 * `verify` is measured twice: per second of wall-clock time, and per
 * CPU-second of the process (`process.cpuUsage`, as bench/jwt.bench.ts
 * does), which other processes on a shared machine hardly move.
 *
 * Scales: 1,000, 100,000 and 1,000,000 tokens; `npm run bench -- --scale`
 * adds 3,000,000 (its child gets a 7.5 GB heap limit). `BENCH_MEMORY_SCALES=1000,100000`
 * picks others; `BENCH_ROUNDS` sets the rounds (default 7).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchModule, BenchRow } from './harness.js';
import type { Compared, ScaleFigures } from './memory-scale.js';

function scales(): number[] {
  const chosen = process.env.BENCH_MEMORY_SCALES;
  if (chosen !== undefined) return chosen.split(',').map(Number);
  return process.env.BENCH_SCALE === '1' ? [1_000, 100_000, 1_000_000, 3_000_000] : [1_000, 100_000, 1_000_000];
}

function runScale(tokens: number, rounds: number, withNode: boolean): ScaleFigures {
  // About 1.5 KB a token with room to spare, whatever the store's own figure.
  const heapMb = Math.max(1024, Math.ceil((tokens * 2500) / 1_000_000));
  const script = fileURLToPath(new URL('memory-scale.ts', import.meta.url));
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      `--max-old-space-size=${heapMb}`,
      '--import',
      'tsx',
      script,
      String(tokens),
      String(rounds),
      withNode ? 'node' : '',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as ScaleFigures;
}

function row(group: string, name: string, compared: Compared, baselineName: string, target?: number): BenchRow {
  return {
    group,
    name,
    value: compared.value,
    baselineName,
    baseline: compared.baseline,
    unit: 'ops/s',
    roundRatios: compared.ratios,
    ...(target === undefined ? {} : { target }),
  };
}

const bench: BenchModule = async (report) => {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  for (const tokens of scales()) {
    const figures = runScale(tokens, rounds, tokens === 1_000_000);
    const at = `${tokens.toLocaleString('en-US')} tokens`;
    const target = tokens <= 100_000 ? 1.5 : 1.3;
    report(row('memory', `verify, default hasher, ${at}`, figures.verify, 'raw chain', target));
    report(row('memory', `verify per CPU-second, default hasher, ${at}`, figures.verifyCpu, 'raw chain', target));
    if (figures.verifyNode !== null) {
      report(row('memory', `verify, nodeHasher, ${at}`, figures.verifyNode, 'raw chain'));
    }
    if (figures.heapPerToken !== null && figures.barePerToken !== null) {
      report({
        group: 'memory',
        name: `heap per token filled by issue, ${at}`,
        value: figures.heapPerToken,
        baselineName: 'bare record',
        baseline: figures.barePerToken,
        unit: 'bytes',
        target: 1.5,
      });
    }
    for (const [name, compared] of [
      ['tenant-wide', figures.listTenant],
      ['one owner (a tenth of the tokens)', figures.listOwner],
    ] as const) {
      const ms = 1000 / compared.value;
      report({
        ...row('memory', `list page, ${name}, ${at} (${ms.toFixed(3)} ms)`, compared, 'same page, 100-token tenant'),
        limit: { value: 5, measured: ms, unit: 'ms' },
      });
    }
    console.log(`  (${at}: filled through issue in ${figures.fillSeconds.toFixed(1)} s)`);
  }
};

export default bench;
