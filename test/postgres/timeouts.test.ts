/**
 * Bounded waits: with the pool settings of `postgresTimeouts()`, a call that
 * waits on a real lock held by another connection answers `unavailable`
 * within the bound instead of hanging, and leaves nothing written; without
 * them the same call simply waits. `migrate` still waits for another
 * instance's migration, but its DDL keeps the pool's lock bound.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { migrate, postgresRepository, postgresTimeouts } from '../../src/stores/postgres/index.js';
import { MIGRATIONS } from '../../src/stores/postgres/migrations.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { ANALYST, makeHarness } from '../support/service.js';
import { settle } from './helpers.js';

const server = await testPostgres();

/** The TokenError a call failed with (throws if it did not fail with one). */
async function failure(call: Promise<unknown>): Promise<TokenError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TokenError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

/** The SQLSTATE of the driver error behind a TokenError. */
const sqlstate = (error: TokenError): unknown => (error.cause as { code?: unknown } | undefined)?.code;

describe('postgresTimeouts()', () => {
  it('gives pg pool settings in milliseconds, the client bound above the server ones', () => {
    expect(postgresTimeouts()).toEqual({
      lock_timeout: 1_000,
      statement_timeout: 5_000,
      query_timeout: 6_000,
      connectionTimeoutMillis: 5_000,
    });
    expect(postgresTimeouts({ lockTimeout: '250ms', statementTimeout: '2s', connectionTimeout: 3_000 })).toEqual({
      lock_timeout: 250,
      statement_timeout: 2_000,
      query_timeout: 3_000,
      connectionTimeoutMillis: 3_000,
    });
    // Behind PgBouncer the server timeouts are set on the role: nothing is sent for them.
    expect(postgresTimeouts({ lockTimeout: null, statementTimeout: null, queryTimeout: '4s' })).toEqual({
      query_timeout: 4_000,
      connectionTimeoutMillis: 5_000,
    });
  });

  it.each([
    [{ lockTimeout: 0 }, 'lockTimeout'],
    [{ statementTimeout: '5 s' }, 'statementTimeout'],
    [{ queryTimeout: null }, 'queryTimeout'],
    [{ connectionTimeout: -1 }, 'connectionTimeout'],
    [{ lock_timeout: 100 }, 'options.lock_timeout'],
    ['1s', 'options'],
  ])('refuses %j naming %s', (options, field) => {
    expect(() => postgresTimeouts(options as never)).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { field } }),
    );
  });
});

describePostgres('bounded waits on a real server', server, (url) => {
  const schema = uniqueSchema('timeouts');
  const tokens = `"${schema}".tokenward_tokens`;
  const admin = testPool(url, 4);
  const bounded = testPool(url, 6, postgresTimeouts({ lockTimeout: '200ms', statementTimeout: '3s' }));
  const unbounded = testPool(url, 6);
  const service = (pool: pg.Pool) => makeHarness({ repository: postgresRepository({ pool, schema }) }).service;
  beforeAll(async () => {
    await migrate(admin, { schema });
  });
  afterAll(async () => {
    for (const pool of [admin, bounded, unbounded]) await pool.end();
    await dropSchema(url, schema);
  });

  /** Takes `LOCK TABLE … IN <mode> MODE` in a transaction on its own connection; the result releases it. */
  async function lockTokens(mode: string): Promise<() => Promise<void>> {
    const client = await admin.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${tokens} IN ${mode} MODE`);
    return async () => {
      await client.query('ROLLBACK');
      client.release();
    };
  }

  it('verify behind a table lock (a migration) answers unavailable within lock_timeout; without it, it waits', async () => {
    const issued = await service(bounded).issue({ name: 'behind_lock' }, ANALYST);
    const release = await lockTokens('ACCESS EXCLUSIVE');
    let waiting: Promise<string> | undefined;
    try {
      const started = performance.now();
      const error = await failure(service(bounded).verify(issued.token));
      const took = performance.now() - started;
      expect(error.code).toBe('unavailable');
      expect(sqlstate(error)).toBe('55P03'); // lock_not_available
      expect(took).toBeGreaterThanOrEqual(150);
      expect(took).toBeLessThan(2_000);

      waiting = settle(service(unbounded).verify(issued.token));
      expect(await Promise.race([waiting, sleep(1_000, 'still waiting')])).toBe('still waiting');
    } finally {
      await release();
    }
    expect(await waiting).toBe('ok');
  });

  it('with lock_timeout left to the role, statement_timeout bounds the wait', async () => {
    const pool = testPool(url, 2, postgresTimeouts({ lockTimeout: null, statementTimeout: '300ms' }));
    try {
      const issued = await service(pool).issue({ name: 'statement_bound' }, ANALYST);
      const release = await lockTokens('ACCESS EXCLUSIVE');
      try {
        const started = performance.now();
        const error = await failure(service(pool).verify(issued.token));
        expect(error.code).toBe('unavailable');
        expect(sqlstate(error)).toBe('57014'); // query_canceled by statement_timeout
        expect(performance.now() - started).toBeLessThan(2_000);
      } finally {
        await release();
      }
    } finally {
      await pool.end();
    }
  });

  it('issue and rotate behind a writer lock answer unavailable and write nothing, while verify goes on', async () => {
    const tokensService = service(bounded);
    const issued = await tokensService.issue({ name: 'rotate_behind_lock' }, ANALYST);
    const release = await lockTokens('SHARE'); // blocks writes, not reads
    try {
      for (const call of [
        () => tokensService.issue({ name: 'issued_behind_lock' }, ANALYST),
        () => tokensService.rotate(issued.info.id, ANALYST),
        () => tokensService.revoke(issued.info.id, ANALYST),
      ]) {
        const error = await failure(call());
        expect(error.code).toBe('unavailable');
        expect(sqlstate(error)).toBe('55P03');
      }
      expect(await settle(tokensService.verify(issued.token))).toBe('ok');
    } finally {
      await release();
    }
    const { rows } = await admin.query(
      `SELECT (SELECT version FROM ${tokens} WHERE id = $1) AS version,
              (SELECT count(*)::int FROM ${tokens} WHERE name = 'issued_behind_lock') AS behind`,
      [issued.info.id],
    );
    expect(rows[0]).toEqual({ version: 1, behind: 0 });
    expect(await settle(tokensService.verify(issued.token))).toBe('ok');
  });

  it("a metered verify behind another transaction's row lock answers unavailable within lock_timeout, spending nothing", async () => {
    const tokensService = service(bounded);
    const metered = await tokensService.issue({ name: 'metered_behind_lock', remaining: 3 }, ANALYST);
    const plain = await tokensService.issue({ name: 'plain_beside_lock' }, ANALYST);
    const client = await admin.connect();
    try {
      await client.query('BEGIN');
      // A writer mid-transaction on the metered token's row (a rotation, another instance's spend).
      await client.query(`SELECT id FROM ${tokens} WHERE id = $1 FOR UPDATE`, [metered.info.id]);
      const started = performance.now();
      const error = await failure(tokensService.verify(metered.token));
      const took = performance.now() - started;
      expect(error.code).toBe('unavailable');
      expect(sqlstate(error)).toBe('55P03');
      expect(took).toBeGreaterThanOrEqual(150);
      expect(took).toBeLessThan(2_000);
      // A token without a meter takes no lock, so it goes on.
      expect(await settle(tokensService.verify(plain.token))).toBe('ok');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect((await tokensService.get(metered.info.id, ANALYST)).remaining).toBe(3);
    expect((await tokensService.verify(metered.token)).remaining).toBe(2);
  });

  it("migrate waits for another instance's migration, however short lock_timeout is", async () => {
    const other = uniqueSchema('timeouts_migrate');
    const holder = await admin.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
        `tokenward:${other}.tokenward_`,
        'migrate',
      ]);
      const started = performance.now();
      const migrating = migrate(bounded, { schema: other });
      await sleep(600);
      await holder.query('COMMIT');
      expect((await migrating).applied.length).toBeGreaterThan(0);
      expect(performance.now() - started).toBeGreaterThanOrEqual(550);
    } finally {
      holder.release();
      await dropSchema(url, other);
    }
  });

  it('but its DDL keeps the pool lock bound: behind a long writer it gives up, applying nothing', async () => {
    const other = uniqueSchema('timeouts_ddl');
    try {
      await migrate(admin, { schema: other, toVersion: 1 });
      const client = await admin.connect();
      await client.query('BEGIN');
      await client.query(`LOCK TABLE "${other}".tokenward_tokens IN ROW EXCLUSIVE MODE`); // a writer mid-transaction
      try {
        const error = await failure(migrate(bounded, { schema: other }));
        expect(error.code).toBe('unavailable');
        expect(sqlstate(error)).toBe('55P03');
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
      const { rows } = await admin.query<{ version: number }>(
        `SELECT max(version) AS version FROM "${other}".tokenward_schema_migrations`,
      );
      expect(rows[0]?.version).toBe(1);
      // Every version after 1, whichever the release has.
      const later = MIGRATIONS.map((m) => m.version).filter((version) => version > 1);
      expect((await migrate(bounded, { schema: other })).applied).toEqual(later);
    } finally {
      await dropSchema(url, other);
    }
  });
});
