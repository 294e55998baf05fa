/**
 * Named prepared statements of the verification path and of `issue`'s
 * policy lookup: what each value of
 * `preparedStatements` leaves in the server session, and the checks of the
 * option. (Behind PgBouncer in transaction mode, where `'auto'` must fall
 * back by itself, see `pgbouncer.test.ts`.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, type PreparedStatements, postgresRepository } from '../../src/stores/postgres/index.js';
import { createFixtures, T0 } from '../../src/testing/fixtures.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';

const server = await testPostgres();

describePostgres('prepared statements of the verification path', server, (url) => {
  const schema = uniqueSchema('statements');
  const admin = testPool(url, 1);
  beforeAll(async () => {
    await migrate(admin, { schema });
  });
  afterAll(async () => {
    await admin.end();
    await dropSchema(url, schema);
  });

  /**
   * Looks a token up, touches it and looks up a user's policies through
   * `repository` on a pool of one connection (so every statement runs in the
   * session we look at), and returns the names of the statements prepared
   * in that session.
   */
  const preparedBy = async (
    mode: PreparedStatements | undefined,
    rounds = 2,
    locations: string[] = [schema],
  ): Promise<string[]> => {
    const pool = testPool(url, 1);
    try {
      for (const location of locations) {
        const repository = postgresRepository({
          pool,
          schema: location,
          ...(mode === undefined ? {} : { preparedStatements: mode }),
        });
        for (let round = 0; round < rounds; round++) {
          const record = createFixtures().token();
          await repository.findById(record.id);
          await repository.touch(record.id, T0 + 1);
          await repository.policiesFor(record.tenant, 'alice', ['auditor']);
        }
      }
      const { rows } = await pool.query<{ name: string }>(
        "SELECT name FROM pg_prepared_statements WHERE name LIKE 'tokenward_%' ORDER BY name",
      );
      return rows.map((row) => row.name);
    } finally {
      await pool.end();
    }
  };

  it('false prepares nothing in the session', async () => {
    expect(await preparedBy(false)).toEqual([]);
  });

  it.each([true, 'auto', undefined] as const)(
    '%s prepares findById, touch and policiesFor once per session',
    async (mode) => {
      const names = await preparedBy(mode);
      expect(names.map((name) => name.replace(/_[0-9a-f]{16}$/, ''))).toEqual([
        'tokenward_find',
        'tokenward_policies',
        'tokenward_touch',
      ]);
      expect(names.every((name) => /^tokenward_(find|touch|policies)_[0-9a-f]{16}$/.test(name))).toBe(true);
    },
  );

  it('names a statement by its text: another location, another name; the same location, the same name', async () => {
    const other = uniqueSchema('statements_other');
    try {
      await migrate(admin, { schema: other });
      const mine = await preparedBy(true);
      const both = await preparedBy(true, 1, [schema, other, schema]);
      expect(both).toHaveLength(6);
      expect(both.filter((name) => mine.includes(name))).toEqual(mine);
    } finally {
      await dropSchema(url, other);
    }
  });

  it.each([true, 'auto'] as const)('%s survives a session that lost its statements (DISCARD ALL)', async (mode) => {
    const pool = testPool(url, 1);
    try {
      const repository = postgresRepository({ pool, schema, preparedStatements: mode });
      const record = createFixtures().token();
      await repository.insert(record, { now: T0 });
      expect((await repository.findById(record.id))?.id).toBe(record.id);
      await pool.query('DISCARD ALL');
      expect((await repository.findById(record.id))?.id).toBe(record.id);
      expect((await repository.findById(record.id))?.id).toBe(record.id);
    } finally {
      await pool.end();
    }
  });
});

it.each(['yes', 1, null, 'AUTO'])('preparedStatements %j is refused naming the field', (value) => {
  const pool = { query: () => Promise.reject(new Error('no query')), connect: () => Promise.reject(new Error('none')) };
  expect(() => postgresRepository({ pool: pool as never, preparedStatements: value as never })).toThrow(
    expect.objectContaining({ code: 'invalid_request', details: { field: 'preparedStatements' } }),
  );
});
