/**
 * @internal The PostgreSQL repository's writes. Each is one statement, or
 * one round trip where a check must see the committed state (`insert`, see
 * `insert.ts`), or a transaction (`revokeOwner` with events); every change
 * to a token notifies the store's channel from inside it.
 */
import type { PoolClient } from 'pg';
import { TokenError } from '../../core/errors.js';
import type { RecordChange, TokenRepository, TokenUse } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { CHANGE_COLUMNS, changeValue, eventColumnValues } from '../shared/sql-columns.js';
import { checkedInsertCalls } from './insert.js';
import { EVENT_CASTS, EVENT_COLUMNS, placeholders, TOKEN_COLUMNS, TOKEN_SELECT, tokenValues } from './rows.js';
import { conflictFrom } from './side-tables.js';
import type { PgStore } from './store.js';

type InsertCalls = Pick<TokenRepository, 'insert' | 'insertAtPolicyVersion' | 'insertMaster'>;
type ChangeCalls = Pick<TokenRepository, 'update' | 'revoke' | 'revokeOwner' | 'touch' | 'touchMany' | 'purgeExpired'>;

export function insertCalls(store: PgStore): InsertCalls {
  const { t, tokens, eventCte } = store;
  const channel = t.channel;
  return {
    ...checkedInsertCalls(store),

    async insertMaster(record: TokenRecord, event?: TokenEvent) {
      const values = tokenValues(record);
      const insertText = `WITH r AS (INSERT INTO ${t.tokens} (${TOKEN_COLUMNS.join(', ')}) VALUES (${placeholders(1, values.length)})
          ON CONFLICT (tenant, owner) WHERE type = 'master' AND revoked_at IS NULL DO NOTHING RETURNING ${TOKEN_SELECT})${eventCte(event, 'r', values)}
        SELECT r.*, pg_notify($${values.length + 1}, r.id)::text AS notified FROM r`;
      values.push(channel);
      // The loop only repeats if the existing master is revoked between our
      // insert (which saw it) and our select (which no longer does).
      for (let attempt = 0; ; attempt++) {
        const [inserted] = await tokens(insertText, values).catch((error) =>
          conflictFrom(error, 'A token with this id exists already.'),
        );
        if (inserted !== undefined) return { created: true, record: inserted };
        const [found] = await tokens(
          `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE tenant = $1 AND owner = $2 AND type = 'master' AND revoked_at IS NULL`,
          [record.tenant, record.owner],
        );
        if (found !== undefined) return { created: false, record: found };
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
  const { t, tokens, eventCte, transaction, lockStatement } = store;
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
    const run = async (client?: PoolClient): Promise<TokenRecord | null> => {
      const [updated] = await tokens(text, params, client).catch((error: unknown) =>
        conflictFrom(error, 'Another token has this lookup hash.'),
      );
      return updated ?? null;
    };
    if (change.name === undefined) return run();
    // The namespace never changes, so it can be read before the lock is taken.
    const found = await store.query<{ tenant: string; owner: string | null }>(
      `SELECT tenant, owner FROM ${t.tokens} WHERE id = $1`,
      [id],
    );
    const namespace = found.rows[0];
    if (namespace === undefined) return null;
    return transaction(async (client) => {
      await client.query(lockStatement(namespace.tenant, namespace.owner));
      const held = await client.query(
        `SELECT 1 FROM ${t.tokens} WHERE tenant = $1 AND owner IS NOT DISTINCT FROM $2 AND name = $3
          AND id <> $4 AND revoked_at IS NULL LIMIT 1`,
        [namespace.tenant, namespace.owner, change.name, id],
      );
      if (held.rows.length > 0) throw new TokenError('conflict', 'Another token of the owner has this name.');
      return run(client);
    });
  };
}

export function changeCalls(store: PgStore): ChangeCalls {
  const { t, query, tokens, transaction, eventCte, touchStatement } = store;
  const channel = t.channel;
  const touchBatch = touchManyStatement(store);
  return {
    update: updateCall(store),

    async revoke(id: string, at: number, event?: TokenEvent) {
      const params: unknown[] = [id, at];
      const cte = `WITH r AS (UPDATE ${t.tokens} SET revoked_at = $2, version = version + 1
          WHERE id = $1 AND revoked_at IS NULL RETURNING ${TOKEN_SELECT})${eventCte(event, 'r', params)}`;
      params.push(channel);
      const [revoked] = await tokens(
        `${cte} SELECT r.*, pg_notify($${params.length}, r.id)::text AS notified FROM r`,
        params,
      );
      return revoked ?? null;
    },

    async revokeOwner(tenant, owner, at, options): Promise<number> {
      const params: unknown[] = [tenant, owner, at, channel];
      const text = `UPDATE ${t.tokens} SET revoked_at = $3, version = version + 1
          WHERE tenant = $1 AND owner = $2 AND revoked_at IS NULL${options.includeMaster ? '' : " AND type <> 'master'"}
          RETURNING ${TOKEN_SELECT}, pg_notify($4, id)::text AS notified`;
      const build = options.event;
      if (build === undefined) return (await query(text, params)).rowCount ?? 0;
      return transaction(async (client) => {
        const revoked = await tokens(text, params, client);
        if (revoked.length === 0) return 0;
        const events = revoked.map((record) => eventColumnValues(build(record)));
        // One INSERT for all events: one array parameter per column.
        const columns = EVENT_COLUMNS.map((_, i) => events.map((values) => values[i]));
        const arrays = EVENT_CASTS.map((cast, i) => `$${i + 1}::${cast}[]`).join(', ');
        await client.query(
          `INSERT INTO ${t.events} (${EVENT_COLUMNS.join(', ')}) SELECT * FROM unnest(${arrays})`,
          columns,
        );
        return revoked.length;
      });
    },

    async touch(id: string, at: number): Promise<void> {
      // No notification: lastUsedAt does not decide verification, and
      // announcing every use would empty every instance's cache.
      await touchStatement.run([id, at]);
    },

    async touchMany(uses: readonly TokenUse[]): Promise<void> {
      if (uses.length === 0) return;
      const { rows } = await touchBatch.run<{ id: string; at: string }>([
        uses.map((use) => use.id),
        uses.map((use) => use.at),
      ]);
      // Rows another transaction held: one `touch` each, which waits for its row alone.
      for (const row of rows) await touchStatement.run([row.id, Number(row.at)]);
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

/**
 * `touchMany`: one round trip and one commit for a whole batch of uses,
 * where `touch` per use cost one each (issue 12). A repeated id counts
 * with its latest use. The rows are locked in id order and locked rows are
 * skipped, never waited for, so the batch never holds some rows while it
 * waits for another (two batches, or a batch and a `revokeOwner`, could
 * otherwise deadlock, and the victim might be the revocation); the ids it
 * skipped come back, and `touchMany` writes those one by one. An unknown
 * id is ignored, as by `touch`; no notification, as for `touch`.
 */
function touchManyStatement(store: PgStore) {
  const { t } = store;
  return store.hot(
    'touch_many',
    `WITH u AS (SELECT id, max(at) AS at FROM unnest($1::text[], $2::bigint[]) AS x(id, at) GROUP BY id),
      l AS (SELECT k.id, u.at FROM ${t.tokens} k JOIN u ON k.id = u.id
             ORDER BY k.id FOR NO KEY UPDATE OF k SKIP LOCKED),
      w AS (UPDATE ${t.tokens} k SET last_used_at = l.at FROM l
             WHERE k.id = l.id AND (k.last_used_at IS NULL OR k.last_used_at < l.at))
     SELECT u.id, u.at FROM u JOIN ${t.tokens} k ON k.id = u.id
      WHERE u.id NOT IN (SELECT id FROM l) AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
  );
}
