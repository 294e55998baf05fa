/**
 * Core verification speed. First the keyed hash alone (what `verify` runs
 * per token to check a secret against its stored hash) under the default
 * hasher, against the same on @noble/hashes and on `createHmac`; then one
 * SHA-256 compression against the previous implementation.
 * `service.verify` as a whole, on stores filled through `issue`, is
 * measured against the raw chain in bench/memory.bench.ts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBase62 } from '../src/core/encoding.js';
import type { KeyedHasherFactory } from '../src/core/hashing.js';
import { createPepperRing, portableHasher } from '../src/core/hashing.js';
import { blockBuffer, compress, initialState } from '../src/core/sha256.js';
import { nodeHasher } from '../src/node/index.js';
import { compareCpuOps } from './cpu-compare.js';
import { type BenchModule, type BenchRow, compareOps } from './harness.js';
import { previousCompress } from './sha256-previous.js';

const SAMPLE = 1000;
const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * HMAC-SHA-256 on @noble/hashes' public API, the way the default hasher
 * worked before it had its own SHA-256: the keyed state is made once per
 * key and cloned for each message (the previous hasher reused one clone
 * through an underscore-internal method instead; see docs/performance.md).
 */
const nobleHasher: KeyedHasherFactory = (key) => {
  const keyed = hmac.create(sha256, key);
  return (message) => keyed.clone().update(message).digest();
};

/** The keyed hash and compare of a 30-character secret, in 11 rounds of 0.4 s per side. */
async function benchKeyedHash(report: (row: BenchRow) => void): Promise<void> {
  const secrets = Array.from({ length: SAMPLE }, () => randomBase62(30, (n) => randomBytes(n)));
  const portable = createPepperRing(PEPPER, portableHasher);
  const noble = createPepperRing(PEPPER, nobleHasher);
  const native = createPepperRing(PEPPER, nodeHasher);
  const stored = secrets.map((secret) => portable.hash(secret, 1)!);
  const storedBytes = stored.map((hash) => Buffer.from(hash, 'base64url'));
  const key = Buffer.from(PEPPER);
  let i = 0;
  const matches = (ring: typeof portable) => (): boolean => {
    const k = i++ % SAMPLE;
    return ring.matches(secrets[k]!, 1, stored[k]!);
  };
  // What the raw chain does: node's HMAC, then compare with the decoded stored bytes.
  const rawHmac = (): boolean => {
    const k = i++ % SAMPLE;
    return timingSafeEqual(createHmac('sha256', key).update(secrets[k]!).digest(), storedBytes[k]!);
  };
  for (const check of [matches(portable), matches(noble), matches(native), rawHmac]) {
    if (!check()) throw new Error('a keyed hash does not match its own stored hash');
  }
  const timing = { rounds: 11, durationMs: 400, warmupMs: 200 };
  const rows = [
    {
      name: 'default hasher',
      candidate: matches(portable),
      baselineName: 'noble hmac (public API)',
      baseline: matches(noble),
    },
    {
      name: 'default hasher',
      candidate: matches(portable),
      baselineName: 'createHmac + timingSafeEqual',
      baseline: rawHmac,
    },
    { name: 'nodeHasher', candidate: matches(native), baselineName: 'createHmac + timingSafeEqual', baseline: rawHmac },
  ];
  for (const row of rows) {
    const figures = await compareOps(row.candidate, row.baseline, timing);
    report({
      group: 'core',
      name: `keyed hash + compare of a secret, ${row.name}`,
      value: figures.value,
      baselineName: row.baselineName,
      baseline: figures.baseline,
      unit: 'ops/s',
      roundRatios: figures.ratios,
    });
  }
}

/**
 * One SHA-256 compression (the keyed hash of a secret is two), per
 * CPU-second against the one-round loop it replaced (bench/sha256-previous.ts),
 * sides alternating, nine rounds of 200,000 calls.
 */
async function benchCompression(report: (row: BenchRow) => void): Promise<void> {
  const sides = [compress, previousCompress].map((fn) => {
    const state = initialState();
    const w = blockBuffer();
    for (let i = 0; i < 16; i++) w[i] = Math.imul(i + 1, 0x9e3779b9);
    // Each call's block depends on the last digest, so no call can be skipped.
    return (): void => {
      fn(state, w);
      w[0] = state[0]!;
    };
  });
  const cpu = await compareCpuOps(sides[0]!, sides[1]!, { ops: 200_000, rounds: 9 });
  report({
    group: 'core per CPU-second',
    name: 'SHA-256 compression, 8 rounds a turn',
    value: cpu.value,
    baselineName: 'one round a turn (before issue 12)',
    baseline: cpu.baseline,
    unit: 'ops/s',
    roundRatios: cpu.ratios,
  });
}

const bench: BenchModule = async (report) => {
  await benchKeyedHash(report);
  await benchCompression(report);
};

export default bench;
