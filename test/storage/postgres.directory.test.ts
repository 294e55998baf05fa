/**
 * The directory conformance suite on a real PostgreSQL server: one schema
 * migrated once (every test has tenants of its own), a pool with room for
 * every racing call, and the fault section on the same pool.
 */
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import { migrate, postgresDirectoryStore } from '../../src/stores/postgres/index.js';
import { describeDirectoryContract, withPgFaults } from '../../src/testing/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';

const CONCURRENCY = 20;
const server = await testPostgres();

describePostgres('postgres directory', server, (url) => {
  const schema = uniqueSchema('directory');
  const pool = testPool(url, CONCURRENCY + 5);
  let migrated: Promise<unknown> | null = null;
  const ready = async (): Promise<void> => {
    migrated ??= migrate(pool, { schema });
    await migrated;
  };
  afterAll(async () => {
    await pool.end();
    await dropSchema(url, schema);
  });

  describeDirectoryContract(
    'postgres',
    async () => {
      await ready();
      return postgresDirectoryStore({ pool, schema });
    },
    {
      runner: { describe, it, beforeEach, afterEach },
      concurrency: CONCURRENCY,
      faults: async (faults) => {
        await ready();
        return postgresDirectoryStore({ pool: withPgFaults(pool, faults), schema });
      },
    },
  );
});
