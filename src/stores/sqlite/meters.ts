/**
 * @internal The SQLite repository's meters and sessions. A spend reads the
 * token's meter and buckets and writes them back in one `BEGIN IMMEDIATE`
 * transaction, so it cannot interleave with another connection's, in this
 * process or another; the arithmetic is the core's (src/core/metering.ts).
 * It waits for another writer's lock at most `spendTimeoutMs`, because it
 * runs on the verification path and better-sqlite3 blocks the event loop
 * while it waits. A token without a meter never comes here.
 */
import type Database from 'better-sqlite3';
import { type RateLimitState, refilled, type SpendRequest, type SpendResult, spendStep } from '../../core/metering.js';
import type { RevokedSession, SessionLookup, TokenRepository } from '../../core/repository.js';
import type { TokenMeter } from '../../core/types.js';
import { TOKEN_COLUMN_NAMES } from '../shared/sql-columns.js';
import type { SqliteCalls } from './calls.js';
import { TOKEN_COLUMNS, type TokenRow, toRecord } from './rows.js';

type MeterCalls = Required<
  Pick<TokenRepository, 'spend' | 'refillCredits' | 'findSession' | 'revokeSession' | 'pruneRevokedSessions'>
>;

/** The expression `tokenward_tokens_by_refill` indexes: when a token's next refill comes due. */
const NEXT_REFILL = "(json_extract(meter, '$.lastRefillAt') + json_extract(meter, '$.refill.interval'))";

const STATEMENTS = {
  meter: 'SELECT meter, ratelimit_state AS state, revoked_at AS revokedAt FROM tokenward_tokens WHERE id = ?',
  writeMeter: 'UPDATE tokenward_tokens SET meter = ?, ratelimit_state = ? WHERE id = ?',
  dueRefills: `SELECT id, meter FROM tokenward_tokens
     WHERE json_extract(meter, '$.refill.interval') IS NOT NULL AND ${NEXT_REFILL} <= ? AND revoked_at IS NULL`,
  writeRefill: 'UPDATE tokenward_tokens SET meter = ? WHERE id = ?',
  session: `SELECT ${TOKEN_COLUMNS},
       EXISTS (SELECT 1 FROM tokenward_revoked_sessions WHERE id = ?) AS sessionRevoked
     FROM tokenward_tokens WHERE id = ?`,
  sessionRevoked: 'SELECT 1 FROM tokenward_revoked_sessions WHERE id = ?',
  revokeSession: `INSERT INTO tokenward_revoked_sessions (id, tenant, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  pruneSessions: 'DELETE FROM tokenward_revoked_sessions WHERE expires_at < ?',
};

type Statements = Record<keyof typeof STATEMENTS, Database.Statement>;

interface MeterRow {
  readonly meter: string | null;
  readonly state: string | null;
  readonly revokedAt: number | null;
}

/** The meter and session calls of one connection; `spendTimeoutMs` bounds a spend's wait for the lock. */
export function meterCalls(calls: SqliteCalls, spendTimeoutMs: number): MeterCalls {
  const sql: Statements = Object.fromEntries(
    Object.entries(STATEMENTS).map(([name, text]) => [name, calls.prepare(text)]),
  ) as Statements;
  // Raw mode, as every token read (rows.ts): the token's columns in order, then the sign-out.
  sql.session.raw(true);
  const spendTx = (id: string, request: SpendRequest, now: number): SpendResult | null => {
    const row = sql.meter.get(id) as MeterRow | undefined;
    if (row === undefined || row.revokedAt !== null) return null;
    if (row.meter === null) return { ok: true, remaining: null };
    const meter = JSON.parse(row.meter) as TokenMeter;
    const state = row.state === null ? null : (JSON.parse(row.state) as RateLimitState);
    const step = spendStep(meter, state, request, now);
    if (!step.ok) return step.result;
    const kept = meter.ratelimits.length === 0 ? null : JSON.stringify(step.state);
    sql.writeMeter.run(JSON.stringify(step.meter), kept, id);
    return step.result;
  };
  const refillTx = calls.locked((now: number): number => {
    const due = sql.dueRefills.all(now) as { id: string; meter: string }[];
    let count = 0;
    for (const { id, meter } of due) {
      const next = refilled(JSON.parse(meter) as TokenMeter, now);
      if (next === null) continue;
      sql.writeRefill.run(JSON.stringify(next), id);
      count++;
    }
    return count;
  });
  return {
    spend: async (id, request, now) => calls.lockedBriefly(spendTimeoutMs, () => spendTx(id, request, now)),
    refillCredits: async (now) => refillTx(now),
    async findSession(sessionId: string, parentId: string): Promise<SessionLookup> {
      const row = sql.session.get(sessionId, parentId) as TokenRow | undefined;
      if (row === undefined) return { parent: null, revoked: sql.sessionRevoked.get(sessionId) !== undefined };
      return { parent: toRecord(row), revoked: row[TOKEN_COLUMN_NAMES.length] === 1 };
    },
    async revokeSession(session: RevokedSession): Promise<boolean> {
      return sql.revokeSession.run(session.id, session.tenant, session.expiresAt).changes === 1;
    },
    pruneRevokedSessions: async (before) => sql.pruneSessions.run(before).changes,
  };
}
