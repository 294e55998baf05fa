/**
 * Last-used bookkeeping on PostgreSQL in batches (issue 12): the service's
 * batch of uses is one statement (`touchMany`), not one round trip and one
 * commit per use, and a batch never holds rows while it waits for another,
 * so it cannot deadlock with another batch or a revocation: rows another
 * transaction holds are skipped and written one by one afterwards.
 */
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createUseRecorder } from '../../src/service/touch.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { tableNames } from '../../src/stores/postgres/names.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { T0, testRecord } from '../support/records.js';

const server = await testPostgres();

/** `pool` with the statement name (or text) of every `query` written down. */
function recorded(pool: pg.Pool): { pool: pg.Pool; sent: string[] } {
  const sent: string[] = [];
  const proxy = new Proxy(pool, {
    get(target, key) {
      if (key === 'query') {
        return (config: string | { text: string; name?: string }, values?: unknown[]) => {
          sent.push(typeof config === 'string' ? config : (config.name ?? config.text));
          return target.query(config as string, values);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool: proxy, sent };
}

let ids = 0;
const nextId = (): string => `01TOUCH${String(++ids).padStart(19, '0')}`;

describePostgres('postgres last-used batches', server, (url) => {
  const schema = uniqueSchema('touchbatch');
  const pool = testPool(url, 4);
  const t = tableNames({ schema });
  beforeAll(async () => {
    await migrate(pool, { schema });
  });
  afterAll(async () => {
    await pool.end();
    await dropSchema(url, schema);
  });

  const stored = async (count: number) => {
    const repository = postgresRepository({ pool, schema });
    const records = Array.from({ length: count }, () => testRecord(nextId(), { name: `touch-${ids}` }));
    for (const record of records) await repository.insert(record, { now: T0 });
    return records;
  };
  const lastUsed = async (id: string): Promise<number | null> => {
    const { rows } = await pool.query<{ at: string | null }>(
      `SELECT last_used_at AS at FROM ${t.tokens} WHERE id = $1`,
      [id],
    );
    return rows[0]!.at === null ? null : Number(rows[0]!.at);
  };

  it("writes the service's batch of uses in one statement", async () => {
    const records = await stored(40);
    const traffic = recorded(pool);
    const recorder = createUseRecorder(postgresRepository({ pool: traffic.pool, schema }), 60_000);
    for (const [i, record] of records.entries()) recorder.note(record, T0 + 1_000 + i);
    await recorder.flush();
    expect(traffic.sent).toHaveLength(1);
    expect(traffic.sent[0]).toMatch(/^tokenward_touch_many_[0-9a-f]{16}$/);
    for (const [i, record] of records.entries()) expect(await lastUsed(record.id)).toBe(T0 + 1_000 + i);
  });

  it('writes the rows another transaction holds one by one once they are free, and the others at once', async () => {
    const [held, free, older] = await stored(3);
    const repository = postgresRepository({ pool, schema });
    await repository.touch(older!.id, T0 + 5_000);
    const locker = await pool.connect();
    let batch: Promise<void> | undefined;
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT id FROM ${t.tokens} WHERE id = $1 FOR UPDATE`, [held!.id]);
      batch = repository.touchMany!([
        { id: held!.id, at: T0 + 2_000 },
        { id: free!.id, at: T0 + 2_000 },
        { id: older!.id, at: T0 + 3_000 },
        { id: free!.id, at: T0 + 2_500 },
      ]);
      // The free row is written (and committed) while the held one still waits: no row is kept locked meanwhile.
      await expect.poll(() => lastUsed(free!.id), { timeout: 5_000 }).toBe(T0 + 2_500);
      expect(await lastUsed(held!.id)).toBeNull();
      await locker.query('COMMIT');
    } finally {
      locker.release();
    }
    await batch;
    expect(await lastUsed(held!.id)).toBe(T0 + 2_000);
    // Forward only, as `touch`.
    expect(await lastUsed(older!.id)).toBe(T0 + 5_000);
  });

  it('never deadlocks: batches in opposite orders and a revocation of them all, at once', async () => {
    const records = await stored(60);
    const repository = postgresRepository({ pool, schema });
    const uses = records.map((record, i) => ({ id: record.id, at: T0 + 10_000 + i }));
    const owner = records[0]!.owner!;
    await Promise.all([
      repository.touchMany!(uses),
      repository.touchMany!([...uses].reverse()),
      repository.revokeOwner(records[0]!.tenant, owner, T0 + 20_000, { includeMaster: true }),
      repository.touchMany!(uses.slice(20)),
    ]);
    for (const [i, record] of records.entries()) expect(await lastUsed(record.id)).toBe(T0 + 10_000 + i);
  });
});
