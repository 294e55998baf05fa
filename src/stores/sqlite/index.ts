/**
 * `tokenward/sqlite`: a file-backed token repository on better-sqlite3, the
 * embedded store of the demo and the CLI.
 */
import type Database from 'better-sqlite3';
import { TokenError } from '../../core/errors.js';
import { expectKeys, invalid } from '../../core/input.js';
import type {
  EventQuery,
  InsertLimits,
  ListQuery,
  RecordChange,
  TokenRepository,
  TokenUse,
} from '../../core/repository.js';
import type { ClaimRecord, DurationPolicy, PolicySubject, TokenEvent, TokenRecord } from '../../core/types.js';
import { checkPageLimit, decodeOptionalCursor, encodeCursor } from '../shared/paging.js';
import { explainOpenFailure, openDatabaseFile } from './open.js';
import {
  claimParams,
  eventParams,
  type PolicyRow,
  TOKEN_COLUMNS,
  type TokenRow,
  toEvent,
  tokenParams,
  toPolicy,
  toRecord,
} from './rows.js';
import { LATEST_SCHEMA_VERSION, migrate } from './schema.js';
import { preparer, prepareStatements, statementCache } from './statements.js';
import { sqliteTransactions } from './transaction.js';

/** Where the repository keeps its tokens, and how it waits for a busy file. */
export type SqliteRepositoryOptions = (
  | {
      /** A database file, created if missing; the repository opens it and closes it on `close()`. */
      readonly path: string;
    }
  | {
      /**
       * A connection you opened yourself. Its journal mode is left as you set
       * it (WAL is recommended for files), and `close()` leaves it open.
       */
      readonly database: Database.Database;
    }
) & {
  /**
   * How long a change (issue, rotate, revoke, …) waits for another
   * connection's write lock, in ms (default 1000). better-sqlite3 is
   * synchronous, so the event loop waits with it; past it the call fails
   * (`SQLITE_BUSY`, which the service answers with `unavailable`) and
   * nothing is written. Last-used writes never wait, whatever this is.
   */
  readonly busyTimeoutMs?: number;
};

/** The SQLite repository: a `TokenRepository` plus the connection it works on. */
export interface SqliteTokenRepository extends TokenRepository {
  /** The connection, for backups, inspection and benchmarks. Do not write to tokenward's tables. */
  readonly database: Database.Database;
  /** Closes the connection if the repository opened it (idempotent). */
  close(): Promise<void>;
}

/** The schema version `sqliteRepository` migrates databases to. */
export const SQLITE_SCHEMA_VERSION: number = LATEST_SCHEMA_VERSION;

const CHANGE_COLUMNS: ReadonlyArray<readonly [keyof RecordChange, string]> = [
  ['comment', 'comment'],
  ['secretHash', 'secret_hash'],
  ['pepperVersion', 'pepper_version'],
  ['previousSecretHash', 'previous_secret_hash'],
  ['previousPepperVersion', 'previous_pepper_version'],
  ['previousExpiresAt', 'previous_expires_at'],
  ['rotatedAt', 'rotated_at'],
];

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Opens (and creates or migrates) a SQLite token store.
 *
 * Files are opened in WAL mode with a busy timeout, so readers never block
 * the writer and several processes can share one file; the folder of `path`
 * is created if missing. The schema is created or migrated forward on open
 * (`tokenward_schema_version` records each step). Every change runs in a
 * `BEGIN IMMEDIATE` transaction, which takes the write lock before the
 * first read, so checks and writes cannot interleave with another
 * connection's: the per-owner cap, one master per user, compare-and-set
 * rotation and single-use claims hold across processes. Driver errors (for
 * example `SQLITE_BUSY` after the timeout) are thrown as they are; the
 * service turns them into `unavailable`.
 *
 * better-sqlite3 is synchronous: each call blocks the event loop for the
 * time SQLite takes, typically microseconds for lookups, and a change
 * waiting for another connection's lock blocks it up to `busyTimeoutMs`.
 * Last-used writes (`touch`, `touchMany`) never wait: with the lock taken
 * they fail at once with `SQLITE_BUSY` (the service retries them later).
 *
 * @throws TokenError `invalid_request` for bad options (`details.field`
 * names the option), for a `path` whose folder cannot be created or that is
 * not a SQLite database (`options.path`), or a given connection on such a
 * file (`options.database`); `unavailable` when the file stays locked past
 * `busyTimeoutMs` or fails while it is prepared. An `Error` when the file's
 * schema is newer than this release.
 *
 * @example
 * ```ts
 * import { createTokenService } from 'tokenward';
 * import { sqliteRepository } from 'tokenward/sqlite';
 *
 * const repository = sqliteRepository({ path: './tokens.sqlite' });
 * const tokens = createTokenService({ repository, … });
 * // on shutdown
 * await repository.close();
 * ```
 */
export function sqliteRepository(options: SqliteRepositoryOptions): SqliteTokenRepository {
  const { path, database, busyTimeoutMs } = checkOptions(options);
  const owned = path !== undefined;
  const db = path !== undefined ? openDatabaseFile(path) : database!;
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    if (owned) db.pragma('journal_mode = WAL');
    migrate(db);
  } catch (error) {
    if (owned) db.close();
    throw explainOpenFailure(error, path);
  }
  return createRepository(db, owned, busyTimeoutMs);
}

function checkOptions(options: unknown): { path?: string; database?: Database.Database; busyTimeoutMs: number } {
  const fields = expectKeys(options, 'options', ['path', 'database', 'busyTimeoutMs']);
  const { path, database, busyTimeoutMs = 1000 } = fields;
  if ((path === undefined) === (database === undefined)) {
    throw invalid('options', 'needs exactly one of path and database');
  }
  if (path !== undefined && (typeof path !== 'string' || path.length === 0)) {
    throw invalid('options.path', 'must be a non-empty string');
  }
  if (database !== undefined) {
    const candidate = database as Partial<Database.Database> | null;
    if (typeof candidate?.prepare !== 'function' || typeof candidate.transaction !== 'function') {
      throw invalid('options.database', 'must be a better-sqlite3 Database');
    }
    if (candidate.open !== true) throw invalid('options.database', 'must be an open connection');
  }
  if (typeof busyTimeoutMs !== 'number' || !Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw invalid('options.busyTimeoutMs', 'must be a whole number of milliseconds, 0 or more');
  }
  return {
    ...(path === undefined ? {} : { path: path as string }),
    ...(database === undefined ? {} : { database: database as Database.Database }),
    busyTimeoutMs,
  };
}

function createRepository(db: Database.Database, owned: boolean, busyTimeoutMs: number): SqliteTokenRepository {
  const prepare = preparer(db);
  const sql = prepareStatements(prepare);
  const cached = statementCache(prepare);
  const transactions = sqliteTransactions(db, prepare, busyTimeoutMs);
  /** `work` as one `BEGIN IMMEDIATE` transaction: checks and writes under one write lock. */
  const locked =
    <A extends unknown[], R>(work: (...args: A) => R) =>
    (...args: A): R =>
      transactions.run(() => work(...args));
  /** Last-used writes: one transaction per batch, failing at once if another writer holds the lock. */
  const touchAll = (uses: readonly TokenUse[]): void =>
    transactions.runWithoutWaiting(() => {
      for (const use of uses) sql.touch.run(use.at, use.id, use.at);
    });

  const writeEvent = (event: TokenEvent | undefined): void => {
    if (event !== undefined) sql.insertEvent.run(eventParams(event));
  };

  const insertTx = locked((record: TokenRecord, limits: InsertLimits, event: TokenEvent | undefined) => {
    if (sql.exists.get(record.id) !== undefined)
      throw new TokenError('conflict', 'A token with this id exists already.');
    if (sql.liveName.get(record.tenant, record.owner, record.name, limits.now) !== undefined) {
      throw new TokenError('conflict', 'A live token with this name exists already.');
    }
    const cap = limits.maxLivePerOwner;
    if (cap !== undefined && record.owner !== null) {
      const { count } = sql.liveCount.get(record.tenant, record.owner, limits.now) as { count: number };
      if (count >= cap) throw new TokenError('limit_exceeded', 'The owner has too many active tokens.', { limit: cap });
    }
    sql.insertToken.run(tokenParams(record));
    writeEvent(event);
  });

  const insertMasterTx = locked((record: TokenRecord, event: TokenEvent | undefined) => {
    const existing = sql.liveMaster.get(record.tenant, record.owner, record.createdAt) as TokenRow | undefined;
    if (existing !== undefined) return { created: false, record: toRecord(existing) };
    if (sql.exists.get(record.id) !== undefined)
      throw new TokenError('conflict', 'A token with this id exists already.');
    sql.insertToken.run(tokenParams(record));
    writeEvent(event);
    return { created: true, record: toRecord(sql.findById.get(record.id) as TokenRow) };
  });

  const updateTx = locked(
    (id: string, expectedVersion: number, change: RecordChange, event: TokenEvent | undefined) => {
      const fields = CHANGE_COLUMNS.filter(([field]) => change[field] !== undefined);
      const statement = cached(`update:${fields.map(([field]) => field).join(',')}`, () => {
        const sets = [...fields.map(([, column]) => `${column} = ?`), 'version = version + 1'];
        return `UPDATE tokenward_tokens SET ${sets.join(', ')} WHERE id = ? AND version = ? AND revoked_at IS NULL
          RETURNING ${TOKEN_COLUMNS}`;
      });
      const row = statement.get(...fields.map(([field]) => change[field]), id, expectedVersion) as TokenRow | undefined;
      if (row === undefined) return null;
      writeEvent(event);
      return toRecord(row);
    },
  );

  const revokeTx = locked((id: string, at: number, event: TokenEvent | undefined) => {
    const row = sql.revoke.get(at, id) as TokenRow | undefined;
    if (row === undefined) return null;
    writeEvent(event);
    return toRecord(row);
  });

  const revokeOwnerTx = locked(
    (
      tenant: string,
      owner: string,
      at: number,
      includeMaster: boolean,
      event?: (record: TokenRecord) => TokenEvent,
    ) => {
      const rows = sql.revokeOwner.all(at, tenant, owner, includeMaster ? 1 : 0) as TokenRow[];
      if (event !== undefined) for (const row of rows) writeEvent(event(toRecord(row)));
      return rows.length;
    },
  );

  const purgeTx = locked((before: number) => {
    sql.purgeClaims.run(before);
    return sql.purgeTokens.run(before).changes;
  });

  const insertClaimTx = locked((claim: ClaimRecord, event: TokenEvent | undefined) => {
    try {
      sql.insertClaim.run(claimParams(claim));
    } catch (error) {
      if (isUniqueViolation(error)) throw new TokenError('conflict', 'This claim exists already.');
      throw error;
    }
    writeEvent(event);
  });

  return {
    database: db,

    async insert(record, limits, event) {
      try {
        insertTx(record, limits, event);
      } catch (error) {
        // The explicit id check makes this rare; it covers an id inserted by
        // a connection that does not use tokenward's checks.
        if (isUniqueViolation(error)) throw new TokenError('conflict', 'A token with this id exists already.');
        throw error;
      }
    },

    async insertMaster(record, event) {
      return insertMasterTx(record, event);
    },

    async findById(id) {
      const row = sql.findById.get(id) as TokenRow | undefined;
      return row === undefined ? null : toRecord(row);
    },

    async findByName(tenant, owner, name) {
      const row = sql.byName.get(tenant, owner, name) as TokenRow | undefined;
      return row === undefined ? null : toRecord(row);
    },

    async list(query: ListQuery) {
      checkPageLimit(query.limit);
      const cursor = decodeOptionalCursor(query.cursor);
      const where = ['tenant = ?'];
      const params: unknown[] = [query.tenant];
      if (query.owner === null) where.push('owner IS NULL');
      else if (query.owner !== undefined) {
        where.push('owner = ?');
        params.push(query.owner);
      }
      if (query.types !== undefined) {
        where.push('type IN (SELECT value FROM json_each(?))');
        params.push(JSON.stringify(query.types));
      }
      if (!query.includeRevoked) where.push('revoked_at IS NULL');
      if (!query.includeExpired) {
        where.push('(expires_at IS NULL OR expires_at > ?)');
        params.push(query.now);
      }
      if (cursor !== null) {
        where.push('(created_at, id) < (?, ?)');
        params.push(cursor.time, cursor.id);
      }
      const text = `SELECT ${TOKEN_COLUMNS} FROM tokenward_tokens WHERE ${where.join(' AND ')}
        ORDER BY created_at DESC, id DESC LIMIT ?`;
      const rows = cached(text, () => text).all(...params, query.limit + 1) as TokenRow[];
      const items = rows.slice(0, query.limit).map(toRecord);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > query.limit && last ? encodeCursor({ time: last.createdAt, id: last.id }) : null,
      };
    },

    async update(id, expectedVersion, change, event) {
      return updateTx(id, expectedVersion, change, event);
    },

    async revoke(id, at, event) {
      return revokeTx(id, at, event);
    },

    async revokeOwner(tenant, owner, at, options) {
      return revokeOwnerTx(tenant, owner, at, options.includeMaster, options.event);
    },

    async touch(id, at) {
      touchAll([{ id, at }]);
    },

    async touchMany(uses) {
      touchAll(uses);
    },

    async purgeExpired(before) {
      return purgeTx(before);
    },

    async insertClaim(claim, event) {
      insertClaimTx(claim, event);
    },

    async consumeClaim(codeHash, now) {
      return (sql.consumeClaim.get(codeHash, now) as ClaimRecord | undefined) ?? null;
    },

    async setPolicy(tenant: string, subject: PolicySubject, maxTtl: number | null, at: number) {
      if (maxTtl === null) sql.deletePolicy.run(tenant, subject.kind, subject.name);
      else sql.upsertPolicy.run(tenant, subject.kind, subject.name, maxTtl, at);
    },

    async policiesFor(tenant, user, roles): Promise<DurationPolicy[]> {
      return (sql.policiesFor.all(tenant, user, JSON.stringify(roles)) as PolicyRow[]).map(toPolicy);
    },

    async appendEvent(event) {
      writeEvent(event);
    },

    async listEvents(query: EventQuery) {
      checkPageLimit(query.limit);
      const cursor = decodeOptionalCursor(query.cursor);
      const rows = (
        cursor === null
          ? sql.eventsFirst.all(query.tokenId, query.limit + 1)
          : sql.eventsAfter.all(query.tokenId, cursor.time, cursor.id, query.limit + 1)
      ) as Parameters<typeof toEvent>[0][];
      const items = rows.slice(0, query.limit).map(toEvent);
      const last = items[items.length - 1];
      return {
        items,
        nextCursor: rows.length > query.limit && last ? encodeCursor({ time: last.at, id: last.id }) : null,
      };
    },

    async pruneEvents(before) {
      return sql.pruneEvents.run(before).changes;
    },

    async close() {
      if (owned && db.open) db.close();
    },
  };
}
