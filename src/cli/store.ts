/**
 * @internal The store the CLI works on, and the service over it: SQLite by
 * default (a file: `./tokenward.db` is created with its schema when missing,
 * a file named by `--db` only by `init`), or PostgreSQL for
 * a `postgres://` URL (migrated when behind). The drivers are optional
 * peers, loaded only here and only when needed: a missing one is a
 * `DriverMissing` error, which the CLI reports with how to install it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DirectoryStore } from '../core/directory-store.js';
import { invalid, isTokenError, TokenError } from '../core/errors.js';
import type { TokenRepository } from '../core/repository.js';
import { createTokenService } from '../service/index.js';
import type { TokenService } from '../service/token-service.js';
import type { Globals } from './args.js';
import { dbName, requireExistingSqlite } from './db-path.js';
import { DriverMissing, UsageError } from './exit.js';

/** An open store and the service over it. */
export interface Session {
  readonly service: TokenService;
  /** `sqlite` or `postgres`, and where (a file path, or the URL without its password). */
  readonly store: { readonly kind: 'sqlite' | 'postgres'; readonly location: string; readonly schemaVersion: number };
  close(): Promise<void>;
}

interface OpenedStore {
  readonly repository: TokenRepository;
  readonly directoryStore: DirectoryStore;
  readonly store: Session['store'];
  close(): Promise<void>;
}

/** True when `error` says `driver` itself could not be found (not a module it imports in turn). */
function isMissing(error: unknown, driver: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(`'${driver}'`)
  );
}

/** Loads a module that needs `driver`, turning its absence into `DriverMissing`. */
export async function withDriver<T>(driver: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isMissing(error, driver)) throw new DriverMissing(driver, error);
    throw error;
  }
}

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * The library's refusal of one of its options (`field`), said of what the
 * user set instead (`--db`, `TOKENWARD_PEPPER`): the message's subject and
 * `details.field` renamed, the rest (and the cause) kept.
 */
export function asSetting(error: unknown, field: (name: string) => boolean, setting: string): unknown {
  if (!isTokenError(error) || error.details.field === undefined || !field(error.details.field)) return error;
  const subject = /^\S+( version \d+)?/;
  return new TokenError(error.code, error.message.replace(subject, setting), {
    ...error.details,
    field: setting,
    cause: error.cause,
  });
}

async function openSqlite(path: string, refuseMissing: (path: string) => void, setting: string): Promise<OpenedStore> {
  const sqlite = await withDriver('better-sqlite3', () => import('../stores/sqlite/index.js'));
  refuseMissing(path);
  // Opening creates the file and its schema when missing, and migrates an older one.
  let repository: ReturnType<typeof sqlite.sqliteRepository>;
  try {
    repository = sqlite.sqliteRepository({ path });
  } catch (error) {
    throw asSetting(error, (field) => field === 'options.path', setting);
  }
  const directoryStore = sqlite.sqliteDirectoryStore({ database: repository.database });
  return {
    repository,
    directoryStore,
    store: { kind: 'sqlite', location: path, schemaVersion: sqlite.SQLITE_SCHEMA_VERSION },
    close: () => repository.close(),
  };
}

/**
 * Refuses a PostgreSQL URL that cannot be read (a port that is no number, a
 * `%` escape that is no escape): a usage error naming the setting, without
 * the URL (it may hold a password).
 *
 * @throws {UsageError}
 */
function checkPostgresUrl(url: string, setting: string, command: string): URL {
  try {
    const parsed = new URL(url);
    for (const part of [parsed.username, parsed.password, parsed.pathname]) decodeURIComponent(part);
    return parsed;
  } catch {
    throw new UsageError(
      `${setting} is not a valid PostgreSQL URL (postgres://user:password@host:port/database; a password's special characters %-encoded)`,
      command,
    );
  }
}

async function openPostgres(url: string, schema: string | undefined): Promise<OpenedStore> {
  const pg = await withDriver('pg', () => import('pg'));
  const postgres = await import('../stores/postgres/index.js');
  const location = schema === undefined ? {} : { schema };
  const pool = new pg.default.Pool({ connectionString: url, max: 4, ...postgres.postgresTimeouts() });
  // An idle connection lost meanwhile must not end the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await postgres.migrate(pool, location);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const shown = new URL(url);
  if (shown.password !== '') shown.password = '***';
  return {
    repository: postgres.postgresRepository({ pool, ...location }),
    directoryStore: postgres.postgresDirectoryStore({ pool, ...location }),
    store: { kind: 'postgres', location: shown.toString(), schemaVersion: postgres.SCHEMA_VERSION },
    close: () => pool.end(),
  };
}

/**
 * The pepper: `--pepper-file`, else `TOKENWARD_PEPPER`. Commands that make
 * or check no secret run without one (a random pepper of this process
 * only, which hashes nothing that is kept).
 */
function pepperOf(globals: Globals, env: Readonly<Record<string, string | undefined>>, needed: boolean): string {
  if (globals.pepperFile !== undefined) {
    try {
      return readFileSync(globals.pepperFile, 'utf8').trim();
    } catch {
      throw invalid('--pepper-file', 'cannot be read');
    }
  }
  const pepper = env.TOKENWARD_PEPPER;
  if (pepper !== undefined && pepper !== '') return pepper;
  if (needed) {
    throw invalid(
      'TOKENWARD_PEPPER',
      'is required for this command: set it, or give --pepper-file (tokenward init --generate-pepper makes one)',
    );
  }
  return randomBytes(32).toString('base64url');
}

/** What the command needs of the store: the pepper, and whether it may create a SQLite file (`init`). */
export interface SessionNeeds {
  readonly command: string;
  readonly pepper: boolean;
  readonly createsStore: boolean;
}

/**
 * Opens the store the command line names and makes the service over it.
 *
 * @throws {UsageError} a named SQLite file that does not exist, unless the command creates the store.
 */
export async function openSession(
  globals: Globals,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  needs: SessionNeeds,
): Promise<Session> {
  const pepper = pepperOf(globals, env, needs.pepper);
  const refuseMissing = (path: string) => requireExistingSqlite(globals, path, needs.createsStore, needs.command);
  if (isPostgresUrl(globals.db)) checkPostgresUrl(globals.db, dbName(globals), needs.command);
  const opened = isPostgresUrl(globals.db)
    ? await openPostgres(globals.db, globals.schema)
    : await openSqlite(resolve(cwd, globals.db.replace(/^sqlite:/, '')), refuseMissing, dbName(globals));
  try {
    const service = createTokenService({
      repository: opened.repository,
      directoryStore: opened.directoryStore,
      pepper,
      ...(globals.prefix === undefined ? {} : { prefix: globals.prefix }),
      defaultTenant: globals.tenant,
    });
    return { service, store: opened.store, close: opened.close };
  } catch (error) {
    await opened.close();
    const pepperSetting = globals.pepperFile === undefined ? 'TOKENWARD_PEPPER' : '--pepper-file';
    throw asSetting(error, (field) => field === 'pepper', pepperSetting);
  }
}
