/**
 * Pool settings that bound every wait of the PostgreSQL store, so that a call
 * stuck behind a lock, a frozen server or a pooler queueing its clients
 * fails with `unavailable` instead of hanging.
 */
import { parseDuration } from '../../core/duration.js';
import { optionsObject } from '../../core/options.js';
import type { Duration } from '../../core/types.js';

/** Options of `postgresTimeouts`: durations such as `'1s'` or milliseconds. */
export interface PostgresTimeoutOptions {
  /**
   * PostgreSQL's `lock_timeout`: the longest one statement waits for a lock
   * (a row another transaction is changing, a table a migration holds, the
   * advisory lock of a namespace being issued into). Default `'1s'`. `null`
   * sends nothing: set it on the role instead, as behind PgBouncer.
   */
  readonly lockTimeout?: Duration | null;
  /**
   * PostgreSQL's `statement_timeout`: the longest one statement runs,
   * waiting included. Default `'5s'`. `null` sends nothing (see `lockTimeout`).
   */
  readonly statementTimeout?: Duration | null;
  /**
   * pg's client-side `query_timeout`: the longest the driver waits for the
   * answer to one query, whatever holds it up (a server that froze or
   * vanished without closing the connection, a pooler queueing the client
   * while PostgreSQL is down). The connection is then destroyed. Default: the
   * statement timeout (or 5 s) plus one second, so the server's own timeouts
   * speak first.
   */
  readonly queryTimeout?: Duration;
  /**
   * pg-pool's `connectionTimeoutMillis`: the longest a call waits for a
   * connection, from the pool or newly opened. Default `'5s'`.
   */
  readonly connectionTimeout?: Duration;
}

/** Settings for `new pg.Pool({ ...postgresTimeouts(), … })`, in milliseconds. */
export interface PostgresTimeouts {
  /** Sent when the connection starts; absent when `lockTimeout` is `null`. */
  readonly lock_timeout?: number;
  /** Sent when the connection starts; absent when `statementTimeout` is `null`. */
  readonly statement_timeout?: number;
  readonly query_timeout: number;
  readonly connectionTimeoutMillis: number;
}

const KEYS = ['lockTimeout', 'statementTimeout', 'queryTimeout', 'connectionTimeout'] as const;

/**
 * `pg.Pool` settings that bound every wait of the store without costing a
 * round trip: the server-side timeouts travel in the connection's startup
 * message, the others are timers in the driver. With them, `verify` and every
 * other call answer `TokenError('unavailable')` within the bound instead of
 * hanging, and `migrate` still waits as long as it must for another
 * instance's migration (it lifts both server timeouts around that one lock).
 *
 * PgBouncer refuses unknown startup parameters ("unsupported startup
 * parameter: statement_timeout"): behind it, pass `lockTimeout: null` and
 * `statementTimeout: null` and set them on the role the pooler logs in as
 * (`ALTER ROLE app SET lock_timeout = '1s'`), or list them in PgBouncer's
 * `ignore_startup_parameters` and set them on the role all the same.
 *
 * Errors: `TokenError('invalid_request')` naming the option for an unknown
 * key or a duration that is not one (`parseDuration`).
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { postgresTimeouts } from 'tokenward/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20, ...postgresTimeouts({ lockTimeout: '500ms' }) });
 * pool.on('error', (error) => logger.warn({ err: error }, 'idle PostgreSQL connection lost'));
 * ```
 */
export function postgresTimeouts(options: PostgresTimeoutOptions = {}): PostgresTimeouts {
  // Each option read once (own keys only).
  const fields = optionsObject(options, 'options', KEYS);
  const server = (key: 'lockTimeout' | 'statementTimeout', fallback: string): number | null =>
    fields[key] === null ? null : parseDuration(fields[key] ?? fallback, key);
  const lock = server('lockTimeout', '1s');
  const statement = server('statementTimeout', '5s');
  const query =
    fields.queryTimeout === undefined
      ? (statement ?? 5_000) + 1_000
      : parseDuration(fields.queryTimeout, 'queryTimeout');
  return {
    ...(lock === null ? {} : { lock_timeout: lock }),
    ...(statement === null ? {} : { statement_timeout: statement }),
    query_timeout: query,
    connectionTimeoutMillis: parseDuration(fields.connectionTimeout ?? '5s', 'connectionTimeout'),
  };
}
