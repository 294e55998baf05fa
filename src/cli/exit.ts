/**
 * @internal The `tokenward` CLI's exit codes (docs/cli.md) and how an error
 * is reported: a `TokenError` by its code and message on stderr, a
 * statement error with its file, line and column, never a stack or a secret.
 */
import { isTokenError, type TokenErrorCode } from '../core/errors.js';
import { StatementError } from '../sql/errors.js';
import { OutputClosed } from './io.js';

/** Every exit code of the CLI. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The command failed: a `TokenError` (its code on stderr) or an unexpected error. */
  failed: 1,
  /** The command line is wrong: an unknown command or option, a missing or extra argument. */
  usage: 2,
  /** The token is not valid (`token_invalid`, `token_expired`, `token_revoked`): `verify`'s "no". */
  invalidToken: 3,
  /** A statement could not be parsed (`sql`, `shell`): its line and column are on stderr. */
  statement: 4,
  /** The database driver (better-sqlite3 or pg) is not installed. */
  driverMissing: 5,
  /** The store is unavailable (locked, down, unreachable): nothing was done. */
  unavailable: 6,
  /**
   * The output was closed before the answer was written (its reader stopped
   * reading: `| head`): the rest is not printed. A secret not written is
   * taken back where that is possible (`issue` revokes the new token).
   */
  outputClosed: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A wrong command line: its message, and the command whose help to point at. */
export class UsageError extends Error {
  readonly command: string;
  constructor(message: string, command = '') {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** A database driver the store needs that is not installed. */
export class DriverMissing extends Error {
  readonly driver: string;
  constructor(driver: string, cause: unknown) {
    super(
      `the ${driver} package is not installed; tokenward needs it for this store. Install it next to tokenward:\n` +
        `  npm install ${driver}`,
      { cause },
    );
    this.name = 'DriverMissing';
    this.driver = driver;
  }
}

const TOKEN_CODES: readonly TokenErrorCode[] = ['token_invalid', 'token_expired', 'token_revoked'];

/** The exit code of a failure. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof DriverMissing) return EXIT.driverMissing;
  if (error instanceof StatementError) return EXIT.statement;
  if (error instanceof OutputClosed) return EXIT.outputClosed;
  if (isTokenError(error)) {
    if (TOKEN_CODES.includes(error.code)) return EXIT.invalidToken;
    if (error.code === 'unavailable') return EXIT.unavailable;
  }
  return EXIT.failed;
}

/** Where a failure happened, when it is in a statement of a script: `file:line:column`. */
export interface Place {
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

/** What is printed for a failure, as text for people and as a JSON object for scripts. */
export function describeFailure(error: unknown, place?: Place): { text: string; json: Record<string, unknown> } {
  const where = place === undefined ? '' : `${place.source}:${place.line}:${place.column}: `;
  const at = place === undefined ? {} : { source: place.source, line: place.line, column: place.column };
  if (error instanceof UsageError) {
    const hint = `tokenward ${error.command ? `${error.command} ` : ''}--help`;
    return {
      text: `tokenward: ${error.message}\nSee: ${hint}`,
      json: { error: { code: 'usage', message: error.message } },
    };
  }
  if (error instanceof DriverMissing) {
    return {
      text: `tokenward: ${error.message}`,
      json: { error: { code: 'driver_missing', message: error.message, driver: error.driver } },
    };
  }
  if (isTokenError(error)) {
    const field = error.details.field;
    const position = error instanceof StatementError ? { line: error.line, column: error.column } : {};
    return {
      text: `tokenward: ${where}${error.code}: ${error.message}`,
      json: {
        error: {
          code: error.code,
          message: error.message,
          ...(field === undefined ? {} : { field }),
          ...at,
          ...position,
        },
      },
    };
  }
  // Not ours: its message only (a driver's message names no secret we hold; a stack helps nobody here).
  const message = error instanceof Error ? error.message : String(error);
  return { text: `tokenward: ${where}error: ${message}`, json: { error: { code: 'error', message, ...at } } };
}
