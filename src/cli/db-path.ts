/**
 * @internal What `--db` may name (outside review 3): a token pasted into
 * `--db` by mistake must not become a file named after the secret, nor be
 * echoed back; and a SQLite path that does not exist is a typo to report,
 * not an empty store to create, except for `init` and the default
 * `./tokenward.db`.
 */
import { existsSync } from 'node:fs';
import { AFTER_PREFIX, PREFIX } from '../core/token-shape.js';
import { CLAIM_CODE_LENGTH } from '../service/share.js';
import type { Globals } from './args.js';
import { UsageError } from './exit.js';

/**
 * The strings tokenward hands out, anywhere in a value: opaque tokens,
 * claim codes, and JWTs (tokens and sessions, with or without a prefix;
 * a JWT's header is base64url JSON, so it starts with `eyJ`).
 */
const TOKEN_LIKE: readonly RegExp[] = [
  new RegExp(`${PREFIX}${AFTER_PREFIX}`),
  new RegExp(`${PREFIX}_claim_[0-9A-Za-z]{${CLAIM_CODE_LENGTH}}`),
  /eyJ[\w-]*\.[\w-]+\.[\w-]*/,
];

/** True when `value` holds something shaped like a tokenward token, claim code or JWT. */
export function looksLikeToken(value: string): boolean {
  return TOKEN_LIKE.some((pattern) => pattern.test(value));
}

/**
 * The setting that named the store, as messages name it: `--db` or
 * `DATABASE_URL` (the default `./tokenward.db` counts as `--db`'s).
 */
export function dbName(globals: Globals): '--db' | 'DATABASE_URL' {
  return globals.dbSetting ?? '--db';
}

/**
 * Refuses a store setting that names nothing, for every command and
 * before anything is opened: an empty or blank value, and `sqlite:` with no
 * path after it (which would resolve to the current folder). A value that
 * looks like a token is refused too, and never shown. Messages name the
 * setting the user gave (`--db` or `DATABASE_URL`).
 *
 * @throws {UsageError}
 */
export function checkDbValue(globals: Globals, isPostgres: boolean, command: string): void {
  const setting = dbName(globals);
  if (globals.db.trim() === '') {
    throw new UsageError(`${setting} is empty: name a SQLite file or a postgres:// URL`, command);
  }
  if (isPostgres) return;
  if (/^sqlite:\s*$/.test(globals.db)) {
    throw new UsageError(
      `${setting} names no SQLite file after "sqlite:": give its path (sqlite:./tokenward.db)`,
      command,
    );
  }
  if (looksLikeToken(globals.db)) {
    const where = setting === '--db' ? 'the command line' : 'the environment';
    throw new UsageError(
      `${setting} looks like a token, not a database (the value is not shown): check ${where}`,
      command,
    );
  }
}

/**
 * Refuses a SQLite file that does not exist when `--db` (or `DATABASE_URL`)
 * named it and the command is not `init`: opening would create an empty
 * store and answer from it. The path is not shown: it may be a secret of a
 * shape not recognised above.
 *
 * @throws {UsageError}
 */
export function requireExistingSqlite(globals: Globals, path: string, creates: boolean, command: string): void {
  if (creates || globals.dbSetting === undefined || existsSync(path)) return;
  const setting = dbName(globals);
  throw new UsageError(
    `${setting} names a SQLite database that does not exist: create it with \`tokenward init --db <path>\`, or check ${setting}`,
    command,
  );
}
