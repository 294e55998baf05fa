/**
 * Migrations: the shipped SQL files, their rendering, `migrate()` under
 * concurrency, and an upgrade from an older schema version with data in it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { TokenRepository } from '../../src/core/repository.js';
import {
  cachedRepository,
  invalidationChannel,
  migrate,
  postgresRepository,
  renderMigrations,
  SCHEMA_VERSION,
} from '../../src/stores/postgres/index.js';
import { MIGRATIONS } from '../../src/stores/postgres/migrations.js';
import {
  EVENT_COLUMN_NAMES,
  eventColumnValues,
  TOKEN_COLUMN_NAMES,
  tokenColumnValues,
} from '../../src/stores/shared/sql-columns.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { ANALYST, makeHarness } from '../support/service.js';
import { pgHarness, settle } from './helpers.js';

const SQL_DIR = new URL('../../sql/postgres/', import.meta.url);
/** Every version this release applies, oldest first, and the newest. */
const ALL = MIGRATIONS.map((m) => m.version);
const NEWEST = ALL[ALL.length - 1]!;

/** The tokens table's columns in migration 1: not those of migration 4 (meter) and 5 (meta, enabled, lookup hash). */
const LATER_COLUMNS = new Set(['meter', 'meta', 'enabled', 'lookup_hash']);
const V1_TOKEN_COLUMNS = TOKEN_COLUMN_NAMES.filter((column) => !LATER_COLUMNS.has(column));

/** Copies every token and event of `source` into a schema at version 1, in version 1's columns. */
async function writeAsVersionOne(pool: Pool, schema: string, source: TokenRepository): Promise<void> {
  const { items } = await source.list({
    tenant: 'acme',
    includeExpired: true,
    includeRevoked: true,
    now: 0,
    limit: 1000,
  });
  for (const record of items) {
    const values = tokenColumnValues(record).slice(0, V1_TOKEN_COLUMNS.length);
    const marks = values.map((_, i) => `$${i + 1}`).join(', ');
    await pool.query(
      `INSERT INTO "${schema}".tokenward_tokens (${V1_TOKEN_COLUMNS.join(', ')}) VALUES (${marks})`,
      values,
    );
    for (const event of (await source.listEvents({ tokenId: record.id, limit: 1000 })).items) {
      const eventValues = eventColumnValues(event);
      await pool.query(
        `INSERT INTO "${schema}".tokenward_events (${EVENT_COLUMN_NAMES.join(', ')}) VALUES (${eventValues.map((_, i) => `$${i + 1}`).join(', ')})`,
        eventValues,
      );
    }
  }
}
/** The indexes of migration 3 (the store-backed directory), primary keys included. */
const DIRECTORY_INDEXES = [
  'tokenward_dir_audit_idx',
  'tokenward_dir_user_roles_idx',
  'tokenward_directory_audit_pkey',
  'tokenward_directory_roles_pkey',
  'tokenward_directory_user_roles_pkey',
  'tokenward_directory_users_pkey',
];

describe('shipped migration files', () => {
  it('are exactly the migrations migrate() applies, in order', () => {
    const files = readdirSync(SQL_DIR)
      .filter((file) => file.endsWith('.sql'))
      .sort();
    expect(files.map((file) => file.replace(/\.sql$/, ''))).toEqual(MIGRATIONS.map((m) => m.name));
    for (const migration of MIGRATIONS) {
      expect(readFileSync(new URL(`${migration.name}.sql`, SQL_DIR), 'utf8')).toBe(migration.sql);
    }
    // Versions are assigned ahead to work done in parallel, so a release may skip one; they only ascend,
    // and each file is named after its version.
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    for (const m of MIGRATIONS) expect(m.name.startsWith(`${String(m.version).padStart(3, '0')}_`)).toBe(true);
    expect(SCHEMA_VERSION).toBe(versions[versions.length - 1]);
  });

  it('render with the schema and prefix filled in and no placeholder left', () => {
    const rendered = renderMigrations({ schema: 'auth', tablePrefix: 'pat_' });
    expect(rendered.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    for (const migration of rendered) {
      expect(migration.sql).not.toMatch(/\{\{|\}\}/);
      expect(migration.sql).toContain('"auth"."pat_');
      expect(migration.sql).not.toMatch(/"public"|"tokenward_/);
    }
    expect(renderMigrations({ tablePrefix: '' })[0]?.sql).toContain('"public"."tokens"');
    expect(renderMigrations()[0]?.sql).toContain('"public"."tokenward_tokens"');
  });

  it.each([
    ['schema', { schema: 'Auth' }],
    ['schema', { schema: 'auth"; DROP TABLE x; --' }],
    ['schema', { schema: '' }],
    ['schema', { schema: '1auth' }],
    ['schema', { schema: 'a'.repeat(42) }],
    ['schema', { schema: 'ünïcode' }],
    ['tablePrefix', { tablePrefix: 'pat-' }],
    ['tablePrefix', { tablePrefix: 'x'.repeat(42) }],
    ['tablePrefix', { tablePrefix: 'a b' }],
  ])('refuse a bad %s (%j) with invalid_request before touching the database', (field, location) => {
    let error: unknown;
    try {
      renderMigrations(location);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field } });
    // The repository factory refuses it the same way, without a query.
    const pool = {
      query: () => Promise.reject(new Error('no query expected')),
      connect: () => Promise.reject(new Error('no connection expected')),
    };
    expect(() => postgresRepository({ pool: pool as never, ...location })).toThrow(TokenError);
  });
});

describe('notification channel names', () => {
  it('are readable when they fit, hashed when they would pass 63 bytes, and distinct per location', () => {
    expect(invalidationChannel('public', 'tokenward_')).toBe('tokenward:public.tokenward_');
    const long = invalidationChannel('s'.repeat(41), 'p'.repeat(41));
    expect(long).toMatch(/^tokenward:[0-9a-f]{16}$/);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(invalidationChannel('s'.repeat(41), `${'p'.repeat(40)}q`)).not.toBe(long);
    expect(invalidationChannel('a', 'b_')).not.toBe(invalidationChannel('a', 'c_'));
  });
});

const server = await testPostgres();

describePostgres('postgres migrations', server, (url) => {
  const pool = testPool(url, 12);
  const schemas: string[] = [];
  const freshSchema = (tag: string): string => {
    const schema = uniqueSchema(tag);
    schemas.push(schema);
    return schema;
  };
  afterAll(async () => {
    await pool.end();
    for (const schema of schemas) await dropSchema(url, schema);
  });

  const versions = async (schema: string, prefix = 'tokenward_'): Promise<number[]> => {
    const { rows } = await pool.query<{ version: number }>(
      `SELECT version FROM "${schema}"."${prefix}schema_migrations" ORDER BY version`,
    );
    return rows.map((row) => row.version);
  };

  const indexes = async (schema: string): Promise<string[]> => {
    const { rows } = await pool.query<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
      [schema],
    );
    return rows.map((row) => row.indexname);
  };

  it('creates the schema, applies every migration once, and is a no-op the second time', async () => {
    const schema = freshSchema('fresh');
    expect(await migrate(pool, { schema })).toEqual({ applied: ALL, version: NEWEST });
    expect(await migrate(pool, { schema })).toEqual({ applied: [], version: NEWEST });
    expect(await versions(schema)).toEqual(ALL);
    expect((await indexes(schema)).filter((name) => !name.startsWith('tokenward_dir'))).toEqual(
      [
        'tokenward_claims_pkey',
        'tokenward_claims_token_idx',
        'tokenward_events_at_idx',
        'tokenward_events_pkey',
        'tokenward_events_token_at_idx',
        'tokenward_expiry_warnings_pkey',
        'tokenward_policies_pkey',
        'tokenward_policy_versions_pkey',
        'tokenward_revoked_sessions_pkey',
        'tokenward_schema_migrations_pkey',
        'tokenward_sessions_expires_idx',
        'tokenward_tokens_expires_idx',
        'tokenward_tokens_lookup_hash_uq',
        'tokenward_tokens_master_uq',
        'tokenward_tokens_owner_name_idx',
        'tokenward_tokens_owner_new_idx',
        'tokenward_tokens_pkey',
        'tokenward_tokens_refill_idx',
        'tokenward_tokens_tenant_exp_idx',
        'tokenward_tokens_tenant_new_idx',
        'tokenward_warnings_expires_idx',
      ].sort(),
    );
    expect((await indexes(schema)).filter((name) => name.startsWith('tokenward_dir'))).toEqual(DIRECTORY_INDEXES);
  });

  it('applies each migration exactly once when ten instances migrate at the same moment', async () => {
    const schema = freshSchema('concurrent');
    const results = await Promise.all(Array.from({ length: 10 }, () => migrate(pool, { schema })));
    expect(results.flatMap((result) => result.applied)).toEqual(ALL);
    expect(results.every((result) => result.version === NEWEST)).toBe(true);
    expect(await versions(schema)).toEqual(ALL);
  });

  it('keeps stores with different schemas and prefixes apart in one database', async () => {
    const schema = freshSchema('prefixes');
    await migrate(pool, { schema, tablePrefix: 'a_' });
    await migrate(pool, { schema, tablePrefix: 'b_' });
    const a = await pgHarness(pool, schema, { repository: postgresRepository({ pool, schema, tablePrefix: 'a_' }) });
    const b = await pgHarness(pool, schema, { repository: postgresRepository({ pool, schema, tablePrefix: 'b_' }) });
    const issued = await a.service.issue({ name: 'only_in_a' }, ANALYST);
    expect(await settle(a.service.verify(issued.token))).toBe('ok');
    expect(await settle(b.service.verify(issued.token))).toBe('token_invalid');
    expect(await versions(schema, 'a_')).toEqual(ALL);
  });

  it('works at the longest schema and prefix allowed: every index name fits, the cache hears its channel', async () => {
    const schema = uniqueSchema('x').padEnd(41, 'x');
    schemas.push(schema);
    const tablePrefix = `${'p'.repeat(40)}_`;
    expect(await migrate(pool, { schema, tablePrefix })).toEqual({ applied: ALL, version: NEWEST });
    const names = await indexes(schema);
    expect(names).toHaveLength(21 + DIRECTORY_INDEXES.length);
    for (const name of names) expect(name.startsWith(tablePrefix)).toBe(true);
    const repository = postgresRepository({ pool, schema, tablePrefix });
    const seen: (string | null)[] = [];
    const cached = cachedRepository(repository, {
      pool,
      schema,
      tablePrefix,
      ttlMs: 60_000,
      onInvalidate: (id) => seen.push(id),
    });
    try {
      await cached.whenListening();
      const h = makeHarness({ repository: cached });
      const issued = await h.service.issue({ name: 'long_names' }, ANALYST);
      expect(await settle(h.service.verify(issued.token))).toBe('ok');
      const deadline = Date.now() + 5_000;
      while (!seen.includes(issued.info.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      expect(seen).toContain(issued.info.id);
    } finally {
      await cached.close();
    }
  });

  it('migrates a database at version 1 with tokens and events forward without losing any', async () => {
    const schema = freshSchema('upgrade');
    expect(await migrate(pool, { schema, toVersion: 1 })).toEqual({ applied: [1], version: 1 });
    expect(await versions(schema)).toEqual([1]);
    expect(await indexes(schema)).toContain('tokenward_events_token_idx');

    // Data as a release on the version-1 schema wrote it: made by the real service, stored in version 1's columns.
    const old = makeHarness();
    const before = await Promise.all(
      Array.from({ length: 5 }, (_, i) => old.service.issue({ name: `old_${i}`, comment: `c${i}` }, ANALYST)),
    );
    const rotated = await old.service.rotate(before[0]!.info.id, ANALYST);
    await old.service.revoke(before[1]!.info.id, ANALYST);
    await writeAsVersionOne(pool, schema, old.repository);
    const h = makeHarness({ repository: postgresRepository({ pool, schema }), now: old.clock.now });
    const countRows = async (): Promise<{ tokens: number; events: number }> => {
      const { rows } = await pool.query<{ tokens: string; events: string }>(
        `SELECT (SELECT count(*) FROM "${schema}".tokenward_tokens) AS tokens,
                (SELECT count(*) FROM "${schema}".tokenward_events) AS events`,
      );
      return { tokens: Number(rows[0]?.tokens), events: Number(rows[0]?.events) };
    };
    const counted = await countRows();
    expect(counted).toEqual({ tokens: 5, events: 7 });
    const v1Columns = V1_TOKEN_COLUMNS.join(', ');
    const dumpBefore = await pool.query(`SELECT ${v1Columns} FROM "${schema}".tokenward_tokens ORDER BY id`);
    const eventsBefore = await pool.query(`SELECT * FROM "${schema}".tokenward_events ORDER BY id`);

    expect(await migrate(pool, { schema })).toEqual({ applied: ALL.slice(1), version: NEWEST });
    expect(await versions(schema)).toEqual(ALL);
    expect(await indexes(schema)).toContain('tokenward_events_token_at_idx');
    expect(await indexes(schema)).not.toContain('tokenward_events_token_idx');
    expect(await countRows()).toEqual(counted);
    expect((await pool.query(`SELECT ${v1Columns} FROM "${schema}".tokenward_tokens ORDER BY id`)).rows).toEqual(
      dumpBefore.rows,
    );
    // Columns added since are empty for old tokens: no meter, nothing spent.
    const { rows: added } = await pool.query(`SELECT meter, ratelimit_state FROM "${schema}".tokenward_tokens`);
    expect(added.every((row) => row.meter === null && row.ratelimit_state === null)).toBe(true);
    const { rows: fields } = await pool.query(
      `SELECT DISTINCT meta, enabled, lookup_hash FROM "${schema}".tokenward_tokens`,
    );
    expect(fields).toEqual([{ meta: null, enabled: true, lookup_hash: null }]);
    expect((await pool.query(`SELECT * FROM "${schema}".tokenward_events ORDER BY id`)).rows).toEqual(
      eventsBefore.rows,
    );

    // The old tokens still work (or stay dead) after the upgrade, and their history reads back.
    expect(await settle(h.service.verify(rotated.token))).toBe('ok');
    expect(await settle(h.service.verify(before[0]!.token))).toBe('token_invalid');
    expect(await settle(h.service.verify(before[1]!.token))).toBe('token_revoked');
    for (const { token } of before.slice(2)) expect(await settle(h.service.verify(token))).toBe('ok');
    const history = await h.service.events(before[0]!.info.id, ANALYST);
    expect(history.items.map((event) => event.type)).toEqual(['rotated', 'issued']);
  });

  it('lets a team apply the rendered SQL with its own tool, then migrate() takes over', async () => {
    const schema = freshSchema('handapplied');
    const [first] = renderMigrations({ schema });
    await pool.query(first!.sql);
    expect(await versions(schema)).toEqual([1]);
    expect(await migrate(pool, { schema })).toEqual({ applied: ALL.slice(1), version: NEWEST });
  });

  it('refuses a database whose schema is newer than this release, and changes nothing', async () => {
    const schema = freshSchema('newer');
    await migrate(pool, { schema });
    await pool.query(`INSERT INTO "${schema}".tokenward_schema_migrations (version, name) VALUES (99, 'future')`);
    await expect(migrate(pool, { schema })).rejects.toThrow(/newer than this release/);
    expect(await versions(schema)).toEqual([...ALL, 99]);
  });

  it('rolls a failed migration back completely', async () => {
    const schema = freshSchema('rollback');
    await migrate(pool, { schema, toVersion: 1 });
    // Sabotage: an object with the name migration 2 wants to create.
    await pool.query(`CREATE TABLE "${schema}".tokenward_events_at_idx (x int)`);
    await expect(migrate(pool, { schema })).rejects.toThrow();
    expect(await versions(schema)).toEqual([1]);
    expect(await indexes(schema)).toContain('tokenward_events_token_idx');
    expect(await indexes(schema)).not.toContain('tokenward_tokens_expires_idx');
  });
});
