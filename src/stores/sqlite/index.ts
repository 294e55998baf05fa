/**
 * `tokenward/sqlite`: a file-backed token repository on better-sqlite3, the
 * embedded store of the demo and the CLI.
 */
import type Database from 'better-sqlite3';
import type { TokenRepository } from '../../core/repository.js';
import { changeCalls, insertCalls, lookupCalls, sideTableCalls, sqliteCalls } from './calls.js';
import { openSqliteStore } from './open.js';
import { LATEST_SCHEMA_VERSION } from './schema.js';

export { type SqliteDirectoryOptions, type SqliteDirectoryStore, sqliteDirectoryStore } from './directory.js';

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
  const { db, owned, busyTimeoutMs } = openSqliteStore(options);
  return createRepository(db, owned, busyTimeoutMs);
}

function createRepository(db: Database.Database, owned: boolean, busyTimeoutMs: number): SqliteTokenRepository {
  const calls = sqliteCalls(db, busyTimeoutMs);
  return {
    database: db,
    ...insertCalls(calls),
    ...lookupCalls(calls),
    ...changeCalls(calls),
    ...sideTableCalls(calls),
    async close() {
      if (owned && db.open) db.close();
    },
  };
}
