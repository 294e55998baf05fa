/**
 * Issue 8, finding 8, for the stores: every option of `sqliteRepository`,
 * `postgresRepository`, `cachedRepository`, `migrate` and
 * `renderMigrations` is checked before anything is opened or connected, and
 * a bad one is a `TokenError('invalid_request')` naming the field. The pool
 * here is a real `pg.Pool` that is never asked to connect.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { cachedRepository, migrate, postgresRepository, renderMigrations } from '../../src/stores/postgres/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { refusalOf, rejectionOf } from '../support/refusal.js';

// Port 9 (discard): nothing in these tests may connect, and if one did it would fail loudly.
const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:9/none', connectionTimeoutMillis: 100 });
afterAll(() => pool.end());

describe('sqliteRepository refuses bad options', () => {
  it.each([
    ['no options', undefined, 'options'],
    ['a misspelt option', { path: 'x.sqlite', busyTimeout: 10 }, 'options.busyTimeout'],
    ['a path and a database', { path: 'x.sqlite', database: {} }, 'options'],
  ])('%s', (_label, options, field) => {
    expect(refusalOf(() => sqliteRepository(options as never))).toEqual({ code: 'invalid_request', field });
  });
});

describe('postgresRepository refuses bad options', () => {
  it.each([
    ['no options', undefined, 'options'],
    ['no pool', {}, 'pool'],
    ['a connection string instead of a pool', { pool: 'postgres://localhost/db' }, 'pool'],
    ['a pool without query', { pool: { connect: () => undefined } }, 'pool'],
    ['a misspelt option', { pool, tablePrefx: 'tw_' }, 'options.tablePrefx'],
    ['an uppercase schema', { pool, schema: 'Auth' }, 'schema'],
    ['a table prefix with a dash', { pool, tablePrefix: 'tw-' }, 'tablePrefix'],
  ])('%s', (_label, options, field) => {
    expect(refusalOf(() => postgresRepository(options as never))).toEqual({ code: 'invalid_request', field });
  });

  it('accepts a pg.Pool and connects only when used', () => {
    expect(() => postgresRepository({ pool, schema: 'auth', tablePrefix: '' })).not.toThrow();
    expect(pool.totalCount).toBe(0);
  });
});

describe('cachedRepository refuses bad options', () => {
  const repository = postgresRepository({ pool });
  it.each([
    ['no repository', undefined, { pool, ttlMs: 1000 }, 'repository'],
    ['a repository factory not called', memoryRepository, { pool, ttlMs: 1000 }, 'repository'],
    ['a store that cannot notify', memoryRepository(), { pool, ttlMs: 1000 }, 'repository'],
    ['no options', repository, undefined, 'options'],
    ['no pool', repository, { ttlMs: 1000 }, 'pool'],
    ['no ttlMs', repository, { pool }, 'ttlMs'],
    ['ttlMs as text', repository, { pool, ttlMs: '5s' }, 'ttlMs'],
    ['a negative negativeTtlMs', repository, { pool, ttlMs: 1000, negativeTtlMs: -1 }, 'negativeTtlMs'],
    ['maxEntries 0', repository, { pool, ttlMs: 1000, maxEntries: 0 }, 'maxEntries'],
    ['an onInvalidate that is not a function', repository, { pool, ttlMs: 1000, onInvalidate: 'log' }, 'onInvalidate'],
    ['a misspelt option', repository, { pool, ttlMs: 1000, ttl: 5 }, 'options.ttl'],
    ['an uppercase schema', repository, { pool, ttlMs: 1000, schema: 'Auth' }, 'schema'],
  ])('%s', (_label, wrapped, options, field) => {
    expect(refusalOf(() => cachedRepository(wrapped as never, options as never))).toEqual({
      code: 'invalid_request',
      field,
    });
    expect(pool.totalCount).toBe(0);
  });
});

describe('migrate and renderMigrations refuse bad options', () => {
  it.each([
    ['no pool', undefined, {}, 'pool'],
    ['toVersion 0', pool, { toVersion: 0 }, 'toVersion'],
    ['a toVersion this release does not have', pool, { toVersion: 999 }, 'toVersion'],
    ['a misspelt option', pool, { version: 1 }, 'options.version'],
    ['an uppercase schema', pool, { schema: 'Auth' }, 'schema'],
  ])('migrate: %s', async (_label, target, options, field) => {
    expect(await rejectionOf(migrate(target as never, options as never))).toEqual({ code: 'invalid_request', field });
    expect(pool.totalCount).toBe(0);
  });

  it('renderMigrations: a misspelt option', () => {
    expect(refusalOf(() => renderMigrations({ schema: 'auth', prefix: 'x' } as never))).toEqual({
      code: 'invalid_request',
      field: 'location.prefix',
    });
  });
});
