/**
 * A/B and profiling helper for the PostgreSQL `verify` path (not a
 * benchmark module: `npm run bench` does not run it).
 *
 *   node --import tsx bench/pg-profile.ts [seconds] [root…]
 *
 * Starts a throwaway server (or uses TOKENWARD_TEST_PG_URL), and for each
 * `root` (a directory holding a copy of `src/`, default this tree's; see
 * bench/memory-profile.ts for making one) a schema of its own filled with
 * `SAMPLE` tokens issued through that tree's service. Then it times, rounds
 * interleaved and rotated, a sequential loop of the raw prepared
 * `SELECT * … WHERE id = $1` on one shared pool and a loop of each tree's
 * `service.verify` on the same pool, in µs of this process's CPU and of the
 * wall clock per call, and prints each tree's speed against the raw query
 * (median and min–max of the rounds). `BENCH_PROFILE=<prefix>` writes one
 * CPU profile per side (`<prefix>.<side>.cpuprofile`) of its timed loops
 * alone. `BENCH_TOUCH_INTERVAL=<ms>` sets the services' `touchInterval`
 * (default one minute).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { tableNames } from '../src/stores/postgres/names.js';
import { startLocalPostgres } from '../test/support/postgres-server.js';
import { SAMPLE } from './sql-fill.js';

interface Side {
  readonly label: string;
  readonly call: (i: number) => Promise<unknown>;
}

const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';
const seconds = Number(process.argv[2] ?? 20);
const roots = process.argv.slice(3);
if (roots.length === 0) roots.push(fileURLToPath(new URL('../src', import.meta.url)));

const external = process.env.TOKENWARD_TEST_PG_URL || null;
const server = external === null ? await startLocalPostgres() : null;
const pool = new pg.Pool({ connectionString: external ?? server!.url, max: 8 });
pool.on('error', () => {});

async function treeSide(root: string, k: number): Promise<{ side: Side; table: string; ids: string[] }> {
  const lib = await import(`${root}/index.js`);
  const store = await import(`${root}/stores/postgres/index.js`);
  const schema = `prof_${k}`;
  await store.migrate(pool, { schema });
  const users = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`user${i}`, { grants: 'all' }]));
  const service = lib.createTokenService({
    repository: store.postgresRepository({ pool, schema }),
    pepper: PEPPER,
    prefix: 'acme',
    directory: lib.staticDirectory({ acme: users }),
    ...(process.env.BENCH_TOUCH_INTERVAL === undefined
      ? {}
      : { touchInterval: Number(process.env.BENCH_TOUCH_INTERVAL) }),
  });
  const tokens: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < SAMPLE; i++) {
    const issued = await service.issue({ tenant: 'acme', owner: `user${i % 10}` }, 'system');
    tokens.push(issued.token);
    ids.push(issued.info.id);
  }
  for (const token of tokens) await service.verify(token);
  const table = tableNames({ schema }).tokens;
  await pool.query(`VACUUM ANALYZE ${table}`);
  return { side: { label: root, call: (i) => service.verify(tokens[i % SAMPLE]!) }, table, ids };
}

const sides: Side[] = [];
let rawTable = '';
let rawIds: string[] = [];
for (let k = 0; k < roots.length; k++) {
  const made = await treeSide(roots[k]!, k);
  sides.push(made.side);
  if (k === 0) {
    rawTable = made.table;
    rawIds = made.ids;
  }
}
const rawSelect = { name: 'bench_raw_select', text: `SELECT * FROM ${rawTable} WHERE id = $1` };
sides.unshift({ label: 'raw SELECT *', call: (i) => pool.query({ ...rawSelect, values: [rawIds[i % SAMPLE]] }) });

const profilePrefix = process.env.BENCH_PROFILE;
const session = profilePrefix === undefined ? null : new Session();
if (session !== null) {
  session.connect();
  await session.post('Profiler.enable');
}
const profiles: unknown[][] = sides.map(() => []);

async function round(side: Side, s: number, ops: number): Promise<[number, number]> {
  if (session !== null) await session.post('Profiler.start');
  const start = process.cpuUsage();
  const began = performance.now();
  for (let i = 0; i < ops; i++) await side.call(i);
  const used = process.cpuUsage(start);
  const wall = performance.now() - began;
  if (session !== null) profiles[s]!.push((await session.post('Profiler.stop')).profile);
  return [(used.user + used.system) / ops, (wall * 1000) / ops];
}

const ops = Number(process.env.BENCH_OPS ?? 3000);
for (const side of sides) await round(side, 0, 500);
profiles[0]!.length = 0;
const cpu: number[][] = sides.map(() => []);
const walls: number[][] = sides.map(() => []);
const ends = performance.now() + seconds * 1000;
for (let r = 0; performance.now() < ends || r < 3; r++) {
  for (let k = 0; k < sides.length; k++) {
    const s = (k + r) % sides.length;
    const [c, w] = await round(sides[s]!, s, ops);
    cpu[s]!.push(c);
    walls[s]!.push(w);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]): string => `${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}`;
for (let s = 0; s < sides.length; s++) {
  process.stdout.write(
    `${sides[s]!.label}: ${median(cpu[s]!).toFixed(1)} µs CPU, ${median(walls[s]!).toFixed(1)} µs wall per call, ${cpu[s]!.length} rounds\n`,
  );
  if (s > 0) {
    for (const [what, xs] of [
      ['per client CPU-second', cpu],
      ['wall clock', walls],
    ] as const) {
      const ratios = xs[0]!.map((raw, i) => raw / xs[s]![i]!);
      process.stdout.write(`  speed vs raw (${what}): ${median(ratios).toFixed(3)}× (${range(ratios)})\n`);
    }
  }
  if (profilePrefix !== undefined) {
    writeFileSync(`${profilePrefix}.${s}.cpuprofile`, JSON.stringify(mergeProfiles(profiles[s]!)));
  }
}
await pool.end();
await server?.destroy();

/** One profile of several: the nodes of each, their samples and time deltas, ids kept apart. */
function mergeProfiles(list: unknown[]): unknown {
  type Node = { id: number; children?: number[] | undefined };
  type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };
  const out: Profile = { nodes: [], samples: [], timeDeltas: [], startTime: 0, endTime: 0 };
  let offset = 0;
  for (const item of list as Profile[]) {
    const shift = (id: number): number => id + offset;
    for (const node of item.nodes) {
      out.nodes.push({ ...node, id: shift(node.id), children: node.children?.map(shift) });
    }
    out.samples.push(...item.samples.map(shift));
    out.timeDeltas.push(...item.timeDeltas);
    out.endTime += item.endTime - item.startTime;
    offset += Math.max(...item.nodes.map((node) => node.id));
  }
  return out;
}
