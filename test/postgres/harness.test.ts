/**
 * The test harness itself: the server is real, reachable, and each file's
 * schema is its own.
 */
import { afterAll, expect, it } from 'vitest';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';

const server = await testPostgres();

describePostgres('postgres test harness', server, (url) => {
  const pool = testPool(url, 4);
  afterAll(() => pool.end());

  it('talks to a real PostgreSQL server', async () => {
    const { rows } = await pool.query<{ version: string }>('SELECT version()');
    expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
  });

  it('gives every caller a fresh schema name that PostgreSQL accepts', async () => {
    const a = uniqueSchema('harness');
    const b = uniqueSchema('harness');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z_][a-z0-9_]{0,40}$/);
    await pool.query(`CREATE SCHEMA "${a}"`);
    const { rows } = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [a]);
    expect(rows).toHaveLength(1);
    await dropSchema(url, a);
    const after = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [a]);
    expect(after.rows).toHaveLength(0);
  });
});
