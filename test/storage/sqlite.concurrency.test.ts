/**
 * The atomic guarantees of the SQLite repository across real, simultaneous
 * connections: better-sqlite3 is synchronous, so `Promise.all` on one
 * connection would run calls one after another. Here every client is a
 * worker thread with its own connection to the same WAL file, released at
 * one instant by a shared barrier.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/repository.js';
import { type SqliteTokenRepository, sqliteRepository } from '../../src/sqlite/index.js';
import type { TokenRecord } from '../../src/types.js';
import type { RaceJob, RaceOutcome } from './sqlite-race-worker.js';

const CLIENTS = 20;
const T0 = 1_750_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let file = '';
let seq = 0;
beforeEach(() => {
  file = join(dir, `race-${++seq}.sqlite`);
});

function open(): SqliteTokenRepository {
  return sqliteRepository({ path: file });
}

function token(overrides: Partial<TokenRecord> = {}): TokenRecord {
  const id = overrides.id ?? `T${String(++seq).padStart(8, '0')}`;
  return {
    id,
    tenant: 'acme',
    type: 'personal',
    owner: 'alice',
    name: `token-${id}`,
    comment: '',
    grants: null,
    secretHash: `hash-${id}`,
    pepperVersion: 1,
    previousSecretHash: null,
    previousPepperVersion: null,
    previousExpiresAt: null,
    createdAt: T0,
    expiresAt: null,
    revokedAt: null,
    rotatedAt: null,
    lastUsedAt: null,
    createdBy: 'user:alice',
    version: 1,
    ...overrides,
  };
}

let pool: Worker[] = [];

// Starting a worker (and its TypeScript loader) takes a while on a small
// machine, so one pool of clients serves every test.
beforeAll(async () => {
  pool = Array.from(
    { length: CLIENTS },
    () =>
      new Worker(new URL('./ts-worker.mjs', import.meta.url), {
        workerData: { entry: new URL('./sqlite-race-worker.ts', import.meta.url).href },
      }),
  );
  await Promise.all(
    pool.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        }),
    ),
  );
}, 120_000);
afterAll(async () => {
  await Promise.all(pool.map((worker) => worker.terminate()));
});

/**
 * Hands one call to each client, waits until every client has opened its
 * connection, releases them all at once and collects the outcomes.
 */
async function race(calls: ReadonlyArray<{ method: keyof TokenRepository; args: unknown[] }>): Promise<RaceOutcome[]> {
  if (calls.length > pool.length) throw new Error('more calls than clients');
  const shared = new SharedArrayBuffer(8);
  const barrier = new Int32Array(shared);
  let failure: unknown = null;
  const outcomes = calls.map((call, i) => {
    const worker = pool[i]!;
    const outcome = new Promise<RaceOutcome>((resolve, reject) => {
      const onError = (error: unknown): void => reject(error);
      worker.once('error', onError);
      worker.once('message', (message: RaceOutcome) => {
        worker.off('error', onError);
        resolve(message);
      });
    });
    outcome.catch((error: unknown) => {
      failure ??= error;
    });
    worker.postMessage({ file, barrier: shared, method: call.method, args: call.args } satisfies RaceJob);
    return outcome;
  });
  const deadline = Date.now() + 20_000;
  while (Atomics.load(barrier, 0) < calls.length) {
    if (failure !== null) throw failure;
    if (Date.now() > deadline) throw new Error('race clients did not open their connections');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  Atomics.store(barrier, 1, 1);
  Atomics.notify(barrier, 1);
  return Promise.all(outcomes);
}

const successes = (outcomes: RaceOutcome[]): unknown[] =>
  outcomes.filter((outcome) => outcome.ok).map((outcome) => (outcome as { value: unknown }).value);
const codes = (outcomes: RaceOutcome[]): string[] =>
  outcomes.filter((outcome) => !outcome.ok).map((outcome) => (outcome as { code: string }).code);

describe(`sqlite repository: ${CLIENTS} clients on separate connections`, () => {
  it('compare-and-set rotations of one token have exactly one winner', async () => {
    const setup = open();
    const record = token();
    await setup.insert(record, { now: T0 });
    const outcomes = await race(
      Array.from({ length: CLIENTS }, (_, i) => ({
        method: 'update' as const,
        args: [
          record.id,
          1,
          { secretHash: `hash-rotation-${i}`, previousSecretHash: record.secretHash, rotatedAt: T0 + i },
          {
            id: `E${i}`,
            tokenId: record.id,
            tenant: 'acme',
            type: 'rotated',
            actor: 'system',
            operation: 'rotated',
            detail: null,
            at: T0 + i,
          },
        ],
      })),
    );
    expect(codes(outcomes)).toEqual([]);
    const winners = successes(outcomes).filter((value) => value !== null) as TokenRecord[];
    expect(winners).toHaveLength(1);
    const stored = await setup.findById(record.id);
    expect(stored).toEqual(winners[0]);
    expect(stored?.version).toBe(2);
    expect((await setup.listEvents({ tokenId: record.id, limit: 100 })).items).toHaveLength(1);
    await setup.close();
  });

  it('issues at cap + 10 admit exactly the cap', async () => {
    const setup = open();
    const cap = CLIENTS - 10;
    const outcomes = await race(
      Array.from({ length: CLIENTS }, () => ({
        method: 'insert' as const,
        args: [token(), { now: T0, maxLivePerOwner: cap }],
      })),
    );
    expect(successes(outcomes)).toHaveLength(cap);
    expect(codes(outcomes)).toEqual(Array(10).fill('limit_exceeded'));
    const listed = await setup.list({
      tenant: 'acme',
      includeExpired: true,
      includeRevoked: true,
      now: T0,
      limit: 100,
    });
    expect(listed.items).toHaveLength(cap);
    await setup.close();
  });

  it('one name admits exactly one insert', async () => {
    const setup = open();
    const outcomes = await race(
      Array.from({ length: CLIENTS }, () => ({
        method: 'insert' as const,
        args: [token({ name: 'ci' }), { now: T0 }],
      })),
    );
    expect(successes(outcomes)).toHaveLength(1);
    expect(codes(outcomes)).toEqual(Array(CLIENTS - 1).fill('conflict'));
    await setup.close();
  });

  it('insertMaster creates exactly one master, and every client gets it', async () => {
    const setup = open();
    const outcomes = await race(
      Array.from({ length: CLIENTS }, () => ({
        method: 'insertMaster' as const,
        args: [token({ type: 'master', name: 'master' })],
      })),
    );
    expect(codes(outcomes)).toEqual([]);
    const results = successes(outcomes) as Array<{ created: boolean; record: TokenRecord }>;
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const winner = results.find((result) => result.created)!.record;
    for (const result of results) expect(result.record).toEqual(winner);
    const masters = await setup.list({
      tenant: 'acme',
      types: ['master'],
      includeExpired: true,
      includeRevoked: true,
      now: T0,
      limit: 100,
    });
    expect(masters.items.map((record) => record.id)).toEqual([winner.id]);
    await setup.close();
  });

  it('a claim is consumed by exactly one client', async () => {
    const setup = open();
    const claim = {
      codeHash: 'code-1',
      tokenId: 'T1',
      tenant: 'acme',
      createdAt: T0,
      expiresAt: T0 + 60_000,
      createdBy: 'user:alice',
    };
    await setup.insertClaim(claim);
    const outcomes = await race(
      Array.from({ length: CLIENTS }, () => ({ method: 'consumeClaim' as const, args: [claim.codeHash, T0 + 1] })),
    );
    expect(codes(outcomes)).toEqual([]);
    expect(successes(outcomes).filter((value) => value !== null)).toEqual([claim]);
    await setup.close();
  });

  it('rotations racing a revocation never leave the token unrevoked', async () => {
    const setup = open();
    const record = token();
    await setup.insert(record, { now: T0 });
    const outcomes = await race(
      Array.from({ length: CLIENTS }, (_, i) =>
        i % 2 === 0
          ? { method: 'update' as const, args: [record.id, 1, { secretHash: `hash-rotation-${i}` }] }
          : { method: 'revoke' as const, args: [record.id, T0 + i] },
      ),
    );
    expect(codes(outcomes)).toEqual([]);
    const revocations = outcomes
      .filter((_, i) => i % 2 === 1)
      .filter((outcome) => outcome.ok && outcome.value !== null);
    const rotations = outcomes.filter((_, i) => i % 2 === 0).filter((outcome) => outcome.ok && outcome.value !== null);
    expect(revocations).toHaveLength(1);
    expect(rotations.length).toBeLessThanOrEqual(1);
    const stored = await setup.findById(record.id);
    expect(stored?.revokedAt).not.toBeNull();
    expect(stored?.version).toBe(1 + revocations.length + rotations.length);
    await setup.close();
  });
});
