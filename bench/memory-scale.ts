/**
 * One scale of the memory benchmarks, run in a child process of its own
 * (`node --expose-gc`, a heap large enough for the scale) so that every
 * scale starts from a clean heap: `tsx bench/memory-scale.ts <tokens>`
 * prints one JSON line of figures (see `ScaleFigures`).
 *
 * 1. Fills the big tenant through `issue`, one call per token; the heap
 *    per token is measured over the tokens whose strings are dropped
 *    (`heapUsed + arrayBuffers` after `gc()`, before and after).
 * 2. Issues the verification sample (kept), and the small tenant.
 * 3. Builds the raw chain's `Map` of bare records, the same number of
 *    entries, and measures its heap the same way.
 * 4. Times `verify` against the raw chain, then a page of `list`
 *    (tenant-wide and per owner) against the same page in the small
 *    tenant, in interleaved rounds.
 */
import { nodeHasher } from '../src/node/index.js';
import { compareCpuOps } from './cpu-compare.js';
import { compareOps } from './harness.js';
import {
  ADMIN,
  bareMap,
  createWorld,
  fillSmallTenant,
  HEAVY_USER,
  issueOne,
  rawChain,
  SMALL_TENANT,
  TENANT,
} from './memory-world.js';

export interface Compared {
  /** Best round of each side, operations per second. */
  readonly value: number;
  readonly baseline: number;
  /** Candidate / baseline of each round. */
  readonly ratios: number[];
}

export interface ScaleFigures {
  readonly tokens: number;
  readonly sample: number;
  /** Heap bytes per token filled by `issue` (null when the scale is too small to tell). */
  readonly heapPerToken: number | null;
  readonly barePerToken: number | null;
  readonly fillSeconds: number;
  readonly verify: Compared;
  /** The same two sides in operations per CPU-second of this process (steadier than wall-clock on a shared machine). */
  readonly verifyCpu: Compared;
  readonly verifyNode: Compared | null;
  readonly listTenant: Compared;
  readonly listOwner: Compared;
}

const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  if (gc === undefined) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** The verification sample: all tokens at small scales, a tenth (at most 100,000) above. */
export function sampleSize(tokens: number): number {
  return tokens <= 10_000 ? tokens : Math.min(100_000, Math.floor(tokens / 10));
}

async function fill(world: ReturnType<typeof createWorld>, tokens: number, sample: number) {
  const started = performance.now();
  const before = heapAfterGc();
  const dropped = tokens - sample;
  for (let i = 0; i < dropped; i++) await issueOne(world.service, world.names, i);
  const after = heapAfterGc();
  const kept: string[] = [];
  for (let i = dropped; i < tokens; i++) kept.push(await issueOne(world.service, world.names, i));
  await fillSmallTenant(world.service);
  return {
    kept,
    heapPerToken: dropped >= 10_000 ? (after - before) / dropped : null,
    fillSeconds: (performance.now() - started) / 1000,
  };
}

/** Shuffled, so that consecutive verifications touch unrelated records (as requests do). */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

async function compareVerify(
  service: ReturnType<typeof createWorld>['service'],
  raw: (token: string) => boolean,
  tokens: readonly string[],
  rounds: number,
): Promise<{ wall: Compared; cpu: Compared }> {
  for (const token of tokens) {
    if (!raw(token)) throw new Error('the raw chain refuses a token');
    await service.verify(token);
  }
  let i = 0;
  const next = (): string => tokens[i++ % tokens.length]!;
  const candidate = () => service.verify(next());
  const baseline = () => raw(next());
  const wall = await compareOps(candidate, baseline, { rounds, durationMs: 500, warmupMs: 200 });
  // About half a second a side at the raw chain's speed; at least one pass over the sample.
  const cpu = await compareCpuOps(candidate, baseline, { rounds, ops: Math.max(tokens.length, 100_000) });
  return { wall, cpu };
}

async function compareLists(service: ReturnType<typeof createWorld>['service'], rounds: number) {
  const big = { tenant: TENANT, user: ADMIN };
  const small = { tenant: SMALL_TENANT, user: ADMIN };
  const timing = { rounds, durationMs: 400, warmupMs: 100 };
  for (const [actor, filter] of [
    [big, { all: true }],
    [small, { all: true }],
    [big, { owner: HEAVY_USER }],
    [small, { owner: HEAVY_USER }],
  ] as const) {
    const page = await service.list(filter, actor);
    if (page.items.length !== 100) throw new Error(`a listing page holds ${page.items.length} tokens, not 100`);
  }
  const listTenant = await compareOps(
    () => service.list({ all: true }, big),
    () => service.list({ all: true }, small),
    timing,
  );
  const listOwner = await compareOps(
    () => service.list({ owner: HEAVY_USER }, big),
    () => service.list({ owner: HEAVY_USER }, small),
    timing,
  );
  return { listTenant, listOwner };
}

export async function measureScale(tokens: number, rounds: number, withNode: boolean): Promise<ScaleFigures> {
  const sample = sampleSize(tokens);
  const world = createWorld(tokens);
  const filled = await fill(world, tokens, sample);
  const before = heapAfterGc();
  const expiresAt = Date.now() + 365 * 86_400_000;
  const map = bareMap(tokens, filled.kept, world.names, expiresAt);
  const bare = heapAfterGc() - before;
  const raw = rawChain(map);
  const order = shuffled(filled.kept);
  const verify = await compareVerify(world.service, raw, order, rounds);
  let verifyNode: Compared | null = null;
  if (withNode) {
    // The same repository behind a second service that hashes with OpenSSL.
    const native = createWorld(tokens, nodeHasher, world.repository).service;
    verifyNode = (await compareVerify(native, raw, order, rounds)).wall;
  }
  const lists = await compareLists(world.service, rounds);
  if (map.size !== tokens) throw new Error('the bare map lost records');
  return {
    tokens,
    sample,
    heapPerToken: filled.heapPerToken,
    barePerToken: filled.heapPerToken === null ? null : bare / tokens,
    fillSeconds: filled.fillSeconds,
    verify: verify.wall,
    verifyCpu: verify.cpu,
    verifyNode,
    ...lists,
  };
}

if (process.argv[1]?.endsWith('memory-scale.ts')) {
  const tokens = Number(process.argv[2]);
  const rounds = Number(process.argv[3] ?? 7);
  const withNode = process.argv[4] === 'node';
  if (!Number.isSafeInteger(tokens) || tokens < 1) throw new Error('usage: memory-scale.ts <tokens> [rounds] [node]');
  process.stdout.write(`${JSON.stringify(await measureScale(tokens, rounds, withNode))}\n`);
}
