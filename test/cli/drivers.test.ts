/**
 * The stores of the CLI: SQLite by default, PostgreSQL for a `postgres://`
 * URL (a real server, migrated on first use), and a missing driver reported
 * with how to install it and exit code 5. Drivers are hidden with a Node
 * loader (hide-modules.mjs) that makes the package unresolvable, as an
 * installation without it is.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/stores/postgres/migrate.js';
import { describePostgres, dropSchema, testPostgres, uniqueSchema } from '../support/postgres.js';
import { cli, cliJson, tableRows, workDir } from './support.js';

const HIDE = ['--import', fileURLToPath(new URL('./hide-modules.mjs', import.meta.url))];

describe('a driver that is not installed', () => {
  it('better-sqlite3: says how to install it, exits 5, and creates nothing', async () => {
    const dir = workDir();
    const run = await cli(dir, ['users', 'list'], {
      nodeOptions: HIDE,
      env: { TOKENWARD_TEST_HIDE: 'better-sqlite3' },
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('the better-sqlite3 package is not installed');
    expect(run.stderr).toContain('npm install better-sqlite3');
    expect(existsSync(join(dir, 'tokenward.db'))).toBe(false);
    const json = await cli(dir, ['list', '--json'], {
      nodeOptions: HIDE,
      env: { TOKENWARD_TEST_HIDE: 'better-sqlite3' },
    });
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'driver_missing', driver: 'better-sqlite3' } });
    // Help needs no store, hence no driver.
    const help = await cli(dir, ['list', '--help'], {
      nodeOptions: HIDE,
      env: { TOKENWARD_TEST_HIDE: 'better-sqlite3' },
    });
    expect(help.code).toBe(0);
  });

  it('pg: the same for a postgres:// URL, before any connection is tried', async () => {
    const run = await cli(workDir(), ['--db', 'postgres://nobody@127.0.0.1:1/none', 'users', 'list'], {
      nodeOptions: HIDE,
      env: { TOKENWARD_TEST_HIDE: 'pg' },
    });
    expect([run.code, run.stderr]).toEqual([5, expect.stringContaining('npm install pg')]);
  });

  it('the loader hides only what it is told to: the same run works without it', async () => {
    const run = await cli(workDir(), ['users', 'list'], { nodeOptions: HIDE, env: { TOKENWARD_TEST_HIDE: 'pg' } });
    expect(run.code).toBe(0);
  });
});

describe('an unreachable PostgreSQL', () => {
  it('is unavailable (exit 6), with the URL’s password nowhere in the output', async () => {
    const run = await cli(workDir(), ['--db', 'postgres://app:s3cret-pw@127.0.0.1:1/none', 'users', 'list']);
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/^tokenward: unavailable: /);
    expect(run.stderr + run.stdout).not.toContain('s3cret-pw');
  });
});

const server = await testPostgres();

describePostgres('the CLI on PostgreSQL', server, (url) => {
  const schema = uniqueSchema('cli');
  afterAll(() => dropSchema(url, schema));

  it('creates the schema on first use and runs the directory and token commands on it', async () => {
    const dir = workDir();
    const db = ['--db', url, '--schema', schema];
    const init = await cliJson(dir, [...db, 'init']);
    expect(init.json).toMatchObject({ store: 'postgres', schemaVersion: SCHEMA_VERSION });
    expect(init.json.location).not.toMatch(/:[^:@/]+@/);
    expect((await cli(dir, [...db, 'users', 'add', 'alice', '--admin'])).code).toBe(0);
    const issued = await cliJson(dir, [...db, '--as', 'alice', 'issue', 'ci', '--ttl', '30d']);
    expect((await cli(dir, [...db, 'verify'], { input: issued.json.token as string })).code).toBe(0);
    const listed = await cli(dir, [...db, 'list']);
    expect(tableRows(listed.stdout).map((row) => row.name)).toEqual(['ci']);
    // The tables are in the schema asked for.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT name FROM "${schema}".tokenward_directory_users`);
    await client.end();
    expect(rows).toEqual([{ name: 'alice' }]);
    // DATABASE_URL is read when --db is not given.
    const viaEnv = await cliJson<{ items: unknown[] }>(dir, ['--schema', schema, 'users', 'list'], {
      env: { DATABASE_URL: url },
    });
    expect(viaEnv.json.items).toHaveLength(1);
  });

  it('refuses --schema for a SQLite store', async () => {
    expect((await cli(workDir(), ['--schema', 'x', 'users', 'list'])).code).toBe(2);
  });
});
