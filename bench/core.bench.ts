/**
 * Core verification speed: `service.verify` on the memory repository holding
 * 1,000,000 tokens, against the raw chain a hand-written check would run
 * (parse, Map lookup, node HMAC-SHA-256, timingSafeEqual, expiry check).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createTokenService, staticDirectory } from '../src/index.js';
import { memoryRepository } from '../src/memory/index.js';
import { nodeHasher } from '../src/node/index.js';
import type { TokenRecord } from '../src/types.js';
import { type BenchModule, compareOps } from './harness.js';

const STORED = Number(process.env.BENCH_TOKENS ?? 1_000_000);
const SAMPLE = 1000;
const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

const bench: BenchModule = async (report) => {
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
  });
  const portableFigures = await compareOps(
    () => portable.verify(next()),
    () => rawVerify(next()),
  );
  report({
    group: 'core',
    name: `verify, memory, ${STORED.toLocaleString('en-US')} tokens, default (noble) hasher`,
    value: portableFigures.value,
    baselineName: 'raw chain',
    baseline: portableFigures.baseline,
    unit: 'ops/s',
    target: 0.8,
  });
};

export default bench;
