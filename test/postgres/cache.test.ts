/**
 * The verification cache on a real server: what it answers from memory,
 * what drops an entry, and that a read racing a change is never kept.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { memoryRepository } from '../../src/stores/memory/index.js';
import {
  type CachedTokenRepository,
  cachedRepository,
  migrate,
  type PostgresTokenRepository,
  postgresRepository,
  postgresTimeouts,
  type VerificationCacheOptions,
} from '../../src/stores/postgres/index.js';
import { createFixtures, T0 } from '../../src/testing/fixtures.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';

const server = await testPostgres();

describePostgres('postgres verification cache', server, (url) => {
  const schema = uniqueSchema('cache');
  const pool = testPool(url, 8);
  const listenPool = testPool(url, 1);
  const open: CachedTokenRepository[] = [];
  const plain = (): PostgresTokenRepository => postgresRepository({ pool, schema });
  const seen: (string | null)[] = [];
  const cache = async (
    inner: PostgresTokenRepository = plain(),
    options: Partial<VerificationCacheOptions> = {},
  ): Promise<CachedTokenRepository> => {
    const repository = cachedRepository(inner, {
      pool: listenPool,
      schema,
      ttlMs: 60_000,
      negativeTtlMs: 60_000,
      onInvalidate: (id) => seen.push(id),
      ...options,
    });
    open.push(repository);
    await repository.whenListening();
    return repository;
  };
  /** Resolves once `id` has been invalidated after `mark` (seen.length before the change). */
  const invalidated = async (mark: number, id: string): Promise<void> => {
    const deadline = Date.now() + 5_000;
    while (!seen.slice(mark).includes(id)) {
      if (Date.now() > deadline) throw new Error('no invalidation within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  beforeAll(async () => {
    await migrate(pool, { schema });
  });
  afterEach(async () => {
    for (const repository of open.splice(0)) await repository.close();
  });
  afterAll(async () => {
    await pool.end();
    await listenPool.end();
    await dropSchema(url, schema);
  });

  it('answers a repeated lookup from memory, as a frozen record', async () => {
    const fx = createFixtures();
    const record = fx.token();
    await plain().insert(record, { now: T0 });
    const cached = await cache();
    const first = await cached.findById(record.id);
    const second = await cached.findById(record.id);
    expect(second).toEqual(record);
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 1, size: 1 });
  });

  it('drops a cached "not found" as soon as the token is inserted through another instance', async () => {
    const fx = createFixtures();
    const record = fx.token();
    const cached = await cache();
    expect(await cached.findById(record.id)).toBeNull();
    expect(await cached.findById(record.id)).toBeNull();
    expect(cached.stats().hits).toBe(1);
    const mark = seen.length;
    await plain().insert(record, { now: T0 });
    await invalidated(mark, record.id);
    expect(await cached.findById(record.id)).toEqual(record);
  });

  it('never keeps a read that began before a change and finished after its notification', async () => {
    const fx = createFixtures();
    const record = fx.token();
    await plain().insert(record, { now: T0 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holdNext = false;
    const inner = plain();
    const slow: PostgresTokenRepository = {
      ...inner,
      async findById(id) {
        const found = await inner.findById(id);
        if (holdNext) {
          holdNext = false;
          await gate;
        }
        return found;
      },
    };
    const cached = await cache(slow);
    holdNext = true;
    const early = cached.findById(record.id); // reads the unrevoked row, then waits
    const mark = seen.length;
    expect(await plain().revoke(record.id, T0 + 1)).not.toBeNull();
    await invalidated(mark, record.id);
    release();
    expect((await early)?.revokedAt).toBeNull(); // it began before the revoke
    expect((await cached.findById(record.id))?.revokedAt).toBe(T0 + 1); // but was not kept
  });

  it('shows changes made through itself at once (read your own writes)', async () => {
    const fx = createFixtures();
    const record = fx.token();
    const cached = await cache();
    await cached.insert(record, { now: T0 });
    expect(await cached.findById(record.id)).toEqual(record);
    await cached.revoke(record.id, T0 + 5);
    expect((await cached.findById(record.id))?.revokedAt).toBe(T0 + 5);
    const other = fx.token({ owner: 'bob' });
    await cached.insert(other, { now: T0 });
    expect(await cached.findById(other.id)).toEqual(other);
    expect(await cached.revokeOwner(other.tenant, 'bob', T0 + 6, { includeMaster: false })).toBe(1);
    expect((await cached.findById(other.id))?.revokedAt).toBe(T0 + 6);
  });

  it('records a use (touch, touchMany) in the cached copy without announcing it to anyone', async () => {
    const fx = createFixtures();
    const record = fx.token();
    const cached = await cache();
    const beforeInsert = seen.length;
    await cached.insert(record, { now: T0 });
    await invalidated(beforeInsert, record.id); // our own insert's notification
    await cached.findById(record.id);
    const mark = seen.length;
    await cached.touch(record.id, T0 + 100);
    const hitsBefore = cached.stats().hits;
    expect((await cached.findById(record.id))?.lastUsedAt).toBe(T0 + 100);
    expect(cached.stats().hits).toBe(hitsBefore + 1);
    expect((await plain().findById(record.id))?.lastUsedAt).toBe(T0 + 100);
    // The service's batches go through touchMany: the same, for each use of the batch.
    await cached.touchMany!([
      { id: record.id, at: T0 + 200 },
      { id: fx.id(), at: T0 + 200 },
    ]);
    expect((await cached.findById(record.id))?.lastUsedAt).toBe(T0 + 200);
    expect(cached.stats().hits).toBe(hitsBefore + 2);
    expect((await plain().findById(record.id))?.lastUsedAt).toBe(T0 + 200);
    // Notifications arrive in commit order: once a later change is heard, we know touch sent nothing.
    const probe = fx.token();
    await plain().insert(probe, { now: T0 });
    await invalidated(mark, probe.id);
    expect(seen.slice(mark), JSON.stringify({ seen: seen.slice(mark), record: record.id })).toEqual([probe.id]);
  });

  it('hears nothing of a change that rolled back: notifications go out on commit only', async () => {
    const fx = createFixtures();
    const records = [fx.token({ owner: 'carol' }), fx.token({ owner: 'carol' })];
    const cached = await cache();
    const beforeInserts = seen.length;
    for (const record of records) await plain().insert(record, { now: T0 });
    for (const record of records) await invalidated(beforeInserts, record.id);
    const mark = seen.length;
    // Both revocations share one event id: the second event insert fails, the transaction rolls back.
    const clash = fx.event(records[0]!.id);
    await expect(
      plain().revokeOwner(records[0]!.tenant, 'carol', T0 + 1, { includeMaster: false, event: () => clash }),
    ).rejects.toThrow();
    for (const record of records) expect((await cached.findById(record.id))?.revokedAt).toBeNull();
    const probe = fx.token();
    await plain().insert(probe, { now: T0 });
    await invalidated(mark, probe.id);
    expect(seen.slice(mark).filter((id) => records.some((record) => record.id === id))).toEqual([]);
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const fx = createFixtures();
    const records = [fx.token(), fx.token(), fx.token()];
    for (const record of records) await plain().insert(record, { now: T0 });
    const cached = await cache(plain(), { maxEntries: 2 });
    await cached.findById(records[0]!.id);
    await cached.findById(records[1]!.id);
    await cached.findById(records[0]!.id); // records[0] is now the most recently used
    await cached.findById(records[2]!.id); // evicts records[1]
    expect(cached.stats().size).toBe(2);
    const hits = cached.stats().hits;
    await cached.findById(records[0]!.id);
    expect(cached.stats().hits).toBe(hits + 1);
    await cached.findById(records[1]!.id);
    expect(cached.stats().hits).toBe(hits + 1);
  });

  it('answers nothing from memory until it is listening', async () => {
    const fx = createFixtures();
    const record = fx.token();
    await plain().insert(record, { now: T0 });
    const never = { connect: () => new Promise<never>(() => {}) };
    const cached = cachedRepository(plain(), { pool: never as never, schema, ttlMs: 60_000 });
    await cached.findById(record.id);
    await cached.findById(record.id);
    expect(cached.listening).toBe(false);
    expect(cached.stats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
    await cached.close();
  });

  it('gives its LISTEN connection back on close', async () => {
    const cached = await cache();
    expect(listenPool.totalCount - listenPool.idleCount).toBe(1);
    await cached.close();
    open.splice(open.indexOf(cached), 1);
    expect(listenPool.totalCount - listenPool.idleCount).toBe(0);
    expect(cached.listening).toBe(false);
  });

  /** A record in the cache, answered from memory once. */
  const cachedRecord = async (cached: CachedTokenRepository) => {
    const record = createFixtures().token();
    const mark = seen.length;
    await plain().insert(record, { now: T0 });
    await invalidated(mark, record.id);
    await cached.findById(record.id);
    await cached.findById(record.id);
    expect(cached.stats()).toMatchObject({ hits: 1, size: 1, resets: 0 });
    return record;
  };
  /** Runs `work` while another connection holds ACCESS EXCLUSIVE on the tokens table. */
  const whileLocked = async (work: () => Promise<void>): Promise<void> => {
    const locker = await pool.connect();
    try {
      await locker.query(`BEGIN; LOCK TABLE "${schema}".tokenward_tokens IN ACCESS EXCLUSIVE MODE`);
      await work();
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
  };

  it('drops everything when a call through it finds the database gone, and trusts again after a heartbeat', async () => {
    const reads = testPool(url, 2);
    try {
      // No scheduled heartbeat within the test: only the failure can drop the cache, only its own heartbeat restore it.
      const cached = await cache(postgresRepository({ pool: reads, schema }), { heartbeatMs: 600_000 });
      const record = await cachedRecord(cached);
      await whileLocked(async () => {
        const pending = cached.findByName(record.tenant, record.owner, record.name).then(
          () => 'answered',
          (error: unknown) => error,
        );
        // The call waits on the lock; its backend is then terminated under it, as in a failover.
        const deadline = Date.now() + 5_000;
        for (let terminated = 0; terminated === 0; ) {
          if (Date.now() > deadline) throw new Error('the call never waited on the lock');
          const { rowCount } = await pool.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE wait_event_type = 'Lock' AND query LIKE $1 AND pid <> pg_backend_pid()`,
            [`%"${schema}"."tokenward_tokens"%`],
          );
          terminated = rowCount ?? 0;
        }
        expect(await pending).toBeInstanceOf(Error);
        expect(cached.stats()).toMatchObject({ size: 0, resets: 1 });
        expect(seen.at(-1)).toBeNull();
      });
      const deadline = Date.now() + 5_000;
      while (cached.stats().hits === 1) {
        if (Date.now() > deadline) throw new Error('the cache never trusted its connection again');
        await cached.findById(record.id);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      for (const repository of open.splice(0)) await repository.close();
      await reads.end();
    }
  });

  it('keeps everything when the server answers a call with an error (a lock timeout is no outage)', async () => {
    const bounded = testPool(url, 2, postgresTimeouts({ lockTimeout: '100ms' }));
    try {
      const cached = await cache(postgresRepository({ pool: bounded, schema }), { heartbeatMs: 600_000 });
      const record = await cachedRecord(cached);
      await whileLocked(async () => {
        await expect(cached.findByName(record.tenant, record.owner, record.name)).rejects.toMatchObject({
          code: '55P03',
        });
      });
      expect(cached.stats()).toMatchObject({ size: 1, resets: 0 });
      await cached.findById(record.id);
      expect(cached.stats().hits).toBe(2);
    } finally {
      for (const repository of open.splice(0)) await repository.close();
      await bounded.end();
    }
  });

  it('drops a token changed by hand once notify() announces it', async () => {
    const record = createFixtures().token();
    await plain().insert(record, { now: T0 });
    const cached = await cache();
    await cached.findById(record.id);
    await pool.query(`UPDATE "${schema}".tokenward_tokens SET revoked_at = $2 WHERE id = $1`, [record.id, T0 + 9]);
    expect((await cached.findById(record.id))?.revokedAt).toBeNull(); // still from memory
    const mark = seen.length;
    await plain().notify(record.id);
    await invalidated(mark, record.id);
    expect((await cached.findById(record.id))?.revokedAt).toBe(T0 + 9);
  });

  it.each(['', 'x'.repeat(201), 7])('notify() refuses the payload %j', async (payload) => {
    await expect(plain().notify(payload as never)).rejects.toMatchObject({
      code: 'invalid_request',
      details: { field: 'payload' },
    });
  });

  it.each([
    ['ttlMs', { ttlMs: 0 }],
    ['ttlMs', { ttlMs: -1 }],
    ['ttlMs', { ttlMs: Number.NaN }],
    ['ttlMs', { ttlMs: 3_600_001 }],
    ['negativeTtlMs', { negativeTtlMs: -1 }],
    ['maxEntries', { maxEntries: 1.5 }],
    ['heartbeatMs', { heartbeatMs: 5 }],
    ['heartbeatMs', { heartbeatMs: '1s' }],
    ['probeTimeoutMs', { probeTimeoutMs: 60_001 }],
  ])('refuses a bad %s (%j) naming the field', (field, bad) => {
    expect(() => cachedRepository(plain(), { pool: listenPool, schema, ttlMs: 1_000, ...(bad as object) })).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { field } }),
    );
  });

  it('refuses a repository that cannot send notifications (it could never prove it is listening)', () => {
    expect(() => cachedRepository(memoryRepository() as never, { pool: listenPool, ttlMs: 1_000 })).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { field: 'repository' } }),
    );
  });
});
