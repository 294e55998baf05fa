/**
 * Core verification speed. First the keyed hash alone (what `verify` runs
 * per token to check a secret against its stored hash) under the default
 * hasher, against the same on @noble/hashes and on `createHmac`. Then
 * `service.verify` on the memory repository holding 1,000,000 tokens,
 * against the raw chain a hand-written check would run (parse, Map lookup,
 * node HMAC-SHA-256, timingSafeEqual, expiry check).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { randomBase62 } from '../src/core/encoding.js';
import type { KeyedHasherFactory } from '../src/core/hashing.js';
import { createPepperRing, portableHasher } from '../src/core/hashing.js';
import type { TokenRecord } from '../src/core/types.js';
import { createTokenService, staticDirectory } from '../src/index.js';
import { nodeHasher } from '../src/node/index.js';
import { memoryRepository } from '../src/stores/memory/index.js';
import { type BenchModule, type BenchRow, compareOps } from './harness.js';

const STORED = Number(process.env.BENCH_TOKENS ?? 1_000_000);
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

const bench: BenchModule = async (report) => {
  await benchKeyedHash(report);

  const users = Object.fromEntries(Array.from({ length: SAMPLE }, (_, i) => [`user${i}`, { grants: 'all' as const }]));
  const directory = staticDirectory({ acme: users });
  const repository = memoryRepository();
  const native = createTokenService({ repository, pepper: PEPPER, prefix: 'acme', directory, hasher: nodeHasher });
  const portable = createTokenService({ repository, pepper: PEPPER, prefix: 'acme', directory });

  // A sample of real tokens to verify, then filler records up to STORED.
  const tokens: string[] = [];
  for (let i = 0; i < SAMPLE; i++) {
    tokens.push((await native.issue({ tenant: 'acme', owner: `user${i}` }, 'system')).token);
  }
  const template = (await repository.findById(tokens[0]!.slice(7, 33)))!;
  const now = Date.now();
  for (let i = SAMPLE; i < STORED; i++) {
    const record: TokenRecord = {
      ...template,
      id: `01${String(i).padStart(24, '0')}`,
      owner: `filler${i % 50_000}`,
      name: `t${i}`,
      secretHash: randomBytes(32).toString('base64url'),
    };
    await repository.insert(record, { now });
  }

  // The raw chain's own store: the same number of entries, the hash as bytes.
  const pepper = Buffer.from(PEPPER);
  const raw = new Map<string, { hash: Buffer; expiresAt: number }>();
  for (let i = 0; i < STORED; i++) {
    raw.set(`01${String(i).padStart(24, '0')}`, { hash: randomBytes(32), expiresAt: now + 86_400_000 });
  }
  for (const token of tokens) {
    const secret = token.slice(33, 63);
    raw.set(token.slice(7, 33), {
      hash: createHmac('sha256', pepper).update(secret).digest(),
      expiresAt: now + 86_400_000,
    });
  }
  const shape = /^acme_p_([0-9A-HJKMNP-TV-Z]{26})([0-9A-Za-z]{30})[0-9A-Za-z]{6}$/;
  const rawVerify = (token: string): boolean => {
    const match = shape.exec(token);
    if (match === null) return false;
    const entry = raw.get(match[1]!);
    if (entry === undefined) return false;
    const mac = createHmac('sha256', pepper).update(match[2]!).digest();
    return timingSafeEqual(mac, entry.hash) && entry.expiresAt > Date.now();
  };

  let i = 0;
  const next = (): string => tokens[i++ % SAMPLE]!;
  if (!rawVerify(tokens[0]!)) throw new Error('raw chain does not verify its own token');

  const nativeFigures = await compareOps(
    () => native.verify(next()),
    () => rawVerify(next()),
  );
  report({
    group: 'core',
    name: `verify, memory, ${STORED.toLocaleString('en-US')} tokens, node hasher`,
    value: nativeFigures.value,
    baselineName: 'raw chain',
    baseline: nativeFigures.baseline,
    unit: 'ops/s',
    target: 0.8,
    roundRatios: nativeFigures.ratios,
  });
  const portableFigures = await compareOps(
    () => portable.verify(next()),
    () => rawVerify(next()),
  );
  report({
    group: 'core',
    name: `verify, memory, ${STORED.toLocaleString('en-US')} tokens, default hasher`,
    value: portableFigures.value,
    baselineName: 'raw chain',
    baseline: portableFigures.baseline,
    unit: 'ops/s',
    target: 0.8,
    roundRatios: portableFigures.ratios,
  });
};

export default bench;
