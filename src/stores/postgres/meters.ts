/**
 * @internal The PostgreSQL repository's meters and sessions. A spend is one
 * call of the `spend` function of migration 4, which locks the token's row
 * and runs the core's arithmetic in SQL (one round trip, atomic across every
 * instance; `test/storage/metering.differential.test.ts` holds it equal to
 * src/core/metering.ts). A session's verification reads its token and its
 * sign-out in one statement. None of these notifies the invalidation
 * channel: a spend does not change what decides verification but the
 * meter, which the store itself judges.
 */
import type { QueryResultRow } from 'pg';
import type { SpendResult } from '../../core/metering.js';
import type { RevokedSession, SessionLookup, TokenRepository } from '../../core/repository.js';
import { TOKEN_COLUMNS, TOKEN_SELECT, tokenFromValues } from './rows.js';
import type { PgStore } from './store.js';

type MeterCalls = Required<
  Pick<TokenRepository, 'spend' | 'refillCredits' | 'findSession' | 'revokeSession' | 'pruneRevokedSessions'>
>;

interface SpendRow {
  readonly ok: boolean;
  readonly code: 'usage_exceeded' | 'rate_limited' | null;
  readonly retry_after: string | null;
  readonly ratelimit: string | null;
  readonly remaining: string | null;
}

function count(value: string | null): number | null {
  return value === null ? null : Number(value);
}

function spendResult(row: SpendRow): SpendResult {
  const remaining = count(row.remaining);
  if (row.ok) return { ok: true, remaining };
  return { ok: false, code: row.code!, retryAfter: count(row.retry_after), ratelimit: row.ratelimit, remaining };
}

/** The JSON path of a meter's refill interval and period start, as the refill index has them. */
const INTERVAL = "(meter#>>'{refill,interval}')::bigint";
const PERIOD_START = "(meter->>'lastRefillAt')::bigint";

export function meterCalls(store: PgStore): MeterCalls {
  const { t, query, hot } = store;
  const spend = hot('spend', `SELECT ok, code, retry_after, ratelimit, remaining FROM ${t.spend}($1, $2, $3, $4)`);
  // A one-row VALUES on the left: the sign-out is read even when the token is gone.
  const session = hot(
    'session',
    `SELECT ${TOKEN_SELECT.split(', ')
      .map((column) => `t.${column}`)
      .join(', ')}, EXISTS (SELECT 1 FROM ${t.revokedSessions} WHERE id = $1) AS session_revoked
     FROM (VALUES (1)) AS one LEFT JOIN ${t.tokens} t ON t.id = $2`,
    'array',
  );
  return {
    async spend(id, request, now) {
      const { rows } = await spend.run<SpendRow>([id, now, request.cost, request.ratelimits]);
      const row = rows[0];
      return row === undefined ? null : spendResult(row);
    },

    async refillCredits(now) {
      const { rowCount } = await query(
        `UPDATE ${t.tokens} SET meter = meter || jsonb_build_object(
            'remaining', (meter#>>'{refill,amount}')::bigint,
            'lastRefillAt', ${PERIOD_START} + (($1 - ${PERIOD_START}) / ${INTERVAL}) * ${INTERVAL})
          WHERE meter#>>'{refill,interval}' IS NOT NULL AND (${PERIOD_START} + ${INTERVAL}) <= $1
            AND revoked_at IS NULL`,
        [now],
      );
      return rowCount ?? 0;
    },

    async findSession(sessionId, parentId): Promise<SessionLookup> {
      // Array mode (as `findById`): the token's columns in order, then the sign-out.
      const { rows } = await session.run<unknown[] & QueryResultRow>([sessionId, parentId]);
      const row = rows[0] as unknown[];
      return { parent: row[0] === null ? null : tokenFromValues(row), revoked: row[TOKEN_COLUMNS.length] === true };
    },

    async revokeSession(revoked: RevokedSession) {
      const { rowCount } = await query(
        `INSERT INTO ${t.revokedSessions} (id, tenant, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
        [revoked.id, revoked.tenant, revoked.expiresAt],
      );
      return rowCount === 1;
    },

    async pruneRevokedSessions(before) {
      const { rowCount } = await query(`DELETE FROM ${t.revokedSessions} WHERE expires_at < $1`, [before]);
      return rowCount ?? 0;
    },
  };
}
