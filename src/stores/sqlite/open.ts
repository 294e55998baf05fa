/**
 * @internal Opening the database of `sqliteRepository`: the folder of
 * `options.path` is created if missing, and a file that cannot be opened or
 * used is a `TokenError` naming the option, never the driver's raw error.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { invalid, TokenError } from '../../core/errors.js';
import { readField } from '../../core/input.js';
import { optionsObject, withMethods } from '../../core/options.js';
import { migrate } from './schema.js';

/** Driver codes that say the file itself is wrong (not a database, not ours to write, damaged). */
const BAD_FILE = /^SQLITE_(CANTOPEN|NOTADB|PERM|READONLY|CORRUPT|AUTH)/;

/** The option a failure is about, with the path when there is one (paths are not secret). */
type Source = { readonly field: 'options.path'; readonly path: string } | { readonly field: 'options.database' };

function badSource(source: Source, what: string, cause: unknown): TokenError {
  const subject = source.field === 'options.path' ? `options.path ${JSON.stringify(source.path)}` : source.field;
  return new TokenError('invalid_request', `${subject} ${what}`, { field: source.field, cause });
}

/** Opens the database file at `path`, creating its folder (and any missing parents) first. */
export function openDatabaseFile(path: string): Database.Database {
  const source: Source = { field: 'options.path', path };
  if (path !== ':memory:') {
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw badSource(source, `is in a folder that cannot be created (${String(code ?? 'error')})`, error);
    }
  }
  try {
    return new Database(path);
  } catch (error) {
    throw badSource(source, 'cannot be opened as a SQLite database', error);
  }
}

/**
 * What a failure while preparing the database (pragmas, migrations) means:
 * a wrong file (not a database, read-only, damaged) is
 * `TokenError('invalid_request')` naming the option; any other driver error
 * (a lock held past the busy timeout, a full disk) is
 * `TokenError('unavailable')`. Anything else, such as the refusal of a
 * schema newer than this release, is passed on as it is.
 */
export function explainOpenFailure(error: unknown, path: string | undefined): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const source: Source = path === undefined ? { field: 'options.database' } : { field: 'options.path', path };
  if (BAD_FILE.test(code)) return badSource(source, `cannot be used as a SQLite database (${code})`, error);
  return new TokenError('unavailable', `the SQLite database could not be prepared (${code})`, { cause: error });
}

/** The options every SQLite store takes: a file or a connection, and how long a change waits for the lock. */
export interface SqliteStoreOptions {
  readonly path?: string;
  readonly database?: Database.Database;
  readonly busyTimeoutMs?: number;
}

/**
 * Options one kind of store takes beyond those every SQLite store takes
 * (the repository's `spendTimeoutMs`): their names, and their check, run
 * with the others before anything is opened.
 */
export interface MoreOptions<E> {
  readonly keys: readonly string[];
  check(fields: Readonly<Record<string, unknown>>, busyTimeoutMs: number): E;
}

interface CheckedOptions<E> {
  readonly path?: string;
  readonly database?: Database.Database;
  readonly busyTimeoutMs: number;
  readonly more: E;
}

function checkOptions<E>(options: unknown, more: MoreOptions<E> | undefined): CheckedOptions<E> {
  // Each option read once (own keys only): the checks and the store use this copy.
  const fields =
    options === undefined
      ? {}
      : optionsObject(options, 'options', ['path', 'database', 'busyTimeoutMs', ...(more?.keys ?? [])]);
  const { path, database, busyTimeoutMs = 1000 } = fields;
  if ((path === undefined) === (database === undefined)) {
    throw invalid('options', 'needs exactly one of path and database');
  }
  if (path !== undefined && (typeof path !== 'string' || path.length === 0)) {
    throw invalid('options.path', 'must be a non-empty string');
  }
  if (database !== undefined) {
    withMethods(database, 'options.database', ['prepare', 'transaction'], 'a better-sqlite3 Database');
    if (readField(database as object, 'open', 'options.database.open') !== true) {
      throw invalid('options.database', 'must be an open connection');
    }
  }
  if (typeof busyTimeoutMs !== 'number' || !Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw invalid('options.busyTimeoutMs', 'must be a whole number of milliseconds, 0 or more');
  }
  return {
    ...(path === undefined ? {} : { path: path as string }),
    ...(database === undefined ? {} : { database: database as Database.Database }),
    busyTimeoutMs,
    more: more?.check(fields, busyTimeoutMs) as E,
  };
}

/**
 * Checks the options of a SQLite store, opens its file (or takes the given
 * connection), sets the busy timeout (and WAL for a file it opened) and
 * brings the schema up to date. `owned`: the store opened the connection
 * and closes it on `close()`.
 */
export function openSqliteStore<E = undefined>(
  options: SqliteStoreOptions,
  moreOptions?: MoreOptions<E>,
): {
  db: Database.Database;
  owned: boolean;
  busyTimeoutMs: number;
  more: E;
} {
  const { path, database, busyTimeoutMs, more } = checkOptions(options, moreOptions);
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
  return { db, owned, busyTimeoutMs, more };
}
