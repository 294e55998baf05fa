/**
 * @internal The SQLite schema as ordered migration steps. A database records
 * every step it has taken in `tokenward_schema_version`; opening a database
 * applies the missing steps, in order, in one `BEGIN IMMEDIATE` transaction,
 * so several processes opening one file at once migrate it exactly once.
 * Steps are append-only: never edit a released step, add a new one.
 */
import type { Database } from 'better-sqlite3';

/** One forward step of the schema. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/** Every step, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'tokens, events, claims and duration policies',
    sql: `
      CREATE TABLE tokenward_tokens (
        id TEXT PRIMARY KEY NOT NULL,
        tenant TEXT NOT NULL,
        type TEXT NOT NULL CHECK (type IN ('administrative', 'personal', 'master', 'limited')),
        owner TEXT,
        name TEXT NOT NULL,
        comment TEXT NOT NULL,
        grants TEXT,
        secret_hash TEXT NOT NULL,
        pepper_version INTEGER NOT NULL,
        previous_secret_hash TEXT,
        previous_pepper_version INTEGER,
        previous_expires_at INTEGER,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        rotated_at INTEGER,
        last_used_at INTEGER,
        created_by TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX tokenward_tokens_by_name ON tokenward_tokens (tenant, owner, name);
      CREATE INDEX tokenward_tokens_by_expiry ON tokenward_tokens (expires_at) WHERE expires_at IS NOT NULL;

      CREATE TABLE tokenward_events (
        id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        operation TEXT NOT NULL,
        detail TEXT,
        at INTEGER NOT NULL
      );
      CREATE INDEX tokenward_events_by_token ON tokenward_events (token_id, at, id);

      CREATE TABLE tokenward_claims (
        code_hash TEXT PRIMARY KEY NOT NULL,
        token_id TEXT NOT NULL,
        tenant TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE INDEX tokenward_claims_by_token ON tokenward_claims (token_id);

      CREATE TABLE tokenward_policies (
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'role')),
        name TEXT NOT NULL,
        max_ttl INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant, kind, name)
      );
    `,
  },
  {
    version: 2,
    description: 'indexes for listing newest first and for pruning events',
    sql: `
      CREATE INDEX tokenward_tokens_by_tenant ON tokenward_tokens (tenant, created_at, id);
      CREATE INDEX tokenward_tokens_by_owner ON tokenward_tokens (tenant, owner, created_at, id);
      CREATE INDEX tokenward_events_by_time ON tokenward_events (at);
    `,
  },
  {
    version: 3,
    description: 'the store-backed directory: users, roles and the directory audit log',
    // Names sort by SQLite's BINARY collation: code-point order of UTF-8, as the directory lists them.
    // The foreign keys document the model; the store checks them itself inside its transactions,
    // since SQLite enforces them only on connections that turned them on.
    sql: `
      CREATE TABLE tokenward_directory_users (
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        admin INTEGER NOT NULL CHECK (admin IN (0, 1)),
        active INTEGER NOT NULL CHECK (active IN (0, 1)),
        grants TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (tenant, name)
      );

      CREATE TABLE tokenward_directory_roles (
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        grants TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (tenant, name)
      );

      CREATE TABLE tokenward_directory_user_roles (
        tenant TEXT NOT NULL,
        user_name TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (tenant, user_name, role),
        FOREIGN KEY (tenant, user_name) REFERENCES tokenward_directory_users (tenant, name) ON DELETE CASCADE,
        FOREIGN KEY (tenant, role) REFERENCES tokenward_directory_roles (tenant, name)
      );
      CREATE INDEX tokenward_directory_user_roles_by_role ON tokenward_directory_user_roles (tenant, role, user_name);

      CREATE TABLE tokenward_directory_audit (
        id TEXT PRIMARY KEY NOT NULL,
        tenant TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        changes TEXT NOT NULL
      );
      CREATE INDEX tokenward_directory_audit_by_time ON tokenward_directory_audit (tenant, at, id);
`,
  },
  {
    version: 4,
    description: 'rate limits and usage credits of tokens, and signed-out sessions',
    sql: `
      -- The meter (rate limits, credits, refill) as JSON; NULL for a token without one.
      ALTER TABLE tokenward_tokens ADD COLUMN meter TEXT;
      -- The buckets of its rate limits ({"levels": [...], "at": ms}); NULL until the first spend.
      ALTER TABLE tokenward_tokens ADD COLUMN ratelimit_state TEXT;
      -- refillCredits: tokens whose next refill has come due.
      CREATE INDEX tokenward_tokens_by_refill ON tokenward_tokens (
        (json_extract(meter, '$.lastRefillAt') + json_extract(meter, '$.refill.interval'))
      ) WHERE json_extract(meter, '$.refill.interval') IS NOT NULL;

      CREATE TABLE tokenward_revoked_sessions (
        id TEXT PRIMARY KEY NOT NULL,
        tenant TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX tokenward_revoked_sessions_by_expiry ON tokenward_revoked_sessions (expires_at);
    `,
  },
  {
    version: 5,
    description: 'token metadata, enable/disable, imported keys and expiry-warning markers',
    sql: `
      ALTER TABLE tokenward_tokens ADD COLUMN meta TEXT;
      ALTER TABLE tokenward_tokens ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1));
      ALTER TABLE tokenward_tokens ADD COLUMN lookup_hash TEXT;
      CREATE UNIQUE INDEX tokenward_tokens_by_lookup_hash ON tokenward_tokens (lookup_hash)
        WHERE lookup_hash IS NOT NULL;
      CREATE INDEX tokenward_tokens_by_tenant_expiry ON tokenward_tokens (tenant, expires_at, id)
        WHERE expires_at IS NOT NULL;

      CREATE TABLE tokenward_expiry_warnings (
        token_id TEXT NOT NULL,
        within INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        warned_at INTEGER NOT NULL,
        PRIMARY KEY (token_id, within, expires_at)
      );
      CREATE INDEX tokenward_expiry_warnings_by_expiry ON tokenward_expiry_warnings (expires_at);
    `,
  },
];

/** The version a database has after every known step. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The schema version of `db`: 0 for a database tokenward has never opened. */
export function schemaVersion(db: Database): number {
  const table = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tokenward_schema_version'")
    .get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM tokenward_schema_version').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

/**
 * Brings `db` up to `target` (default: the latest version). Refuses a
 * database whose schema is newer than this code knows: running old code on
 * it could corrupt data written by the newer version.
 */
export function migrate(db: Database, target: number = LATEST_SCHEMA_VERSION, now: () => number = Date.now): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS tokenward_schema_version (
      version INTEGER PRIMARY KEY NOT NULL,
      description TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
    const current = schemaVersion(db);
    // Versions are applied by which ones are missing, not by the highest one: a database may
    // have taken a later step first (builds that merged independent steps in another order).
    const done = new Set(
      (db.prepare('SELECT version FROM tokenward_schema_version').all() as { version: number }[]).map(
        (row) => row.version,
      ),
    );
    if (current > LATEST_SCHEMA_VERSION) {
      throw new Error(
        `tokenward: the database schema is at version ${current}, newer than this version of tokenward supports (${LATEST_SCHEMA_VERSION}); upgrade tokenward`,
      );
    }
    const record = db.prepare(
      'INSERT INTO tokenward_schema_version (version, description, applied_at) VALUES (?, ?, ?)',
    );
    for (const step of MIGRATIONS) {
      if (done.has(step.version) || step.version > target) continue;
      db.exec(step.sql);
      record.run(step.version, step.description, now());
    }
  }).immediate();
}
