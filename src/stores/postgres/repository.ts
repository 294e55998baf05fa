/**
 * The PostgreSQL `TokenRepository`. Every guarantee of the contract comes
 * from the database, never from a check in JavaScript that another instance
 * could race:
 * - compare-and-set: `UPDATE … WHERE id = $1 AND version = $2 AND revoked_at IS NULL RETURNING`;
 * - one master per user: a partial unique index and `INSERT … ON CONFLICT DO NOTHING`;
 * - the per-owner cap and unique live names: a transaction that first takes a
 *   per-namespace advisory lock, then counts (see `insert`);
 * - single-use claims: `DELETE … WHERE code_hash = $1 AND expires_at > $2 RETURNING`.
 * Events are written by the same statement or transaction as the change they
 * describe, and every change to a token sends its id on the store's
 * notification channel from inside that transaction, so the notification
 * goes out exactly when the change commits (see `cachedRepository`).
 */
import type { Pool } from 'pg';
import { TokenError } from '../../core/errors.js';
import type { TokenRepository } from '../../core/repository.js';
import { maintenanceCalls } from './maintenance.js';
import { meterCalls } from './meters.js';
import type { PostgresLocation } from './names.js';
import { repositorySettings } from './options.js';
import { lookupCalls } from './reads.js';
import { sideTableCalls } from './side-tables.js';
import type { PreparedStatements } from './statements.js';
import { pgStore } from './store.js';
import { changeCalls, insertCalls } from './writes.js';

/** The part of a `pg.Pool` the repository uses. */
export type PostgresPool = Pick<Pool, 'query' | 'connect'>;

/** Options of `postgresRepository`. */
export interface PostgresRepositoryOptions extends PostgresLocation {
  /**
   * The connection pool. The repository never ends it (it is yours); give it
   * an `error` listener, as `pg` asks, so that a dropped idle connection does
   * not crash the process. Clients the repository checks out for its
   * transactions carry their own listener while it holds them.
   */
  readonly pool: PostgresPool;
  /**
   * Whether `findById` and `touch` (the verification path) run as named
   * prepared statements, parsed once per connection: `true`, `false` (behind
   * a pooler in transaction mode), or `'auto'` (the default): named until
   * the server answers `42P05` or `26000`, the sign of a pooler in
   * transaction mode, then unnamed for the life of the repository (the call
   * that saw it is sent again unnamed; nothing ran the first time).
   */
  readonly preparedStatements?: PreparedStatements;
}

/** The PostgreSQL repository: a `TokenRepository` that can also announce changes. */
export interface PostgresTokenRepository extends TokenRepository {
  /**
   * Sends `payload` on the store's invalidation channel, as every change made
   * through tokenward does: each `cachedRepository` on the store drops the
   * token whose id it is. For tokens changed outside tokenward (by hand, by a
   * script); `cachedRepository` also sends its probes with it. Payloads are
   * 1 to 200 characters; anything else is `TokenError('invalid_request')`
   * naming `payload`. A driver error is thrown as is.
   */
  notify(payload: string): Promise<void>;
}

/**
 * A `TokenRepository` on PostgreSQL through `pg`, for several service
 * instances sharing one token store. Run `migrate(pool, { schema, tablePrefix })`
 * first, with the same location.
 *
 * Times are stored as `bigint` epoch milliseconds. Concurrent calls use
 * separate pool connections; the atomic guarantees of the repository
 * contract hold across connections, processes and machines. A unique
 * violation is a `TokenError('conflict')`; any other driver error (a lost
 * connection, a server shutting down, a lock or statement timeout) is thrown
 * as is, and the token service turns it into `unavailable`: verification
 * fails closed. A bad `schema`, `tablePrefix` or `preparedStatements` is
 * `TokenError('invalid_request')` naming it, before any query.
 *
 * Faults: the clients it checks out for transactions carry an error listener
 * while it holds them and are destroyed if their connection failed, so a
 * server dying mid-transaction never crashes the process. Waits are bounded
 * by the pool's settings (`postgresTimeouts()`). Behind a pooler in
 * transaction mode it works as is (see `preparedStatements`).
 *
 * Without a cache every `findById` reads the database, so a revocation is
 * honoured at the next verification on every instance. See
 * `cachedRepository` for the cached variant and its bound.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createTokenService } from 'tokenward';
 * import { migrate, postgresRepository, postgresTimeouts } from 'tokenward/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, ...postgresTimeouts() });
 * pool.on('error', (error) => log.warn({ err: error }, 'idle postgres connection lost'));
 * await migrate(pool);
 * const tokens = createTokenService({ repository: postgresRepository({ pool }), pepper, directory });
 * ```
 */
export function postgresRepository(options: PostgresRepositoryOptions): PostgresTokenRepository {
  const { pool, names, preparedStatements } = repositorySettings(options);
  const store = pgStore(pool, names, preparedStatements);
  return {
    ...insertCalls(store),
    ...lookupCalls(store),
    ...changeCalls(store),
    ...sideTableCalls(store),
    ...meterCalls(store),
    ...maintenanceCalls(store),
    async notify(payload: string): Promise<void> {
      if (typeof payload !== 'string' || payload.length < 1 || payload.length > 200) {
        throw new TokenError('invalid_request', 'payload must be a string of 1 to 200 characters', {
          field: 'payload',
        });
      }
      await store.query('SELECT pg_notify($1, $2)', [names.channel, payload]);
    },

    // The pool is the caller's: nothing to close here.
    async close(): Promise<void> {},
  };
}
