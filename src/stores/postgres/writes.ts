/**
 * @internal The PostgreSQL repository's writes. Each is one statement, or a
 * transaction where a check must see the committed state (the per-owner
 * cap, unique live names); every change to a token notifies the store's
 * channel from inside it.
 */
import { TokenError } from '../../core/errors.js';
import type { InsertLimits, RecordChange, TokenRepository } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { CHANGE_COLUMNS, changeValue, eventColumnValues } from '../shared/sql-columns.js';
import {
  EVENT_CASTS,
  EVENT_COLUMNS,
  placeholders,
  TOKEN_CASTS,
  TOKEN_COLUMNS,
  TOKEN_SELECT,
  type TokenRow,
  tokenFromRow,
  tokenValues,
} from './rows.js';
import { conflictFrom } from './side-tables.js';
import { ownerCondition, type PgStore, type Query } from './store.js';

type InsertCalls = Pick<TokenRepository, 'insert' | 'insertMaster'>;
type ChangeCalls = Pick<TokenRepository, 'update' | 'revoke' | 'revokeOwner' | 'touch' | 'purgeExpired'>;

export function insertCalls(store: PgStore): InsertCalls {
  const { t, query, transaction, eventCte, beginLocked } = store;
  const channel = t.channel;
  return {
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
            .catch((error) => conflictFrom(error, 'A token with this id or lookup hash exists already.'));
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
  };
}

/**
 * Applies a compare-and-set change in one statement: the token row, its
 * event and the notification. A rename runs that statement in a transaction
 * under the namespace's advisory lock (the one `insert` takes), after
 * checking that no other unrevoked token of the namespace holds the name.
 */
function updateCall(store: PgStore): TokenRepository['update'] {
  const { t, query, eventCte, transaction, beginLocked } = store;
  return async (id: string, expectedVersion: number, change: RecordChange, event?: TokenEvent) => {
    const params: unknown[] = [id, expectedVersion];
    const sets: string[] = [];
    for (const [field, column] of CHANGE_COLUMNS) {
      if (change[field] === undefined) continue;
      params.push(changeValue(field, change));
      sets.push(`${column} = $${params.length}`);
    }
    sets.push('version = version + 1');
    const cte = `WITH r AS (UPDATE ${t.tokens} SET ${sets.join(', ')}
        WHERE id = $1 AND version = $2 AND revoked_at IS NULL RETURNING ${TOKEN_SELECT})${eventCte(event, 'r', params)}`;
    params.push(t.channel);
    const text = `${cte} SELECT r.*, pg_notify($${params.length}, r.id)::text AS notified FROM r`;
    const run = async (runQuery: Query): Promise<TokenRecord | null> => {
      const { rows } = await runQuery<TokenRow>(text, params).catch((error) =>
        conflictFrom(error, 'Another token has this lookup hash.'),
      );
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    };
    if (change.name === undefined) return run(query);
    // The namespace never changes, so it can be read before the lock is taken.
    const found = await query<{ tenant: string; owner: string | null }>(
      `SELECT tenant, owner FROM ${t.tokens} WHERE id = $1`,
      [id],
    );
    const namespace = found.rows[0];
    if (namespace === undefined) return null;
    return transaction(
      async (client) => {
        const held = await client.query(
          `SELECT 1 FROM ${t.tokens} WHERE tenant = $1 AND owner IS NOT DISTINCT FROM $2 AND name = $3
          AND id <> $4 AND revoked_at IS NULL LIMIT 1`,
          [namespace.tenant, namespace.owner, change.name, id],
        );
        if (held.rows.length > 0) throw new TokenError('conflict', 'Another token of the owner has this name.');
        return run((text, values) => client.query(text, values));
      },
      beginLocked(namespace.tenant, namespace.owner),
    );
  };
}

export function changeCalls(store: PgStore): ChangeCalls {
  const { t, query, transaction, eventCte, touchStatement } = store;
  const channel = t.channel;
  return {
    update: updateCall(store),

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
        const events = rows.map((row) => eventColumnValues(build(tokenFromRow(row))));
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
              c AS (DELETE FROM ${t.claims} WHERE token_id IN (SELECT id FROM d)),
              w AS (DELETE FROM ${t.expiryWarnings} WHERE expires_at < $1)
         SELECT count(*) AS count FROM d`,
        [before],
      );
      return Number(rows[0]?.count ?? 0);
    },
  };
}
