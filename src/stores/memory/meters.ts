/**
 * @internal The memory repository's meters and sessions: `spend` and
 * `refillCredits` run the core's arithmetic (src/core/metering.ts) on the
 * stored record and its buckets in one synchronous step, so concurrent
 * calls cannot come between the check and the write; sign-outs are kept
 * by session id until they are pruned.
 */
import { type RateLimitState, refilled, type SpendRequest, type SpendResult, spendStep } from '../../core/metering.js';
import type { RevokedSession, SessionLookup, TokenRepository } from '../../core/repository.js';
import type { TokenMeter, TokenRecord } from '../../core/types.js';
import { frozenRecord } from '../shared/freeze.js';
import type { MemoryState } from './state.js';

type MeterCalls = Required<
  Pick<TokenRepository, 'spend' | 'refillCredits' | 'findSession' | 'revokeSession' | 'pruneRevokedSessions'>
>;

const UNMETERED: SpendResult = Object.freeze({ ok: true, remaining: null });

/** `record` with `meter` in place of its own (version unchanged: a spend is not a compare-and-set change). */
function metered(record: TokenRecord, meter: TokenMeter): TokenRecord {
  return frozenRecord({ ...record, meter }, record.grants);
}

export function meterCalls(state: MemoryState): MeterCalls {
  const { tokens, buckets, revokedSessions } = state;
  return {
    async spend(id: string, request: SpendRequest, now: number): Promise<SpendResult | null> {
      const record = tokens.get(id);
      if (record === undefined || record.revokedAt !== null) return null;
      if (record.meter === null) return UNMETERED;
      const step = spendStep(record.meter, buckets.get(id) ?? null, request, now);
      if (!step.ok) return step.result;
      const next = metered(record, step.meter);
      const kept: RateLimitState | null = step.meter.ratelimits.length === 0 ? null : Object.freeze(step.state);
      state.store(next);
      if (kept !== null) buckets.set(id, kept);
      return step.result;
    },

    async refillCredits(now: number): Promise<number> {
      let count = 0;
      for (const record of tokens.values()) {
        if (record.meter === null || record.revokedAt !== null) continue;
        const meter = refilled(record.meter, now);
        if (meter === null) continue;
        state.store(metered(record, meter));
        count++;
      }
      return count;
    },

    async findSession(sessionId: string, parentId: string): Promise<SessionLookup> {
      return { parent: tokens.get(parentId) ?? null, revoked: revokedSessions.has(sessionId) };
    },

    async revokeSession(session: RevokedSession): Promise<boolean> {
      if (revokedSessions.has(session.id)) return false;
      revokedSessions.set(
        session.id,
        Object.freeze({ id: session.id, tenant: session.tenant, expiresAt: session.expiresAt }),
      );
      return true;
    },

    async pruneRevokedSessions(before: number): Promise<number> {
      let count = 0;
      for (const [id, session] of revokedSessions) {
        if (session.expiresAt >= before) continue;
        revokedSessions.delete(id);
        count++;
      }
      return count;
    },
  };
}
