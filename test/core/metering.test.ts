/**
 * The arithmetic of rate limits and usage credits (src/core/metering.ts)
 * against the bounds docs/limits.md states, as fast-check properties:
 *
 * - a rate limit of `limit` per `duration` admits a call of cost `c` at `t`
 *   exactly when, for every earlier instant `s`, what it admitted in
 *   `[s, t)` plus `c` is at most `limit + limit × (t − s) / duration` (the
 *   token bucket's arrival curve, checked on exact integers); so over any
 *   span of length `w` it admits at most `limit + limit × w / duration`;
 * - `retryAfter` is the exact wait: the same call alone is admitted then,
 *   and refused a millisecond earlier;
 * - credits: within each refill period at most the period's budget is
 *   spent, and a call is refused only when the budget is short;
 * - a refused spend changes nothing, and a clock that goes back never
 *   refills anything.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditsAt, type RateLimitState, refilled, type SpendRequest, spendStep } from '../../src/core/metering.js';
import type { RateLimit, TokenMeter } from '../../src/core/types.js';

const RUNS = 1000;
const T0 = 1_750_000_000_000;

const arbLimit = (name: string): fc.Arbitrary<RateLimit> =>
  fc.record({
    name: fc.constant(name),
    limit: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.constantFrom(1_000_000)),
    duration: fc.oneof(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom(30 * 86_400_000)),
  });

/** Calls: the gap since the previous one (often 0: bursts), their cost and which limits they name. */
const arbCalls = fc.array(
  fc.record({
    gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 40_000 })),
    cost: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 5 }), fc.constant(13)),
    names: fc.constantFrom<readonly string[] | null>(null, null, ['a'], ['b'], ['a', 'b'], [], ['elsewhere']),
  }),
  { minLength: 1, maxLength: 60 },
);

interface Admitted {
  readonly at: number;
  readonly cost: number;
  readonly names: readonly string[] | null;
}

function spends(call: { names: readonly string[] | null }, limit: RateLimit): boolean {
  return call.names === null || call.names.includes(limit.name);
}

/** The arrival-curve oracle: may `limit` take `cost` at `t`, given what it admitted before? */
function curveAllows(limit: RateLimit, admitted: readonly Admitted[], t: number, cost: number): boolean {
  if (cost > limit.limit) return false;
  const mine = admitted.filter((call) => spends(call, limit));
  for (const start of mine) {
    const inWindow = mine.filter((call) => call.at >= start.at).reduce((sum, call) => sum + call.cost, 0);
    // (inWindow + cost) ≤ limit + limit × (t − s) / duration, kept in integers.
    if (
      BigInt(inWindow + cost) * BigInt(limit.duration) >
      BigInt(limit.limit) * BigInt(limit.duration + t - start.at)
    ) {
      return false;
    }
  }
  return true;
}

function meterOf(ratelimits: readonly RateLimit[], credits: Partial<TokenMeter> = {}): TokenMeter {
  return { ratelimits, remaining: null, refill: null, lastRefillAt: null, ...credits };
}

describe('rate limits: a token bucket with an exact arrival curve (fast-check)', () => {
  it('admits a call exactly when every window ending at it stays within limit + limit × length / duration', () => {
    fc.assert(
      fc.property(arbLimit('a'), arbLimit('b'), arbCalls, (a, b, calls) => {
        let meter = meterOf([a, b]);
        let state: RateLimitState | null = null;
        const admitted: Admitted[] = [];
        let t = T0;
        for (const call of calls) {
          t += call.gap;
          const request: SpendRequest = { cost: call.cost, ratelimits: call.names };
          const expected = [a, b].every((limit) => !spends(call, limit) || curveAllows(limit, admitted, t, call.cost));
          const step = spendStep(meter, state, request, t);
          expect(step.ok).toBe(expected);
          if (step.ok) {
            admitted.push({ at: t, cost: call.cost, names: call.names });
            meter = step.meter;
            state = step.state;
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('over any span of length w, admits at most limit + limit × w / duration of each limit', () => {
    fc.assert(
      fc.property(arbLimit('a'), arbCalls, (a, calls) => {
        let meter = meterOf([a]);
        let state: RateLimitState | null = null;
        const admitted: Admitted[] = [];
        let t = T0;
        for (const call of calls) {
          t += call.gap;
          const step = spendStep(meter, state, { cost: call.cost, ratelimits: null }, t);
          if (!step.ok) continue;
          admitted.push({ at: t, cost: call.cost, names: null });
          meter = step.meter;
          state = step.state;
        }
        for (const first of admitted) {
          for (const last of admitted) {
            if (last.at < first.at) continue;
            const sum = admitted.filter((c) => c.at >= first.at && c.at <= last.at).reduce((s, c) => s + c.cost, 0);
            expect(sum * a.duration).toBeLessThanOrEqual(a.limit * a.duration + a.limit * (last.at - first.at));
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('retryAfter is the exact wait: the call alone passes then, and not a millisecond before', () => {
    fc.assert(
      fc.property(arbLimit('a'), arbCalls, fc.integer({ min: 1, max: 13 }), (a, calls, cost) => {
        let meter = meterOf([a]);
        let state: RateLimitState | null = null;
        let t = T0;
        for (const call of calls) {
          t += call.gap;
          const step = spendStep(meter, state, { cost: call.cost, ratelimits: null }, t);
          if (step.ok) ({ meter, state } = step);
        }
        const probe = spendStep(meter, state, { cost, ratelimits: null }, t);
        if (probe.ok) return;
        expect(probe.result.code).toBe('rate_limited');
        expect(probe.result.ratelimit).toBe('a');
        const wait = probe.result.retryAfter;
        if (cost > a.limit) {
          expect(wait).toBeNull();
          return;
        }
        expect(wait).toBeGreaterThan(0);
        expect(spendStep(meter, state, { cost, ratelimits: null }, t + wait!).ok).toBe(true);
        expect(spendStep(meter, state, { cost, ratelimits: null }, t + wait! - 1).ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('names the limit that makes the caller wait longest, and changes nothing when it refuses', () => {
    const meter = meterOf([
      { name: 'fast', limit: 10, duration: 1_000 },
      { name: 'slow', limit: 2, duration: 60_000 },
    ]);
    let current = meter;
    let state: RateLimitState | null = null;
    for (let i = 0; i < 2; i++) {
      const step = spendStep(current, state, { cost: 1, ratelimits: null }, T0);
      expect(step.ok).toBe(true);
      if (step.ok) ({ meter: current, state } = step);
    }
    const refused = spendStep(current, state, { cost: 1, ratelimits: null }, T0);
    expect(refused).toMatchObject({
      ok: false,
      result: { code: 'rate_limited', ratelimit: 'slow', retryAfter: 30_000 },
    });
    // Only the fast limit named: the slow one is not in the way.
    expect(spendStep(current, state, { cost: 1, ratelimits: ['fast'] }, T0).ok).toBe(true);
  });

  it('a clock that goes back refills nothing and admits no more than the clock held still', () => {
    fc.assert(
      fc.property(
        arbLimit('a'),
        fc.array(fc.integer({ min: -5_000, max: 5_000 }), { minLength: 1, maxLength: 40 }),
        (a, moves) => {
          let meter = meterOf([a]);
          let state: RateLimitState | null = null;
          let t = T0;
          let latest = Number.NEGATIVE_INFINITY;
          const admitted: Admitted[] = [];
          for (const move of moves) {
            t += move;
            const step = spendStep(meter, state, { cost: 1, ratelimits: null }, t);
            // Judged at the later of now and the last spend, never at an earlier instant.
            const judged = Math.max(latest, t);
            expect(step.ok).toBe(curveAllows(a, admitted, judged, 1));
            if (step.ok) {
              ({ meter, state } = step);
              latest = judged;
              admitted.push({ at: judged, cost: 1, names: null });
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('usage credits and refill (fast-check)', () => {
  const arbCredits = fc.record({
    remaining: fc.integer({ min: 0, max: 20 }),
    refill: fc.option(
      fc.record({ interval: fc.integer({ min: 1_000, max: 30_000 }), amount: fc.integer({ min: 1, max: 20 }) }),
      { nil: null },
    ),
  });

  it('spends within each refill period at most its budget, and refuses only when the budget is short', () => {
    fc.assert(
      fc.property(arbCredits, arbCalls, ({ remaining, refill }, calls) => {
        let meter = meterOf([], { remaining, refill, lastRefillAt: refill === null ? null : T0 });
        let t = T0;
        const spentIn = new Map<number, number>();
        for (const call of calls) {
          t += call.gap;
          const period = refill === null ? 0 : Math.floor((t - T0) / refill.interval);
          const budget = period === 0 ? remaining : refill!.amount;
          const spent = spentIn.get(period) ?? 0;
          const step = spendStep(meter, null, { cost: call.cost, ratelimits: call.names }, t);
          expect(step.ok).toBe(spent + call.cost <= budget);
          if (step.ok) {
            meter = step.meter;
            spentIn.set(period, spent + call.cost);
            expect(step.result.remaining).toBe(budget - spent - call.cost);
          } else {
            expect(step.result).toMatchObject({ code: 'usage_exceeded', remaining: budget - spent });
            const next = refill === null || refill.amount < call.cost ? null : T0 + (period + 1) * refill.interval - t;
            expect(step.result.retryAfter).toBe(next);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('refills lazily on the grid from creation: applying a refill early or late gives the same credits', () => {
    fc.assert(
      fc.property(
        arbCredits,
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        ({ remaining, refill }, first, second) => {
          const meter = meterOf([], { remaining, refill, lastRefillAt: refill === null ? null : T0 });
          const [early, late] = first <= second ? [T0 + first, T0 + second] : [T0 + second, T0 + first];
          const stepwise = { ...meter, ...creditsAt(meter, early) };
          expect(creditsAt(stepwise, late)).toEqual(creditsAt(meter, late));
          const refilledNow = refilled(meter, late);
          if (refilledNow === null) expect(creditsAt(meter, late).lastRefillAt).toBe(meter.lastRefillAt);
          else {
            expect(refilledNow.remaining).toBe(refill!.amount);
            expect((refilledNow.lastRefillAt! - T0) % refill!.interval).toBe(0);
            expect(late - refilledNow.lastRefillAt!).toBeLessThan(refill!.interval);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('checks credits before limits: no credits left is usage_exceeded, and then no limit is spent', () => {
    const meter = meterOf([{ name: 'a', limit: 1, duration: 1_000 }], { remaining: 0 });
    const step = spendStep(meter, null, { cost: 1, ratelimits: null }, T0);
    expect(step).toMatchObject({ ok: false, result: { code: 'usage_exceeded', retryAfter: null } });
    const withCredit = spendStep({ ...meter, remaining: 1 }, null, { cost: 1, ratelimits: null }, T0);
    expect(withCredit.ok).toBe(true);
  });
});
