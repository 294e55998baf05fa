/**
 * @internal `insert` of the PostgreSQL store: a new token, its event and
 * its notification, in one round trip.
 *
 * A partial unique index cannot say "not expired" (expiry depends on the
 * clock), so unique live names and the per-owner cap are checked under the
 * namespace's advisory lock: concurrent inserts into one namespace queue on
 * it, and each checks after the previous one has committed. The lock and
 * the checked insert are two statements sent as one simple query, which
 * PostgreSQL runs as one implicit transaction: the lock is held until the
 * insert commits, the insert's statement takes its snapshot (READ
 * COMMITTED) only once the lock is granted, and any failure rolls back
 * both. So the step costs one round trip where `BEGIN`, the statement and
 * `COMMIT` cost three (issue 12). The simple query protocol carries no
 * parameters: the values go in as typed constants (`literals.ts`).
 *
 * Without a cap, only the name is checked: one index probe, no count of the
 * owner's tokens.
 */
import { TokenError } from '../../core/errors.js';
import type { InsertLimits, TokenRepository } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { eventColumnValues } from '../shared/sql-columns.js';
import { literal, literals } from './literals.js';
import { EVENT_CASTS, EVENT_COLUMNS, TOKEN_CASTS, TOKEN_COLUMNS, tokenValues } from './rows.js';
import { conflictFrom } from './side-tables.js';
import type { PgStore } from './store.js';

/** The answer of the checked insert: whether the name was taken, and whether the row went in. */
interface Outcome {
  readonly taken: boolean;
  readonly inserted: string;
}

export function insertCall(store: PgStore): TokenRepository['insert'] {
  const { pool } = store;
  return async (record: TokenRecord, limits: InsertLimits, event?: TokenEvent): Promise<void> => {
    const cap = limits.maxLivePerOwner !== undefined && record.owner !== null ? limits.maxLivePerOwner : null;
    const text = `${store.lockStatement(record.tenant, record.owner)}; ${checkedInsert(store, record, limits.now, cap, event)}`;
    // Two statements in one simple query: pg answers with one result per statement.
    const results: unknown = await pool
      .query(text)
      .catch((error: unknown) => conflictFrom(error, 'A token with this id or lookup hash exists already.'));
    const outcome = (results as { rows: Outcome[] }[])[1]!.rows[0]!;
    if (Number(outcome.inserted) === 1) return;
    if (outcome.taken) throw new TokenError('conflict', 'A live token with this name exists already.');
    throw new TokenError('limit_exceeded', 'The owner has too many active tokens.', { limit: cap });
  };
}

/** The statement that checks the namespace and inserts the token, its event and its notification. */
function checkedInsert(
  { t }: PgStore,
  record: TokenRecord,
  now: number,
  cap: number | null,
  event: TokenEvent | undefined,
): string {
  const owner = record.owner === null ? 'owner IS NULL' : `owner = ${literal(record.owner, 'text')}`;
  const live = `tenant = ${literal(record.tenant, 'text')} AND ${owner} AND revoked_at IS NULL
      AND (expires_at IS NULL OR expires_at > ${literal(now, 'bigint')})`;
  const checks = [
    `EXISTS (SELECT 1 FROM ${t.tokens} WHERE ${live} AND name = ${literal(record.name, 'text')}) AS taken`,
  ];
  let room = '';
  if (cap !== null) {
    checks.push(`(SELECT count(*) FROM ${t.tokens} WHERE ${live} AND type <> 'master') AS live`);
    room = ` AND c.live < ${literal(cap, 'bigint')}`;
  }
  const eventInsert =
    event === undefined
      ? ''
      : `, e AS (INSERT INTO ${t.events} (${EVENT_COLUMNS.join(', ')})
          SELECT ${literals(eventColumnValues(event), EVENT_CASTS)} FROM r)`;
  return `WITH c AS (SELECT ${checks.join(', ')}),
      r AS (INSERT INTO ${t.tokens} (${TOKEN_COLUMNS.join(', ')})
        SELECT ${literals(tokenValues(record), TOKEN_CASTS)} FROM c WHERE NOT c.taken${room} RETURNING id)${eventInsert}
    SELECT c.taken, (SELECT count(*) FROM (SELECT pg_notify(${literal(t.channel, 'text')}, r.id) FROM r) n) AS inserted FROM c`;
}
