/**
 * What the SQLite repository promises beyond the shared contract: a real
 * file that survives reopening, WAL with a busy timeout, migrations that
 * carry old data forward, driver errors passed through (so the service fails
 * closed), and tables that never hold a secret.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { opaqueFormat } from '../../src/core/format.js';
import type { TokenRecord } from '../../src/core/types.js';
import { SQLITE_SCHEMA_VERSION, sqliteRepository } from '../../src/stores/sqlite/index.js';
import { MIGRATIONS, migrate } from '../../src/stores/sqlite/schema.js';
import { T0, testRecord } from '../support/records.js';
import { secretEncodings } from '../support/secrets.js';
import { ANALYST, makeHarness } from '../support/service.js';
import { sessionHarness } from '../support/sessions.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const freshFile = (): string => join(dir, `db-${++files}.sqlite`);

function token(overrides: Partial<TokenRecord> = {}): TokenRecord {
  return testRecord(overrides.id ?? `T${String(++files).padStart(8, '0')}`, overrides);
}

/** `SELECT *` of every table in the file, as one string. */
function dumpTables(db: Database.Database): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
    name: string;
  }[];
  return tables.map(({ name }) => `${name}\n${JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())}`).join('\n');
}

describe('sqlite repository: the file', () => {
  it('opens in WAL mode with a busy timeout and keeps tokens across reopening', async () => {
    const path = freshFile();
    const first = sqliteRepository({ path, busyTimeoutMs: 1234 });
    expect(first.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(first.database.pragma('busy_timeout', { simple: true })).toBe(1234);
    const record = token({ grants: [{ bucket: 'in.c-main', access: 'write' }] });
    await first.insert(record, { now: T0 });
    await first.appendEvent({
      id: 'E1',
      tokenId: record.id,
      tenant: 'acme',
      type: 'issued',
      actor: 'user:alice',
      operation: 'issued',
      detail: { ttl: 1000 },
      at: T0,
    });
    await first.close();
    expect(first.database.open).toBe(false);
    await first.close();

    const second = sqliteRepository({ path });
    expect(await second.findById(record.id)).toEqual(record);
    expect((await second.listEvents({ tokenId: record.id, limit: 10 })).items).toHaveLength(1);
    await second.close();
  });

  it('works on a connection it was given, leaving it open on close, with numbers even under safeIntegers', async () => {
    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    const repository = sqliteRepository({ database: db });
    const record = token({ expiresAt: T0 + 5 });
    await repository.insert(record, { now: T0 });
    expect(await repository.findById(record.id)).toEqual(record);
    expect(typeof (await repository.findById(record.id))?.createdAt).toBe('number');
    await repository.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM tokenward_tokens').get()).toEqual({ n: 1n });
    db.close();
  });

  it('creates every table and records the schema version', () => {
    const repository = sqliteRepository({ path: freshFile() });
    const tables = (
      repository.database.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((row) => row.name);
    expect(tables).toEqual([
      'tokenward_claims',
      'tokenward_directory_audit',
      'tokenward_directory_roles',
      'tokenward_directory_user_roles',
      'tokenward_directory_users',
      'tokenward_events',
      'tokenward_expiry_warnings',
      'tokenward_policies',
      'tokenward_revoked_sessions',
      'tokenward_schema_version',
      'tokenward_tokens',
    ]);
    const versions = repository.database.prepare('SELECT version FROM tokenward_schema_version ORDER BY version').all();
    expect(versions).toEqual(MIGRATIONS.map((step) => ({ version: step.version })));
    expect(SQLITE_SCHEMA_VERSION).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version);
    const indexes = (
      repository.database
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'tokenward_%'")
        .all() as {
        name: string;
      }[]
    ).map((row) => row.name);
    expect(indexes.sort()).toEqual(
      [
        'tokenward_claims_by_token',
        'tokenward_directory_audit_by_time',
        'tokenward_directory_user_roles_by_role',
        'tokenward_events_by_time',
        'tokenward_events_by_token',
        'tokenward_revoked_sessions_by_expiry',
        'tokenward_tokens_by_expiry',
        'tokenward_tokens_by_name',
        'tokenward_tokens_by_owner',
        'tokenward_tokens_by_refill',
        'tokenward_tokens_by_tenant',
        'tokenward_tokens_by_lookup_hash',
        'tokenward_tokens_by_tenant_expiry',
        'tokenward_expiry_warnings_by_expiry',
      ].sort(),
    );
    void repository.close();
  });
});

describe('sqlite repository: options', () => {
  const closed = new Database(':memory:');
  closed.close();
  const other = new Database(':memory:');
  afterAll(() => other.close());
  it.each([
    ['no options', undefined, 'options'],
    ['an empty object', {}, 'options'],
    ['both path and database', { path: freshFile(), database: other }, 'options'],
    ['an empty path', { path: '' }, 'options.path'],
    ['a number as path', { path: 42 }, 'options.path'],
    ['something else as database', { database: { prepare: 1 } }, 'options.database'],
    ['a closed database', { database: closed }, 'options.database'],
    ['a negative busy timeout', { path: freshFile(), busyTimeoutMs: -1 }, 'options.busyTimeoutMs'],
    ['a fractional busy timeout', { path: freshFile(), busyTimeoutMs: 1.5 }, 'options.busyTimeoutMs'],
    ['a misspelled option', { path: freshFile(), busyTimeout: 100 }, 'options.busyTimeout'],
    ['a negative spend timeout', { path: freshFile(), spendTimeoutMs: -1 }, 'options.spendTimeoutMs'],
    ['a fractional spend timeout', { path: freshFile(), spendTimeoutMs: 0.5 }, 'options.spendTimeoutMs'],
    ['a spend timeout as text', { path: freshFile(), spendTimeoutMs: '100' }, 'options.spendTimeoutMs'],
    [
      'a spend timeout above the busy timeout',
      { path: freshFile(), busyTimeoutMs: 50, spendTimeoutMs: 51 },
      'options.spendTimeoutMs',
    ],
  ])('refuses %s with invalid_request naming the field', (_label, options, field) => {
    let error: unknown = null;
    try {
      sqliteRepository(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field } });
  });
});

describe('sqlite repository: migrations', () => {
  it('migrates a version-1 database forward without losing tokens, events, claims or policies', async () => {
    const path = freshFile();
    const old = new Database(path);
    migrate(old, 1);
    expect(old.prepare('SELECT MAX(version) AS v FROM tokenward_schema_version').get()).toEqual({ v: 1 });
    // Rows written the way a version-1 build wrote them.
    old
      .prepare(
        `INSERT INTO tokenward_tokens (id, tenant, type, owner, name, comment, grants, secret_hash, pepper_version,
         previous_secret_hash, previous_pepper_version, previous_expires_at, created_at, expires_at, revoked_at,
         rotated_at, last_used_at, created_by, version)
         VALUES ('T-old', 'acme', 'limited', 'alice', 'ci', 'legacy', '[{"scope":"reports"}]', 'hash-old', 1,
         NULL, NULL, NULL, ${T0}, ${T0 + 1000}, NULL, NULL, ${T0 + 10}, 'user:alice', 3)`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO tokenward_events (id, token_id, tenant, type, actor, operation, detail, at)
         VALUES ('E-old', 'T-old', 'acme', 'issued', 'user:alice', 'issued', '{"ttl":1000}', ${T0})`,
      )
      .run();
    old
      .prepare(`INSERT INTO tokenward_claims VALUES ('code-old', 'T-old', 'acme', ${T0}, ${T0 + 500}, 'user:alice')`)
      .run();
    old.prepare(`INSERT INTO tokenward_policies VALUES ('acme', 'role', 'ops', 86400000, ${T0})`).run();
    old.close();

    const repository = sqliteRepository({ path });
    const versions = repository.database.prepare('SELECT version FROM tokenward_schema_version ORDER BY version').all();
    expect(versions).toEqual(MIGRATIONS.map((step) => ({ version: step.version })));
    expect(await repository.findById('T-old')).toEqual(
      token({
        id: 'T-old',
        type: 'limited',
        name: 'ci',
        comment: 'legacy',
        grants: [{ scope: 'reports' }],
        secretHash: 'hash-old',
        expiresAt: T0 + 1000,
        lastUsedAt: T0 + 10,
        version: 3,
      }),
    );
    expect((await repository.listEvents({ tokenId: 'T-old', limit: 10 })).items).toEqual([
      {
        id: 'E-old',
        tokenId: 'T-old',
        tenant: 'acme',
        type: 'issued',
        actor: 'user:alice',
        operation: 'issued',
        detail: { ttl: 1000 },
        at: T0,
      },
    ]);
    expect(await repository.policiesFor('acme', 'alice', ['ops'])).toHaveLength(1);
    expect(await repository.consumeClaim('code-old', T0 + 1)).toMatchObject({ tokenId: 'T-old' });
    // The index added by the later step is there and used.
    const plan = repository.database
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM tokenward_tokens WHERE tenant = 'acme' ORDER BY created_at DESC, id DESC",
      )
      .all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join(' ')).toContain('tokenward_tokens_by_tenant');
    await repository.close();
  });

  it('opening an up-to-date database twice applies nothing again', async () => {
    const path = freshFile();
    await sqliteRepository({ path }).close();
    const again = sqliteRepository({ path });
    const count = again.database.prepare('SELECT COUNT(*) AS n FROM tokenward_schema_version').get();
    expect(count).toEqual({ n: MIGRATIONS.length });
    await again.close();
  });

  it('refuses a database written by a newer schema, and closes the file it opened', () => {
    const path = freshFile();
    const db = new Database(path);
    migrate(db);
    db.prepare("INSERT INTO tokenward_schema_version VALUES (999, 'from the future', 0)").run();
    db.close();
    expect(() => sqliteRepository({ path })).toThrow(/newer than this version of tokenward supports/);
    // The failed open left no lock behind: the file can be written at once.
    const after = new Database(path, { timeout: 0 });
    after.exec('BEGIN IMMEDIATE; COMMIT;');
    after.close();
  });
});

describe('sqlite repository: failures', () => {
  it('passes SQLITE_BUSY through as it is, writes nothing, and reads go on under WAL', async () => {
    const path = freshFile();
    const repository = sqliteRepository({ path, busyTimeoutMs: 50 });
    const existing = token();
    await repository.insert(existing, { now: T0 });
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    const blocked = token();
    const error = await repository.insert(blocked, { now: T0 }).then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).not.toBeInstanceOf(TokenError);
    expect((error as { code?: string }).code).toBe('SQLITE_BUSY');
    expect(await repository.findById(existing.id)).toEqual(existing);
    blocker.exec('ROLLBACK');
    blocker.close();
    expect(await repository.findById(blocked.id)).toBeNull();
    await repository.close();
  });

  it('through the service: a locked database gives unavailable, no token and nothing stored', async () => {
    const path = freshFile();
    const repository = sqliteRepository({ path, busyTimeoutMs: 50 });
    const { service } = makeHarness({ repository });
    const blocker = new Database(path);
    blocker.exec('BEGIN IMMEDIATE');
    const error = await service.issue({ name: 'during_outage' }, ANALYST).then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('unavailable');
    blocker.exec('ROLLBACK');
    blocker.close();
    expect(repository.database.prepare('SELECT COUNT(*) AS n FROM tokenward_tokens').get()).toEqual({ n: 0 });
    expect(repository.database.prepare('SELECT COUNT(*) AS n FROM tokenward_events').get()).toEqual({ n: 0 });
    // Once the lock is gone the same service works without a restart.
    const issued = await service.issue({ name: 'after_outage' }, ANALYST);
    expect((await service.verify(issued.token)).tokenId).toBe(issued.info.id);
    await repository.close();
  });

  it('through the service: verify on a closed database fails closed with unavailable', async () => {
    const repository = sqliteRepository({ path: freshFile() });
    const { service } = makeHarness({ repository });
    const issued = await service.issue({ name: 'soon_closed' }, ANALYST);
    await repository.close();
    await expect(service.verify(issued.token)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('two services on one file: a token revoked through one is rejected by the other', async () => {
    const path = freshFile();
    const a = makeHarness({ repository: sqliteRepository({ path }) });
    const b = makeHarness({ repository: sqliteRepository({ path }) });
    const issued = await a.service.issue({ name: 'shared_file' }, ANALYST);
    expect((await b.service.verify(issued.token)).tokenId).toBe(issued.info.id);
    await a.service.revoke(issued.info.id, ANALYST);
    await expect(b.service.verify(issued.token)).rejects.toMatchObject({ code: 'token_revoked' });
    await a.repository.close?.();
    await b.repository.close?.();
  });
});

describe('sqlite repository: no secrets at rest', () => {
  it('stores only the keyed hash of a secret, never the secret or an encoding of it', async () => {
    const path = freshFile();
    const repository = sqliteRepository({ path });
    const pepper = randomBytes(32);
    const secrets = [randomBytes(24).toString('base64url'), randomBytes(24).toString('base64url')];
    const hash = (secret: string): string => createHmac('sha256', pepper).update(secret).digest('base64url');
    const record = token({ secretHash: hash(secrets[0]!) });
    await repository.insert(record, { now: T0 });
    await repository.update(record.id, 1, {
      secretHash: hash(secrets[1]!),
      previousSecretHash: record.secretHash,
      previousPepperVersion: 1,
      previousExpiresAt: T0 + 1000,
      rotatedAt: T0 + 1,
    });
    const dump = dumpTables(repository.database);
    expect(dump).toContain(hash(secrets[0]!));
    expect(dump).toContain(hash(secrets[1]!));
    for (const secret of secrets) {
      for (const encoded of secretEncodings(secret))
        expect(dump.includes(encoded), 'a secret encoding is in the dump').toBe(false);
    }
    await repository.close();
  });

  it('after issue, rotate, share, claim and sign-out through the service, neither the tables nor the file bytes hold a token', async () => {
    const path = freshFile();
    const repository = sqliteRepository({ path });
    const h = await sessionHarness({ repository });
    h.users.acme!.keeper = { grants: 'all' };
    const format = opaqueFormat('acme');
    const tokens: string[] = [];
    const first = await h.service.issue({ name: 'dump_me', comment: 'a comment' }, ANALYST);
    tokens.push(first.token);
    tokens.push((await h.service.rotate(first.info.id, ANALYST, { gracePeriod: '1h' })).token);
    const second = await h.service.issue({ name: 'share_me' }, ANALYST);
    tokens.push(second.token);
    const { code } = await h.service.share(second.info.id, ANALYST);
    tokens.push((await h.service.claim(code)).token);
    const master = await h.service.ensureMasterToken({ tenant: 'acme', user: 'keeper' });
    if (master.created) tokens.push(master.token);
    const { code: pending } = await h.service.share(first.info.id, ANALYST);
    const session = await h.service.exchange(tokens[1]!, { ttl: '10m' });
    await h.service.revoke(session.sessionId, { principal: await h.service.verify(session.token) });

    const forbidden = new Set<string>();
    for (const text of [code, pending, session.token])
      for (const encoded of secretEncodings(text)) forbidden.add(encoded);
    for (const issued of tokens) {
      const parsed = await format.parse(issued);
      expect(parsed).not.toBeNull();
      for (const encoded of [...secretEncodings(issued), ...secretEncodings(parsed!.secret)]) forbidden.add(encoded);
    }
    const dump = dumpTables(repository.database);
    expect(dump).toContain(first.info.id);
    expect(dump).toContain(session.sessionId);
    expect(dump).toContain((await repository.findById(first.info.id))!.secretHash);
    for (const secret of forbidden) expect(dump.includes(secret), `the dump holds ${secret.slice(0, 4)}…`).toBe(false);

    // The raw bytes of the database and its write-ahead log, free pages included.
    repository.database.pragma('wal_checkpoint(PASSIVE)');
    const bytes = [path, `${path}-wal`]
      .map((file) => {
        try {
          return readFileSync(file).toString('latin1');
        } catch {
          return '';
        }
      })
      .join('');
    expect(bytes).toContain(first.info.id);
    for (const secret of forbidden) expect(bytes.includes(secret), `the file holds ${secret.slice(0, 4)}…`).toBe(false);
    await repository.close();
  });
});
