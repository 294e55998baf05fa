/**
 * @internal The memory repository's meters and sessions: `spend` and
 * `refillCredits` run the core's arithmetic (src/core/metering.ts) on the
 * stored record and its buckets in one synchronous step, so concurrent
 * calls cannot come between the check and the write; sign-outs are kept
 * by session id until they are pruned. A meter lives in its row's `rest`
 * (table.ts), so an unmetered token's row carries nothing for it.
 */
import { type RateLimitState, refilled, type SpendRequest, type SpendResult, spendStep } from '../../core/metering.js';
import type { RevokedSession, SessionLookup, TokenRepository } from '../../core/repository.js';
import type { TokenMeter, TokenRecord } from '../../core/types.js';
import { REF, TIME } from './rows.js';
import type { MemoryState } from './state.js';

type MeterCalls = Required<
  Pick<TokenRepository, 'spend' | 'refillCredits' | 'findSession' | 'revokeSession' | 'pruneRevokedSessions'>
>;

const UNMETERED: SpendResult = Object.freeze({ ok: true, remaining: null });

/** Writes `meter` in place of the record's own (version unchanged: a spend is not a compare-and-set change). */
function storeMeter(state: MemoryState, slot: number, record: TokenRecord, meter: TokenMeter): void {
  state.change(slot, state.table.prepare({ ...record, meter }), false);
}

export function meterCalls(state: MemoryState): MeterCalls {
  const { table, buckets, revokedSessions } = state;
  return {
    async spend(id: string, request: SpendRequest, now: number): Promise<SpendResult | null> {
      const slot = table.slotOf(id);
      if (slot === undefined) return null;
      const record = table.read(slot);
      if (record.revokedAt !== null) return null;
      if (record.meter == null) return UNMETERED;
      const step = spendStep(record.meter, buckets.get(id) ?? null, request, now);
      if (!step.ok) return step.result;
      const kept: RateLimitState | null = step.meter.ratelimits.length === 0 ? null : Object.freeze(step.state);
      storeMeter(state, slot, record, step.meter);
      if (kept !== null) buckets.set(id, kept);
      return step.result;
    },

    async refillCredits(now: number): Promise<number> {
      const { rows } = table;
      let count = 0;
      for (let slot = 0; slot < rows.extent; slot++) {
        // A free row's creation time is NaN; an unmetered row's rest has no meter.
        if (Number.isNaN(rows.time(slot, TIME.createdAt))) continue;
        const rest = rows.ref(slot, REF.rest) as { readonly meter?: TokenMeter | null } | null;
        if (rest?.meter == null || !Number.isNaN(rows.time(slot, TIME.revokedAt))) continue;
        const meter = refilled(rest.meter, now);
        if (meter === null) continue;
        storeMeter(state, slot, table.read(slot), meter);
        count++;
      }
      return count;
    },

    async findSession(sessionId: string, parentId: string): Promise<SessionLookup> {
      return { parent: state.find(parentId), revoked: revokedSessions.has(sessionId) };
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
