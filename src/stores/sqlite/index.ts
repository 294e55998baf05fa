/**
 * `tokenward/sqlite`: a file-backed token repository on better-sqlite3, the
 * embedded store of the demo and the CLI.
 */
import type Database from 'better-sqlite3';
import { invalid } from '../../core/errors.js';
import type { TokenRepository } from '../../core/repository.js';
import { changeCalls, insertCalls, lookupCalls, sideTableCalls, sqliteCalls } from './calls.js';
import { warningCalls } from './expiry-warnings.js';
import { meterCalls } from './meters.js';
import { type MoreOptions, openSqliteStore } from './open.js';
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
  /**
   * How long the spend of a metered verification (rate limits, usage
   * credits: docs/limits.md) waits for another connection's write lock, in
   * ms (default 100, at most `busyTimeoutMs`). It runs on the verification
   * path and blocks the event loop while it waits; past it the verification
   * fails closed (`unavailable`). Tokens without a meter never wait.
   */
  readonly spendTimeoutMs?: number;
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
  const { db, owned, busyTimeoutMs, more } = openSqliteStore(options, SPEND_TIMEOUT);
  return createRepository(db, owned, busyTimeoutMs, more);
}

/** The repository's own option: how long a metered verification waits for the write lock (ms). */
const SPEND_TIMEOUT: MoreOptions<number> = {
  keys: ['spendTimeoutMs'],
  check(fields, busyTimeoutMs) {
    const { spendTimeoutMs = Math.min(100, busyTimeoutMs) } = fields;
    if (
      typeof spendTimeoutMs !== 'number' ||
      !Number.isSafeInteger(spendTimeoutMs) ||
      spendTimeoutMs < 0 ||
      spendTimeoutMs > busyTimeoutMs
    ) {
      throw invalid('options.spendTimeoutMs', 'must be a whole number of milliseconds from 0 to busyTimeoutMs');
    }
    return spendTimeoutMs;
  },
};

function createRepository(
  db: Database.Database,
  owned: boolean,
  busyTimeoutMs: number,
  spendTimeoutMs: number,
): SqliteTokenRepository {
  const calls = sqliteCalls(db, busyTimeoutMs);
  return {
    database: db,
    ...insertCalls(calls),
    ...lookupCalls(calls),
    ...changeCalls(calls),
    ...sideTableCalls(calls),
    ...meterCalls(calls, spendTimeoutMs),
    ...warningCalls(calls),
    async close() {
      if (owned && db.open) db.close();
    },
  };
}
