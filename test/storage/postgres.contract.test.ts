/**
 * The conformance suite of `tokenward/testing` against the PostgreSQL
 * repository on a real server. Each test gets empty tables (truncated after
 * the previous one); the pool has room for every racing call to run on its
 * own connection. The fault section runs on the same pool through
 * `withPgFaults`.
 */
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { describeRepositoryContract, withPgFaults } from '../../src/testing/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';

const CONCURRENCY = 20;
const server = await testPostgres();

describePostgres('postgres', server, (url) => {
  const schema = uniqueSchema('contract');
  const pool = testPool(url, CONCURRENCY + 5);
  let migrated: Promise<unknown> | null = null;
  afterAll(async () => {
    await pool.end();
    await dropSchema(url, schema);
  });

  const ready = async (): Promise<void> => {
    migrated ??= migrate(pool, { schema });
    await migrated;
  };

  describeRepositoryContract(
    'postgres',
    async () => {
      await ready();
      return postgresRepository({ pool, schema });
    },
    {
      runner: { describe, it, beforeEach, afterEach },
      concurrency: CONCURRENCY,
      // The fault section: the same pool, with every query (on the pool or a checked-out client) made to fail in turn.
      faults: async (faults) => {
        await ready();
        return postgresRepository({ pool: withPgFaults(pool, faults), schema });
      },
      teardown: async () => {
        await pool.query(
          `TRUNCATE "${schema}".tokenward_tokens, "${schema}".tokenward_events, "${schema}".tokenward_claims, "${schema}".tokenward_policies, "${schema}".tokenward_revoked_sessions, "${schema}".tokenward_expiry_warnings`,
        );
      },
    },
  );
});
