/**
 * @internal The statements of the SQLite store, each prepared once per
 * connection, and a cache for the few whose text depends on the call.
 */
import type Database from 'better-sqlite3';
import { CLAIM_COLUMNS, EVENT_COLUMNS, INSERT_EVENT, INSERT_TOKEN, TOKEN_COLUMNS } from './rows.js';

const LIVE = 'revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)';

/** Prepares `sql` so that numbers stay JavaScript numbers even if the connection defaults to BigInt. */
export type Prepare = (sql: string) => Database.Statement;

export function preparer(db: Database.Database): Prepare {
  return (sql) => {
    const statement = db.prepare(sql);
    return statement.reader ? statement.safeIntegers(false) : statement;
  };
}

/** Fixed statements that return token rows: run in raw mode, each row an array for `toRecord`. */
const TOKEN_READS = new Set([
  'findById',
  'liveMaster',
  'byName',
  'revoke',
  'revokeOwner',
  'byLookupHash',
  'dueWarnings',
]);

/** The text of each fixed statement of the store. */
const STATEMENTS = {
  findById: `SELECT ${TOKEN_COLUMNS} FROM tokenward_tokens WHERE id = ?`,
  exists: 'SELECT 1 FROM tokenward_tokens WHERE id = ?',
  liveName: `SELECT 1 FROM tokenward_tokens WHERE tenant = ? AND owner IS ? AND name = ? AND ${LIVE} LIMIT 1`,
  liveCount: `SELECT COUNT(*) AS count FROM tokenward_tokens WHERE tenant = ? AND owner = ? AND type <> 'master' AND ${LIVE}`,
  liveMaster: `SELECT ${TOKEN_COLUMNS} FROM tokenward_tokens
     WHERE tenant = ? AND owner = ? AND type = 'master' AND ${LIVE}
     ORDER BY created_at DESC, id DESC LIMIT 1`,
  // Unrevoked first: a name is reused only after its holder died, so the
  // live holder, if any, is the newest unrevoked one (see memory store).
  byName: `SELECT ${TOKEN_COLUMNS} FROM tokenward_tokens WHERE tenant = ? AND owner IS ? AND name = ?
     ORDER BY revoked_at IS NULL DESC, created_at DESC, id DESC LIMIT 1`,
  insertToken: INSERT_TOKEN,
  insertEvent: INSERT_EVENT,
  revoke: `UPDATE tokenward_tokens SET revoked_at = ?, version = version + 1 WHERE id = ? AND revoked_at IS NULL
     RETURNING ${TOKEN_COLUMNS}`,
  revokeOwner: `UPDATE tokenward_tokens SET revoked_at = ?, version = version + 1
     WHERE tenant = ? AND owner = ? AND revoked_at IS NULL AND (type <> 'master' OR ?)
     RETURNING ${TOKEN_COLUMNS}`,
  touch: 'UPDATE tokenward_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
  purgeClaims: 'DELETE FROM tokenward_claims WHERE token_id IN (SELECT id FROM tokenward_tokens WHERE expires_at < ?)',
  purgeTokens: 'DELETE FROM tokenward_tokens WHERE expires_at < ?',
  insertClaim:
    'INSERT INTO tokenward_claims (code_hash, token_id, tenant, created_at, expires_at, created_by) VALUES (?, ?, ?, ?, ?, ?)',
  consumeClaim: `DELETE FROM tokenward_claims WHERE code_hash = ? AND expires_at > ? RETURNING ${CLAIM_COLUMNS}`,
  upsertPolicy: `INSERT INTO tokenward_policies (tenant, kind, name, max_ttl, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (tenant, kind, name) DO UPDATE SET max_ttl = excluded.max_ttl, updated_at = excluded.updated_at`,
  deletePolicy: 'DELETE FROM tokenward_policies WHERE tenant = ? AND kind = ? AND name = ?',
  policiesFor: `SELECT tenant, kind, name, max_ttl AS maxTtl, updated_at AS updatedAt FROM tokenward_policies
     WHERE tenant = ? AND ((kind = 'user' AND name = ?) OR (kind = 'role' AND name IN (SELECT value FROM json_each(?))))`,
  eventsFirst: `SELECT ${EVENT_COLUMNS} FROM tokenward_events WHERE token_id = ? ORDER BY at DESC, id DESC LIMIT ?`,
  eventsAfter: `SELECT ${EVENT_COLUMNS} FROM tokenward_events WHERE token_id = ? AND (at, id) < (?, ?)
     ORDER BY at DESC, id DESC LIMIT ?`,
  pruneEvents: 'DELETE FROM tokenward_events WHERE at < ?',
  // Issue 13: renames, imported keys, expiry warnings.
  nameHeld: `SELECT 1 FROM tokenward_tokens o JOIN tokenward_tokens t ON o.tenant = t.tenant AND o.owner IS t.owner
     WHERE t.id = ? AND t.version = ? AND t.revoked_at IS NULL
       AND o.name = ? AND o.id <> t.id AND o.revoked_at IS NULL LIMIT 1`,
  byLookupHash: `SELECT ${TOKEN_COLUMNS} FROM tokenward_tokens
     WHERE lookup_hash IN (SELECT value FROM json_each(?)) LIMIT 1`,
  dueWarnings: `SELECT ${TOKEN_COLUMNS} FROM tokenward_tokens t
     WHERE revoked_at IS NULL AND enabled = 1 AND expires_at > ? AND expires_at <= ?
       AND NOT EXISTS (SELECT 1 FROM tokenward_expiry_warnings w
         WHERE w.token_id = t.id AND w.within = ? AND w.expires_at = t.expires_at)
     ORDER BY expires_at, id LIMIT ?`,
  insertWarning: 'INSERT INTO tokenward_expiry_warnings (token_id, within, expires_at, warned_at) VALUES (?, ?, ?, ?)',
  purgeWarnings: 'DELETE FROM tokenward_expiry_warnings WHERE expires_at < ?',
};

/** The fixed statements of one connection, each prepared once. */
export type Statements = Record<keyof typeof STATEMENTS, Database.Statement>;

export function prepareStatements(prepare: Prepare): Statements {
  const prepared: Partial<Statements> = {};
  for (const [name, sql] of Object.entries(STATEMENTS)) {
    const statement = prepare(sql);
    prepared[name as keyof Statements] = TOKEN_READS.has(name) ? statement.raw(true) : statement;
  }
  return prepared as Statements;
}

/**
 * A cache of statements that return token rows (in raw mode) and whose text
 * is built per call, by the set of changed fields or the filters of a list.
 * Keys are the statement texts' few shapes, so the cache stays small.
 */
export function tokenStatementCache(prepare: Prepare): (key: string, build: () => string) => Database.Statement {
  const dynamic = new Map<string, Database.Statement>();
  return (key, build) => {
    let statement = dynamic.get(key);
    if (statement === undefined) {
      statement = prepare(build()).raw(true);
      dynamic.set(key, statement);
    }
    return statement;
  };
}
