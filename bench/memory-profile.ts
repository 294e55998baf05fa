/**
 * A/B and profiling helper for the memory `verify` path (not a benchmark
 * module: `npm run bench` does not run it).
 *
 *   node --import tsx bench/memory-profile.ts <tokens> [seconds] [root…]
 *
 * Fills one memory store per source tree through `issue` (as
 * `bench/memory-world.ts` does), then times `service.verify` over a
 * shuffled sample in operations per CPU-second, the trees' rounds
 * interleaved. Each `root` is a directory holding a copy of `src/` (default:
 * this tree's), so the code of another commit can be measured in the same
 * process (`git archive <commit> src | tar -x -C /tmp/old`; give the copy a
 * `node_modules` link to this tree's so its imports resolve). The ratios
 * printed are each other tree's speed against the first's: the first's µs
 * per verify over the other's, round by round (above 1: the other is
 * faster). With
 * `BENCH_PROFILE=<file>` it writes a CPU profile (Chrome DevTools) of the
 * timed loop alone, the filling left out. `BENCH_TOUCH_INTERVAL=<ms>` sets
 * the services' `touchInterval` (default one minute): at 1 ms every
 * verification of the shuffled sample writes its use, the case of a server
 * whose tokens are each used less often than once an interval.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';

interface World {
  readonly label: string;
  readonly verify: (token: string) => Promise<unknown>;
  readonly sample: string[];
}

async function world(root: string, tokens: number): Promise<World> {
  const lib = await import(`${root}/index.js`);
  const memory = await import(`${root}/stores/memory/index.js`);
  const names = Array.from({ length: Math.max(1, Math.floor(tokens / 10)) }, (_, i) => `user${i}`);
  const member = { grants: [{ bucket: 'main', access: 'read' }, { scope: 'reports' }] };
  const users: Record<string, unknown> = Object.fromEntries(names.map((name) => [name, member]));
  users.heavy = member;
  const service = lib.createTokenService({
    repository: memory.memoryRepository(),
    pepper: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
    prefix: 'acme',
    directory: lib.staticDirectory({ acme: users }),
    ...(process.env.BENCH_TOUCH_INTERVAL === undefined
      ? {}
      : { touchInterval: Number(process.env.BENCH_TOUCH_INTERVAL) }),
  });
  const kept: string[] = [];
  const keep = tokens <= 10_000 ? tokens : Math.min(100_000, Math.floor(tokens / 10));
  for (let i = 0; i < tokens; i++) {
    const user = i % 10 === 9 ? 'heavy' : names[i % names.length]!;
    const input = i % 4 === 3 ? { type: 'limited', grants: [{ bucket: 'main', access: 'read' }] } : {};
    const { token } = await service.issue(input, { tenant: 'acme', user });
    if (i >= tokens - keep)
      kept.push(process.env.BENCH_FLAT === '1' ? Buffer.from(token, 'latin1').toString('latin1') : token);
  }
  for (let i = kept.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [kept[i], kept[j]] = [kept[j]!, kept[i]!];
  }
  for (const token of kept) await service.verify(token);
  return { label: root, verify: (token) => service.verify(token), sample: kept };
}

/** One round: µs of CPU and µs of wall clock per verify. */
async function cpuRound(w: World, ops: number): Promise<[number, number]> {
  const start = process.cpuUsage();
  const began = performance.now();
  const { sample } = w;
  for (let i = 0; i < ops; i++) await w.verify(sample[i % sample.length]!);
  const used = process.cpuUsage(start);
  return [(used.user + used.system) / ops, ((performance.now() - began) * 1000) / ops];
}

const tokens = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 10);
const roots = process.argv.slice(4);
if (roots.length === 0) roots.push(fileURLToPath(new URL('../src', import.meta.url)));
const worlds: World[] = [];
for (const root of roots) worlds.push(await world(root, tokens));
const ops = 100_000;
const profilePath = process.env.BENCH_PROFILE;
const session = profilePath === undefined ? null : new Session();
if (session !== null) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const figures: number[][] = worlds.map(() => []);
const walls: number[][] = worlds.map(() => []);
const ends = performance.now() + seconds * 1000;
for (let round = 0; performance.now() < ends || round < 3; round++) {
  for (let k = 0; k < worlds.length; k++) {
    // Rotate which tree goes first.
    const w = (k + round) % worlds.length;
    const [cpu, wall] = await cpuRound(worlds[w]!, ops);
    figures[w]!.push(cpu);
    walls[w]!.push(wall);
  }
}
if (session !== null) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profilePath!, JSON.stringify(profile));
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (let w = 0; w < worlds.length; w++) {
  const xs = figures[w]!;
  process.stdout.write(
    `${worlds[w]!.label}: ${median(xs).toFixed(3)} µs/verify (CPU), min ${Math.min(...xs).toFixed(3)} max ${Math.max(...xs).toFixed(3)}, ${xs.length} rounds\n`,
  );
}
// The first tree against each other one, round by round.
for (let k = 1; k < worlds.length; k++) {
  for (const [what, xs] of [
    ['CPU', figures],
    ['wall clock', walls],
  ] as const) {
    // Speed: the first tree's µs per verify over the other's (above 1: the other is faster).
    const ratios = xs[0]!.map((x, i) => x / xs[k]![i]!);
    process.stdout.write(
      `ratio ${roots[0]} vs ${roots[k]} (speed, ${what}): median ${median(ratios).toFixed(3)}× (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})\n`,
    );
  }
}
