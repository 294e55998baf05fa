/**
 * PostgreSQL for the tests: a real server, found or started once per test
 * run, and one schema per test file so files run in parallel without seeing
 * each other's rows.
 *
 * Where the server comes from, in order:
 * 1. `TOKENWARD_TEST_PG_URL`: an existing server (the tests create and drop
 *    their own schemas in it);
 * 2. a throwaway server started by the first test file that asks (binaries in
 *    `/usr/lib/postgresql/<newest>/bin`) and stopped by the vitest
 *    globalSetup teardown after the run.
 * With neither, `describePostgres` skips loudly, and fails instead when
 * `TOKENWARD_REQUIRE_PG=1`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, inject, it } from 'vitest';
import { findPostgresBin, type LocalPostgres, startLocalPostgres } from './postgres-server.js';

export { findPostgresBin, type LocalPostgres, startLocalPostgres } from './postgres-server.js';

/** What the globalSetup hands to the test files. */
export interface PostgresRunContext {
  readonly coordDir: string;
  readonly externalUrl: string | null;
  readonly required: boolean;
}

/** What the first file writes after trying to start the shared server. */
export type SharedServerState =
  | { readonly ok: true; readonly url: string; readonly root: string }
  | { readonly ok: false; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    tokenwardPostgres: PostgresRunContext;
  }
}

/** Whether this test run has a PostgreSQL server, and where. */
export type PostgresAvailability =
  | { readonly ok: true; readonly url: string; readonly source: 'external' | 'shared' | 'private' }
  | { readonly ok: false; readonly reason: string; readonly install?: string };

/** True when `TOKENWARD_REQUIRE_PG=1`: a missing server is a failure, not a skip. */
export function postgresRequired(): boolean {
  return process.env.TOKENWARD_REQUIRE_PG === '1' || runContext()?.required === true;
}

function runContext(): PostgresRunContext | undefined {
  try {
    return inject('tokenwardPostgres');
  } catch {
    return undefined;
  }
}

async function sharedServer(coordDir: string): Promise<SharedServerState> {
  const stateFile = join(coordDir, 'state.json');
  let starter = false;
  try {
    mkdirSync(join(coordDir, 'lock'));
    starter = true;
  } catch {
    // Another test file is starting it (or has): wait for its verdict.
  }
  if (starter) {
    let state: SharedServerState;
    try {
      const server = await startLocalPostgres();
      state = { ok: true, url: server.url, root: server.root };
    } catch (error) {
      state = { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(state));
    renameSync(`${stateFile}.tmp`, stateFile);
    return state;
  }
  const deadline = Date.now() + 120_000;
  while (!existsSync(stateFile)) {
    if (Date.now() > deadline) return { ok: false, reason: 'timed out waiting for the shared PostgreSQL server' };
    await sleep(50);
  }
  return JSON.parse(readFileSync(stateFile, 'utf8')) as SharedServerState;
}

let privateServer: LocalPostgres | undefined;
let availability: Promise<PostgresAvailability> | undefined;

/**
 * The server for this test file. Memoized per worker. Without the
 * globalSetup (a file run under another config), a private server is started
 * and stopped when the worker exits.
 */
export function testPostgres(): Promise<PostgresAvailability> {
  availability ??= (async (): Promise<PostgresAvailability> => {
    const context = runContext();
    const external = context?.externalUrl ?? (process.env.TOKENWARD_TEST_PG_URL || null);
    if (external !== null) return { ok: true, url: external, source: 'external' };
    if (context !== undefined) {
      const state = await sharedServer(context.coordDir);
      return state.ok ? { ok: true, url: state.url, source: 'shared' } : { ok: false, reason: state.reason };
    }
    if (findPostgresBin() === null) return { ok: false, reason: 'no PostgreSQL binaries and no TOKENWARD_TEST_PG_URL' };
    try {
      privateServer = await startLocalPostgres();
      const server = privateServer;
      process.once('beforeExit', () => void server.destroy());
      return { ok: true, url: server.url, source: 'private' };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  })();
  return availability;
}

/**
 * `describe` for tests that need PostgreSQL (or PgBouncer). Without a server
 * it prints a banner and skips the block with the reason in its name; with
 * `TOKENWARD_REQUIRE_PG=1` it fails instead.
 *
 * @example
 * ```ts
 * const server = await testPostgres();
 * describePostgres('postgres repository', server, (url) => { … });
 * ```
 */
export function describePostgres(name: string, server: PostgresAvailability, body: (url: string) => void): void {
  if (server.ok) {
    describe(name, () => body(server.url));
    return;
  }
  if (postgresRequired()) {
    describe(name, () => {
      it('needs a PostgreSQL server (TOKENWARD_REQUIRE_PG=1)', () => {
        throw new Error(`PostgreSQL is required but unavailable: ${server.reason}`);
      });
    });
    return;
  }
  console.warn(
    [
      '',
      '================================================================',
      ` SKIPPED: "${name}" needs PostgreSQL`,
      ` reason: ${server.reason}`,
      ` ${server.install ?? 'install the postgresql package or set TOKENWARD_TEST_PG_URL'}`,
      '================================================================',
      '',
    ].join('\n'),
  );
  describe.skip(`${name} [SKIPPED: no PostgreSQL: ${server.reason}]`, () => {
    it('needs PostgreSQL', () => {});
  });
}

/** A fresh schema name for one test file or test (`tw_<tag>_<random>`). */
export function uniqueSchema(tag: string): string {
  const clean = tag
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 20);
  return `tw_${clean}_${randomBytes(4).toString('hex')}`;
}

/**
 * A pool on `url` with room for `max` truly concurrent connections. Idle
 * connections that the server drops (in the fault tests) are reported on the
 * pool's `error` event; without a listener Node would crash, so this one
 * records them for the test to look at. `extra` adds pool settings (timeouts).
 */
export function testPool(url: string, max = 20, extra: pg.PoolConfig = {}): pg.Pool & { readonly idleErrors: Error[] } {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000, ...extra });
  const idleErrors: Error[] = [];
  pool.on('error', (error) => idleErrors.push(error));
  return Object.assign(pool, { idleErrors });
}

/** Drops a schema created by a test (useful on an external server). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
