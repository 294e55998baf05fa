/**
 * Versioned schema migrations for the PostgreSQL store.
 */

import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { TokenError } from '../../core/errors.js';
import { checkOut, type HeldClient, unusable } from './connection.js';
import { connectionFailure } from './failure.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { PostgresLocation } from './names.js';
import { locationNames, migrateSettings } from './options.js';

/** The schema version this release of tokenward expects (the newest migration). */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** One migration with its placeholders filled in. */
export interface RenderedMigration {
  readonly version: number;
  /** The shipped file's name without `.sql`, e.g. `001_tables`. */
  readonly name: string;
  /** Plain SQL, ready for `psql` or another migration tool. */
  readonly sql: string;
}

/** Options of `migrate`. */
export interface MigrateOptions extends PostgresLocation {
  /** Apply migrations up to this version only (default: all). Meant for tests of upgrades. */
  readonly toVersion?: number;
}

/** What `migrate` did. */
export interface MigrateResult {
  /** Versions applied by this call, oldest first (empty when already current). */
  readonly applied: number[];
  /** The schema version after the call. */
  readonly version: number;
}

function render(migration: Migration, schema: string, prefix: string): RenderedMigration {
  return {
    version: migration.version,
    name: migration.name,
    sql: migration.sql.replaceAll('{{schema}}', schema).replaceAll('{{prefix}}', prefix),
  };
}

/**
 * The migrations as plain SQL for a schema and table prefix, oldest first:
 * the text of `sql/postgres/*.sql` with `{{schema}}` and `{{prefix}}`
 * replaced. For teams that apply migrations with their own tool; each one
 * records its version in `<prefix>schema_migrations`, so `migrate()` can
 * take over later.
 *
 * @example
 * ```ts
 * import { renderMigrations } from 'tokenward/postgres';
 * for (const m of renderMigrations({ schema: 'auth' })) writeFileSync(`${m.name}.sql`, m.sql);
 * ```
 */
export function renderMigrations(location: PostgresLocation = {}): RenderedMigration[] {
  const names = locationNames(location);
  return MIGRATIONS.map((migration) => render(migration, names.schema, names.prefix));
}

/**
 * Brings the schema up to date: applies the missing migrations, in order, in
 * one transaction, under an advisory lock so that several instances starting
 * at once apply each migration exactly once (the others wait, then find
 * nothing to do). Creates the schema if needed.
 *
 * Errors: an `Error` if the database has a newer schema version than this
 * release knows (nothing is changed); `TokenError('invalid_request')` for a
 * bad `schema` or `tablePrefix`; `TokenError('unavailable')` (the driver's
 * error as its `cause`) when PostgreSQL fails or goes away meanwhile. The
 * transaction then rolls back, unless the server had already received its
 * COMMIT, so calling `migrate` again is always safe. The connection it uses
 * is guarded while held and destroyed if it failed, so a server dying
 * mid-migration never crashes the process.
 *
 * Timeouts: a pool built with `postgresTimeouts()` bounds every call of the
 * store, but a migration may rightly wait for another instance's migration
 * and run long on a big table. So `migrate` lifts the pool's
 * `statement_timeout` and the driver's `query_timeout` for its whole
 * transaction, and `lock_timeout` while it waits for the migration lock; its
 * DDL keeps the pool's `lock_timeout`, so that it never holds live traffic
 * queued behind it for longer than that.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { migrate, postgresRepository } from 'tokenward/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const repository = postgresRepository({ pool });
 * ```
 */
export async function migrate(pool: Pick<Pool, 'connect'>, options: MigrateOptions = {}): Promise<MigrateResult> {
  const { pool: checked, names, toVersion: target } = migrateSettings(pool, options, SCHEMA_VERSION);
  let held: HeldClient;
  try {
    held = await checkOut(checked);
  } catch (error) {
    throw unavailable(error);
  }
  const { client } = held;
  // A migration may rightly run long (an index on a big table) and wait long (for another instance's
  // migration): no client-side query_timeout of the pool applies to it.
  const run = <R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> =>
    client.query<R>({ text, values, query_timeout: UNBOUNDED } as QueryConfig);
  let broken: unknown;
  try {
    // Nor do the pool's server-side timeouts while it waits for that other instance; its own statements
    // keep the pool's lock_timeout (DDL must not queue live traffic behind it for long) but not its
    // statement_timeout.
    await run('BEGIN; SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0');
    await run('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [names.lockSpace, 'migrate']);
    await run('SET LOCAL lock_timeout TO DEFAULT');
    const exists = await run<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [names.migrations]);
    const done = new Set<number>();
    if (exists.rows[0]?.found) {
      const { rows } = await run<{ version: number }>(`SELECT version FROM ${names.migrations}`);
      for (const row of rows) done.add(row.version);
    }
    const newest = Math.max(0, ...done);
    if (newest > SCHEMA_VERSION) throw new SchemaTooNew(newest);
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version > target || done.has(migration.version)) continue;
      await run(render(migration, names.schema, names.prefix).sql);
      applied.push(migration.version);
    }
    await run('COMMIT');
    return { applied, version: Math.max(newest, ...applied) };
  } catch (error) {
    if (unusable(held, error)) broken = error;
    else {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError;
      });
    }
    // Like the service, anything but our own refusal is a storage failure: `unavailable`, cause attached.
    throw error instanceof SchemaTooNew ? error : unavailable(error);
  } finally {
    held.release(broken);
  }
}

// The longest timer Node keeps (about 24.8 days): pg treats 0 as "use the pool's query_timeout".
const UNBOUNDED = 2_147_483_647;

class SchemaTooNew extends Error {
  constructor(newest: number) {
    super(
      `tokenward: the database schema is at version ${newest}, newer than this release supports (${SCHEMA_VERSION})`,
    );
  }
}

function unavailable(cause: unknown): TokenError {
  const why = connectionFailure(cause);
  return new TokenError('unavailable', `PostgreSQL is unavailable (${why}): the migration did not complete`, { cause });
}
