/**
 * @internal The PostgreSQL store's part of maintenance (issue 13): expiry
 * warnings claimed once across every instance (`markExpiring`), and one
 * runner per pass (`runExclusive`, an advisory lock).
 */
import type { ExpiringMarkQuery, TokenRepository } from '../../core/repository.js';
import type { TokenRecord } from '../../core/types.js';
import { checkPageLimit } from '../shared/paging.js';
import { int32Hash } from './names.js';
import { TOKEN_SELECT } from './rows.js';
import type { PgStore } from './store.js';

type MaintenanceCalls = Pick<TokenRepository, 'markExpiring'> & Required<Pick<TokenRepository, 'runExclusive'>>;

export function maintenanceCalls(store: PgStore): MaintenanceCalls {
  const { t, tokens, transaction } = store;
  // A lock space of its own, so a maintenance lock never shares a key with a namespace's.
  const lockSpace = int32Hash(`${t.lockSpace}:maintenance`);
  return {
    async markExpiring(q: ExpiringMarkQuery): Promise<TokenRecord[]> {
      checkPageLimit(q.limit);
      // The markers' primary key decides: of concurrent calls that select one token, the
      // first insert wins and the others wait for its commit, then do nothing.
      return tokens(
        `WITH due AS (
           SELECT id, expires_at FROM ${t.tokens} k
            WHERE revoked_at IS NULL AND enabled AND expires_at > $1::bigint AND expires_at <= $1::bigint + $2::bigint
              AND NOT EXISTS (SELECT 1 FROM ${t.expiryWarnings} w
                               WHERE w.token_id = k.id AND w.within = $2::bigint AND w.expires_at = k.expires_at)
            ORDER BY expires_at, id LIMIT $3),
         m AS (INSERT INTO ${t.expiryWarnings} (token_id, within, expires_at, warned_at)
                SELECT id, $2::bigint, expires_at, $1::bigint FROM due
                ON CONFLICT DO NOTHING RETURNING token_id)
         SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE id IN (SELECT token_id FROM m) ORDER BY expires_at, id`,
        [q.now, q.within, q.limit],
      );
    },

    // A transaction-level lock, held on one connection while `work` runs on others: it is
    // released however the transaction ends (a dropped connection included), and behind a
    // pooler in transaction mode it stays on the one server session the transaction has.
    async runExclusive<T>(name: string, work: () => Promise<T>) {
      return transaction(async (client) => {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', [
          lockSpace,
          int32Hash(name),
        ]);
        if (rows[0]?.locked !== true) return { ran: false as const };
        return { ran: true as const, value: await work() };
      });
    },
  };
}
