/**
 * Heap bytes per stored token: `memoryRepository` holding 1,000,000 records
 * against the same records in a bare `Map<id, record>`, the least any
 * in-memory store could use. Needs `global.gc`; when the runner does not
 * expose it, the measurement runs in a child `node --expose-gc`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TokenRecord } from '../src/core/types.js';
import { memoryRepository } from '../src/stores/memory/index.js';
import type { BenchModule } from './harness.js';

const COUNT = Number(process.env.BENCH_TOKENS ?? 1_000_000);
const OWNERS = Math.max(1, Math.floor(COUNT / 10));
const T0 = 1_750_000_000_000;

interface HeapFigures {
  readonly count: number;
  readonly mapBytes: number;
  readonly repositoryBytes: number;
}

// Every string is built per record, as a driver or a JSON parser would.
function record(i: number): TokenRecord {
  const id = `01J${i.toString(36).toUpperCase().padStart(23, '0')}`;
  return {
    id,
    tenant: `tenant${i % 10}`,
    type: i % 4 === 0 ? 'limited' : 'personal',
    owner: `user${i % OWNERS}`,
    name: `token_${i}`,
    comment: '',
    grants: i % 4 === 0 ? [{ scope: `scope${i % 7}` }] : null,
    secretHash: `${id}hmacsha256base64url0123456789a`.slice(0, 43),
    pepperVersion: 1,
    previousSecretHash: null,
    previousPepperVersion: null,
    previousExpiresAt: null,
    createdAt: T0 + i,
    expiresAt: T0 + i + 86_400_000,
    revokedAt: null,
    rotatedAt: null,
    lastUsedAt: null,
    createdBy: `user:user${i % OWNERS}`,
    version: 1,
    meta: null,
    enabled: true,
    lookupHash: null,
  };
}

function heapAfterGc(gc: () => void): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function measure(gc: () => void): Promise<HeapFigures> {
  const start = heapAfterGc(gc);
  let map: Map<string, TokenRecord> | null = new Map();
  for (let i = 0; i < COUNT; i++) {
    const r = record(i);
    map.set(r.id, r);
  }
  const mapBytes = heapAfterGc(gc) - start;
  if (map.size !== COUNT) throw new Error('the map lost records');
  map = null;

  const before = heapAfterGc(gc);
  const repository = memoryRepository();
  for (let i = 0; i < COUNT; i++) await repository.insert(record(i), { now: T0 });
  const repositoryBytes = heapAfterGc(gc) - before;
  if ((await repository.findById(record(COUNT - 1).id)) === null) throw new Error('the repository lost records');
  return { count: COUNT, mapBytes, repositoryBytes };
}

const gcOf = (): (() => void) | undefined => (globalThis as { gc?: () => void }).gc;

function measureInChild(): HeapFigures {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=4096', '--import', 'tsx', fileURLToPath(import.meta.url)],
    { env: { ...process.env, TOKENWARD_HEAP_CHILD: '1' }, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as HeapFigures;
}

if (process.env.TOKENWARD_HEAP_CHILD === '1') {
  const gc = gcOf();
  if (gc === undefined) throw new Error('run with --expose-gc');
  process.stdout.write(`${JSON.stringify(await measure(gc))}\n`);
}

const bench: BenchModule = async (report) => {
  const gc = gcOf();
  const figures = gc === undefined ? measureInChild() : await measure(gc);
  report({
    group: 'storage-memory',
    name: `heap per token, memoryRepository (${figures.count.toLocaleString('en-US')} tokens)`,
    value: figures.repositoryBytes / figures.count,
    baselineName: 'bare Map<id, record>',
    baseline: figures.mapBytes / figures.count,
    unit: 'bytes',
    target: 2,
  });
};

export default bench;
