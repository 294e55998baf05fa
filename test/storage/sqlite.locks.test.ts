/**
 * How long the SQLite store waits for another connection's write lock
 * (issue 9, finding 2): changes wait up to `busyTimeoutMs` (1 s by
 * default, never the driver's 5 s unannounced) and then fail with nothing
 * written; last-used writes never wait at all; the spend of a metered
 * verification waits at most `spendTimeoutMs` (issue 13), and a verification
 * without a meter does not wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { type SqliteTokenRepository, sqliteRepository } from '../../src/stores/sqlite/index.js';
import { T0, testRecord } from '../support/records.js';
import { ANALYST, makeHarness } from '../support/service.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-locks-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store on a fresh file, and a second connection that holds the write lock while `held` runs. */
function lockedStore(options: { busyTimeoutMs?: number; spendTimeoutMs?: number } = {}) {
  const path = join(dir, `locks-${++files}.sqlite`);
  const repository: SqliteTokenRepository = sqliteRepository({ path, ...options });
  const holder = new Database(path);
  const held = async <T>(work: () => Promise<T>): Promise<T> => {
    holder.exec('BEGIN IMMEDIATE');
    try {
      return await work();
    } finally {
      holder.exec('ROLLBACK');
    }
  };
  const count = (table: string): number =>
    (repository.database.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const close = async (): Promise<void> => {
    holder.close();
    await repository.close();
  };
  return { repository, held, count, close };
}

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => null,
    (error: unknown) => error,
  );

describe('sqlite: waiting for another writer', () => {
  it('by default a change waits 1 s for the lock, then answers unavailable with nothing written', async () => {
    const store = lockedStore();
    expect(store.repository.database.pragma('busy_timeout', { simple: true })).toBe(1000);
    const { service } = makeHarness({ repository: store.repository });
    const { error, elapsed } = await store.held(async () => {
      const started = performance.now();
      const error = await failure(service.issue({ name: 'while_locked' }, ANALYST));
      return { error, elapsed: performance.now() - started };
    });
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('unavailable');
    expect(((error as TokenError).cause as { code?: string }).code).toBe('SQLITE_BUSY');
    // Bounds, not speed: at least the busy timeout, and far from the driver's 5 s default.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(4_000);
    expect(store.count('tokenward_tokens')).toBe(0);
    expect(store.count('tokenward_events')).toBe(0);
    await store.close();
  });

  it('last-used writes fail at once instead of waiting, and leave the busy timeout as it was', async () => {
    const store = lockedStore({ busyTimeoutMs: 3_000 });
    await store.repository.insert(testRecord('T1'), { now: T0 });
    await store.repository.insert(testRecord('T2'), { now: T0 });
    const { errors, elapsed } = await store.held(async () => {
      const started = performance.now();
      const errors = [
        await failure(store.repository.touch('T1', T0 + 1)),
        await failure(
          store.repository.touchMany!([
            { id: 'T1', at: T0 + 2 },
            { id: 'T2', at: T0 + 2 },
          ]),
        ),
      ];
      return { errors, elapsed: performance.now() - started };
    });
    for (const error of errors) expect((error as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(elapsed).toBeLessThan(1_000);
    expect(store.repository.database.pragma('busy_timeout', { simple: true })).toBe(3_000);
    expect((await store.repository.findById('T1'))?.lastUsedAt).toBeNull();
    // Once the lock is gone, the same writes go through in one transaction.
    await store.repository.touchMany!([
      { id: 'T1', at: T0 + 2 },
      { id: 'T2', at: T0 + 3 },
    ]);
    expect((await store.repository.findById('T1'))?.lastUsedAt).toBe(T0 + 2);
    expect((await store.repository.findById('T2'))?.lastUsedAt).toBe(T0 + 3);
    await store.close();
  });

  it('a metered verification waits at most spendTimeoutMs for the lock, then answers unavailable having spent nothing', async () => {
    const store = lockedStore({ busyTimeoutMs: 3_000, spendTimeoutMs: 200 });
    const { service } = makeHarness({ repository: store.repository });
    const metered = await service.issue({ name: 'metered', remaining: 5 }, ANALYST);
    const plain = await service.issue({ name: 'plain' }, ANALYST);
    const { error, elapsed, plainElapsed } = await store.held(async () => {
      let started = performance.now();
      const error = await failure(service.verify(metered.token));
      const elapsed = performance.now() - started;
      started = performance.now();
      // A token without a meter reads and writes nothing that waits for the lock.
      expect((await service.verify(plain.token)).tokenId).toBe(plain.info.id);
      return { error, elapsed, plainElapsed: performance.now() - started };
    });
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('unavailable');
    expect(((error as TokenError).cause as { code?: string }).code).toBe('SQLITE_BUSY');
    // Bounds, not speed: at least the spend timeout, and far from the busy timeout.
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_500);
    expect(plainElapsed).toBeLessThan(190);
    expect(store.repository.database.pragma('busy_timeout', { simple: true })).toBe(3_000);
    expect((await service.get(metered.info.id, ANALYST)).remaining).toBe(5);
    // Once the lock is gone, the same verification spends.
    expect((await service.verify(metered.token)).remaining).toBe(4);
    await store.close();
  });

  it('by default a spend waits 100 ms, and never longer than the busy timeout', async () => {
    const waited = async (options: { busyTimeoutMs?: number }): Promise<number> => {
      const store = lockedStore(options);
      const { service } = makeHarness({ repository: store.repository });
      const metered = await service.issue({ name: 'metered', remaining: 5 }, ANALYST);
      const elapsed = await store.held(async () => {
        const started = performance.now();
        expect(await failure(service.verify(metered.token))).toMatchObject({ code: 'unavailable' });
        return performance.now() - started;
      });
      await store.close();
      return elapsed;
    };
    const byDefault = await waited({});
    expect(byDefault).toBeGreaterThanOrEqual(95);
    expect(byDefault).toBeLessThan(900);
    expect(await waited({ busyTimeoutMs: 20 })).toBeLessThan(95);
  });

  it('inside a transaction the caller opened on a shared connection, a change is a savepoint the caller can undo', async () => {
    const db = new Database(':memory:');
    const repository = sqliteRepository({ database: db });
    db.exec('BEGIN');
    await repository.insert(testRecord('T1'), { now: T0 });
    expect(db.inTransaction).toBe(true);
    db.exec('ROLLBACK');
    expect(await repository.findById('T1')).toBeNull();
    db.close();
  });
});
