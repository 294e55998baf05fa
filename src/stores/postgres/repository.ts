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
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { TokenError } from '../../core/errors.js';
import type { InsertLimits, ListQuery, RecordChange, TokenRepository } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { checkPageLimit, decodeOptionalCursor, encodeCursor } from '../shared/paging.js';
import { checkOut, unusable } from './connection.js';
import { int32Hash, type PostgresLocation } from './names.js';
import { repositorySettings } from './options.js';
import {
  EVENT_CASTS,
  EVENT_COLUMNS,
  eventValues,
  placeholders,
  TOKEN_CASTS,
  TOKEN_COLUMNS,
  TOKEN_SELECT,
  type TokenRow,
  tokenFromRow,
  tokenValues,
} from './rows.js';
import { conflictFrom, sideTableCalls } from './side-tables.js';
import { hotStatements, type PreparedStatements } from './statements.js';

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

// Change fields and their columns, for the SET list of `update`.
const CHANGE_COLUMNS: readonly (readonly [keyof RecordChange, string])[] = [
  ['comment', 'comment'],
  ['secretHash', 'secret_hash'],
  ['pepperVersion', 'pepper_version'],
  ['previousSecretHash', 'previous_secret_hash'],
  ['previousPepperVersion', 'previous_pepper_version'],
  ['previousExpiresAt', 'previous_expires_at'],
  ['rotatedAt', 'rotated_at'],
];

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
  const { pool, names: t, preparedStatements } = repositorySettings(options);
  const statement = hotStatements(pool, preparedStatements);
  const channel = t.channel;
  const lockSpaceKey = int32Hash(t.lockSpace);

  const query = <R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>> =>
    pool.query<R>(text, values);

  const findByIdStatement = statement('find', `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE id = $1`);
  const touchStatement = statement(
    'touch',
    `UPDATE ${t.tokens} SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
  );

  /**
   * Runs `work` in a transaction. `begin` may append statements to `BEGIN`
   * (plain SQL without parameters, sent in the same round trip).
   */
  async function transaction<T>(work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const held = await checkOut(pool);
    const { client } = held;
    let broken: unknown;
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A failed ROLLBACK means the connection itself is gone: drop it from the pool.
      if (unusable(held, error)) broken = error;
      else {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
      }
      throw error;
    } finally {
      held.release(broken);
    }
  }

  /** `, e AS (INSERT INTO events … SELECT … FROM <source>)` writing `event` only if `source` has a row. */
  function eventCte(event: TokenEvent | undefined, source: string, params: unknown[]): string {
    if (event === undefined) return '';
    const first = params.length + 1;
    params.push(...eventValues(event));
    const values = EVENT_CASTS.map((cast, i) => `$${first + i}::${cast}`).join(', ');
    return `, e AS (INSERT INTO ${t.events} (${EVENT_COLUMNS.join(', ')}) SELECT ${values} FROM ${source})`;
  }

  /**
   * `BEGIN` plus the advisory lock of one (tenant, owner) namespace, held
   * until the transaction ends. The two lock keys are 32-bit hashes computed
   * here, so the statement carries only integers and goes out with `BEGIN`
   * in one round trip. A hash collision only makes two namespaces queue on
   * one lock; it never lets two inserts into one namespace run together.
   */
  function beginLocked(tenant: string, owner: string | null): string {
    // U+0001 cannot appear in a tenant name, and the marker tells "no owner" from an owner named "".
    const key = owner === null ? `${tenant}\u0001` : `${tenant}\u0001\u0001${owner}`;
    return `BEGIN; SELECT pg_advisory_xact_lock(${lockSpaceKey}, ${int32Hash(key)})`;
  }

  function ownerCondition(owner: string | null, params: unknown[]): string {
    if (owner === null) return 'owner IS NULL';
    params.push(owner);
    return `owner = $${params.length}`;
  }

  const repository: PostgresTokenRepository = {
    ...sideTableCalls(t, query, eventCte),
    async insert(record: TokenRecord, limits: InsertLimits, event?: TokenEvent): Promise<void> {
      // A partial unique index cannot say "not expired" (expiry depends on the
      // clock), so unique live names and the cap are checked in a transaction
      // that first takes the namespace's advisory lock: concurrent inserts into
      // one namespace queue on it, and each counts after the previous one has
      // committed (READ COMMITTED takes a fresh snapshot per statement). The
      // count and the conditional insert are one statement, so the whole step
      // is three round trips: BEGIN with the lock, the statement, COMMIT.
      const cap = limits.maxLivePerOwner !== undefined && record.owner !== null ? limits.maxLivePerOwner : null;
      const params = tokenValues(record);
      const columns = params.map((_, i) => `$${i + 1}::${TOKEN_CASTS[i]}`).join(', ');
      params.push(record.name, limits.now, cap);
      const [nameParam, nowParam, capParam] = [params.length - 2, params.length - 1, params.length];
      const live = `tenant = $2 AND ${ownerCondition(record.owner, params)} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $${nowParam})`;
      const text = `WITH c AS (
          SELECT count(*) FILTER (WHERE name = $${nameParam}) AS same_name, count(*) FILTER (WHERE type <> 'master') AS live
            FROM ${t.tokens} WHERE ${live}),
        r AS (INSERT INTO ${t.tokens} (${TOKEN_COLUMNS.join(', ')}) SELECT ${columns} FROM c
          WHERE c.same_name = 0 AND ($${capParam}::integer IS NULL OR c.live < $${capParam}::integer) RETURNING id)${eventCte(event, 'r', params)}
        SELECT c.same_name, (SELECT count(*) FROM (SELECT pg_notify($${params.length + 1}, r.id) FROM r) n) AS inserted FROM c`;
      params.push(channel);
      await transaction(
        async (client) => {
          const { rows } = await client
            .query<{ same_name: string; inserted: string }>(text, params)
            .catch((error) => conflictFrom(error, 'A token with this id exists already.'));
          const outcome = rows[0]!;
          if (Number(outcome.inserted) === 1) return;
          if (Number(outcome.same_name) > 0)
            throw new TokenError('conflict', 'A live token with this name exists already.');
          throw new TokenError('limit_exceeded', 'The owner has too many active tokens.', { limit: cap });
        },
        beginLocked(record.tenant, record.owner),
      );
    },

    async insertMaster(record: TokenRecord, event?: TokenEvent) {
      const values = tokenValues(record);
      const insertText = `WITH r AS (INSERT INTO ${t.tokens} (${TOKEN_COLUMNS.join(', ')}) VALUES (${placeholders(1, values.length)})
          ON CONFLICT (tenant, owner) WHERE type = 'master' AND revoked_at IS NULL DO NOTHING RETURNING ${TOKEN_SELECT})${eventCte(event, 'r', values)}
        SELECT r.*, pg_notify($${values.length + 1}, r.id)::text AS notified FROM r`;
      values.push(channel);
      // The loop only repeats if the existing master is revoked between our
      // insert (which saw it) and our select (which no longer does).
      for (let attempt = 0; ; attempt++) {
        const inserted = await query<TokenRow>(insertText, values).catch((error) =>
          conflictFrom(error, 'A token with this id exists already.'),
        );
        const row = inserted.rows[0];
        if (row !== undefined) return { created: true, record: tokenFromRow(row) };
        const existing = await query<TokenRow>(
          `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE tenant = $1 AND owner = $2 AND type = 'master' AND revoked_at IS NULL`,
          [record.tenant, record.owner],
        );
        const found = existing.rows[0];
        if (found !== undefined) return { created: false, record: tokenFromRow(found) };
        if (attempt >= 5) throw new Error('tokenward: could not settle the master token under contention');
      }
    },

    async findById(id: string): Promise<TokenRecord | null> {
      const { rows } = await findByIdStatement.run<TokenRow>([id]);
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    },

    async findByName(tenant: string, owner: string | null, name: string): Promise<TokenRecord | null> {
      // No clock here: a name is reused only after its holder died (revoked or
      // expired), and neither is ever undone, so the live holder, if any, is
      // the newest unrevoked one; otherwise the newest of all.
      const params: unknown[] = [tenant, name];
      const { rows } = await query<TokenRow>(
        `SELECT ${TOKEN_SELECT} FROM ${t.tokens}
          WHERE tenant = $1 AND ${ownerCondition(owner, params)} AND name = $2
          ORDER BY (revoked_at IS NULL) DESC, created_at DESC, id DESC LIMIT 1`,
        params,
      );
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    },

    async list(q: ListQuery) {
      checkPageLimit(q.limit);
      const cursor = decodeOptionalCursor(q.cursor);
      const params: unknown[] = [q.tenant];
      const where = ['tenant = $1'];
      if (q.owner !== undefined) where.push(ownerCondition(q.owner, params));
      if (q.types !== undefined) {
        params.push([...q.types]);
        where.push(`type = ANY($${params.length}::text[])`);
      }
      if (!q.includeRevoked) where.push('revoked_at IS NULL');
      if (!q.includeExpired) {
        params.push(q.now);
        where.push(`(expires_at IS NULL OR expires_at > $${params.length})`);
      }
      if (cursor !== null) {
        params.push(cursor.time, cursor.id);
        where.push(`(created_at, id) < ($${params.length - 1}, $${params.length})`);
      }
      params.push(q.limit + 1);
      const { rows } = await query<TokenRow>(
        `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE ${where.join(' AND ')}
          ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const items = rows.slice(0, q.limit).map(tokenFromRow);
      const last = items[items.length - 1];
      const more = rows.length > q.limit && last !== undefined;
      return { items, nextCursor: more ? encodeCursor({ time: last.createdAt, id: last.id }) : null };
    },

    async update(id: string, expectedVersion: number, change: RecordChange, event?: TokenEvent) {
      const params: unknown[] = [id, expectedVersion];
      const sets: string[] = [];
      for (const [field, column] of CHANGE_COLUMNS) {
        const value = change[field];
        if (value === undefined) continue;
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      }
      sets.push('version = version + 1');
      const cte = `WITH r AS (UPDATE ${t.tokens} SET ${sets.join(', ')}
          WHERE id = $1 AND version = $2 AND revoked_at IS NULL RETURNING ${TOKEN_SELECT})${eventCte(event, 'r', params)}`;
      params.push(channel);
      const { rows } = await query<TokenRow>(
        `${cte} SELECT r.*, pg_notify($${params.length}, r.id)::text AS notified FROM r`,
        params,
      );
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    },

    async revoke(id: string, at: number, event?: TokenEvent) {
      const params: unknown[] = [id, at];
      const cte = `WITH r AS (UPDATE ${t.tokens} SET revoked_at = $2, version = version + 1
          WHERE id = $1 AND revoked_at IS NULL RETURNING ${TOKEN_SELECT})${eventCte(event, 'r', params)}`;
      params.push(channel);
      const { rows } = await query<TokenRow>(
        `${cte} SELECT r.*, pg_notify($${params.length}, r.id)::text AS notified FROM r`,
        params,
      );
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    },

    async revokeOwner(tenant, owner, at, options): Promise<number> {
      const params: unknown[] = [tenant, owner, at, channel];
      const text = `UPDATE ${t.tokens} SET revoked_at = $3, version = version + 1
          WHERE tenant = $1 AND owner = $2 AND revoked_at IS NULL${options.includeMaster ? '' : " AND type <> 'master'"}
          RETURNING ${TOKEN_SELECT}, pg_notify($4, id)::text AS notified`;
      const build = options.event;
      if (build === undefined) return (await query(text, params)).rowCount ?? 0;
      return transaction(async (client) => {
        const { rows } = await client.query<TokenRow>(text, params);
        if (rows.length === 0) return 0;
        const events = rows.map((row) => eventValues(build(tokenFromRow(row))));
        // One INSERT for all events: one array parameter per column.
        const columns = EVENT_COLUMNS.map((_, i) => events.map((values) => values[i]));
        const arrays = EVENT_CASTS.map((cast, i) => `$${i + 1}::${cast}[]`).join(', ');
        await client.query(
          `INSERT INTO ${t.events} (${EVENT_COLUMNS.join(', ')}) SELECT * FROM unnest(${arrays})`,
          columns,
        );
        return rows.length;
      });
    },

    async touch(id: string, at: number): Promise<void> {
      // No notification: lastUsedAt does not decide verification, and
      // announcing every use would empty every instance's cache.
      await touchStatement.run([id, at]);
    },

    async purgeExpired(before: number): Promise<number> {
      // Purged tokens expired long ago: cached copies of them fail
      // verification as expired, so no notification is needed.
      const { rows } = await query<{ count: string }>(
        `WITH d AS (DELETE FROM ${t.tokens} WHERE expires_at < $1 RETURNING id),
              c AS (DELETE FROM ${t.claims} WHERE token_id IN (SELECT id FROM d))
         SELECT count(*) AS count FROM d`,
        [before],
      );
      return Number(rows[0]?.count ?? 0);
    },

    async notify(payload: string): Promise<void> {
      if (typeof payload !== 'string' || payload.length < 1 || payload.length > 200) {
        throw new TokenError('invalid_request', 'payload must be a string of 1 to 200 characters', {
          field: 'payload',
        });
      }
      await query('SELECT pg_notify($1, $2)', [channel, payload]);
    },

    // The pool is the caller's: nothing to close here.
    async close(): Promise<void> {},
  };
  return repository;
}
