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
 * Refuses a `--db` value that looks like a token, for every command (the
 * value is never shown). Its message names `--db` only.
 *
 * @throws {UsageError}
 */
export function refuseTokenLikeDb(globals: Globals, command: string): void {
  if (looksLikeToken(globals.db)) {
    throw new UsageError(
      '--db looks like a token, not a database (the value is not shown): check the command line',
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
  if (creates || !globals.dbNamed || existsSync(path)) return;
  throw new UsageError(
    '--db names a SQLite database that does not exist: create it with `tokenward init --db <path>`, or check the path',
    command,
  );
}
