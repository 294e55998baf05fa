/**
 * @internal `insert` (and `insertAtPolicyVersion`) of the PostgreSQL store:
 * a new token, its event and its notification, in one round trip: one call
 * of the `issue` function of migration 6, with parameters, sent as a
 * prepared statement like the verification path's (`statements.ts`).
 *
 * A partial unique index cannot say "not expired" (expiry depends on the
 * clock), so unique live names and the per-owner cap are checked under the
 * namespace's advisory lock: concurrent inserts into one namespace queue on
 * it, and each checks after the previous one has committed. The function
 * takes the lock and checks and writes in the one implicit transaction of
 * its call: the lock is held until the insert commits, each of its
 * statements takes its snapshot only once the lock is granted, and any
 * failure rolls back everything. PL/pgSQL keeps the plans of those
 * statements for the session, so nothing is planned again per issue
 * (issue 12; before, two statements with literals went as one simple query
 * and were planned every time).
 *
 * Without a cap, only the name is checked: one index probe, no count of the
 * owner's tokens.
 */
import { TokenError } from '../../core/errors.js';
import type { InsertLimits, TokenRepository } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { eventColumnValues } from '../shared/sql-columns.js';
import { EVENT_COLUMNS, TOKEN_COLUMNS, tokenValues } from './rows.js';
import { conflictFrom } from './side-tables.js';
import type { PgStore } from './store.js';

type InsertCall = (
  record: TokenRecord,
  limits: InsertLimits,
  policyVersion: number | null,
  event: TokenEvent | undefined,
) => Promise<boolean>;

const NO_EVENT: readonly null[] = EVENT_COLUMNS.map(() => null);

/** The checked insert behind `insert` and `insertAtPolicyVersion`: false when the policy version has changed. */
function checkedInsert(store: PgStore): InsertCall {
  const { t } = store;
  const width = 6 + TOKEN_COLUMNS.length + EVENT_COLUMNS.length;
  const args = Array.from({ length: width }, (_, i) => `$${i + 1}`).join(', ');
  const call = store.hot('issue', `SELECT ${t.issue}(${args}) AS outcome`);
  return async (record, limits, policyVersion, event) => {
    const cap = limits.maxLivePerOwner !== undefined && record.owner !== null ? limits.maxLivePerOwner : null;
    const values = [
      ...store.lockKeys(record.tenant, record.owner),
      policyVersion,
      cap,
      limits.now,
      t.channel,
      ...tokenValues(record),
      ...(event === undefined ? NO_EVENT : eventColumnValues(event)),
    ];
    const { rows } = await call
      .run<{ outcome: string }>(values)
      .catch((error: unknown) => conflictFrom(error, 'A token with this id or lookup hash exists already.'));
    const outcome = rows[0]!.outcome;
    if (outcome === 'inserted') return true;
    if (outcome === 'stale') return false;
    if (outcome === 'taken') throw new TokenError('conflict', 'A live token with this name exists already.');
    throw new TokenError('limit_exceeded', 'The owner has too many active tokens.', { limit: cap });
  };
}

export function checkedInsertCalls(
  store: PgStore,
): Required<Pick<TokenRepository, 'insert' | 'insertAtPolicyVersion'>> {
  const insert = checkedInsert(store);
  return {
    async insert(record, limits, event) {
      await insert(record, limits, null, event);
    },
    insertAtPolicyVersion: (record, limits, policyVersion, event) => insert(record, limits, policyVersion, event),
  };
}
