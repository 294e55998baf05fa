/**
 * The metering arithmetic (src/core/metering.ts) against answers worked out
 * by hand: which limit a refused spend names when several refuse (the one
 * that makes the caller wait longest, "never" longest of all, the first on
 * a tie), the exact credit refusal with and without a refill that brings
 * enough, and meters whose refill and period start disagree (a store may
 * hold one; it counts as no refill). The properties in metering.test.ts
 * sample these cases too rarely to pin them.
 */
import { describe, expect, it } from 'vitest';
import { creditsAt, creditsRefusal, type RateLimitState, refilled, spendStep } from '../../src/core/metering.js';
import type { RateLimit, TokenMeter } from '../../src/core/types.js';

function meter(fields: Partial<TokenMeter> = {}): TokenMeter {
  return { ratelimits: [], remaining: null, refill: null, lastRefillAt: null, ...fields };
}

/** A limit of 2 calls per 1000 ms: a bucket of 2000 units that gains 2 a millisecond; a call takes 1000. */
const per = (name: string, limit = 2, duration = 1000): RateLimit => ({ name, limit, duration });

describe('which limit a refused spend names', () => {
  // At `at` the buckets hold `levels`; cost 1 takes 1000 units of each 2-per-second limit.
  // A level of 0 waits 500 ms, 600 waits 200 ms, 1000 or more passes; cost 3 > 2 never passes (null).
  const cases: readonly {
    what: string;
    levels: number[];
    cost?: number;
    limits?: RateLimit[];
    name: string;
    retryAfter: number | null;
  }[] = [
    { what: 'the longer wait, second', levels: [600, 0], name: 'b', retryAfter: 500 },
    { what: 'the longer wait, first', levels: [0, 600], name: 'a', retryAfter: 500 },
    { what: 'a tie: the first', levels: [0, 0], name: 'a', retryAfter: 500 },
    { what: 'only the second refuses', levels: [1000, 600], name: 'b', retryAfter: 200 },
    { what: 'only the first refuses', levels: [600, 2000], name: 'a', retryAfter: 200 },
    {
      what: 'never beats a wait, never first',
      levels: [2000, 0],
      limits: [per('a', 1, 1000), per('b')],
      cost: 2,
      name: 'a',
      retryAfter: null,
    },
    {
      what: 'never beats a wait, never second',
      levels: [0, 2000],
      limits: [per('a'), per('b', 1, 1000)],
      cost: 2,
      name: 'b',
      retryAfter: null,
    },
    {
      what: 'two nevers: the first',
      levels: [0, 0],
      limits: [per('a', 1, 1000), per('b', 1, 1000)],
      cost: 2,
      name: 'a',
      retryAfter: null,
    },
    {
      what: 'three: the longest is in the middle',
      levels: [800, 0, 600],
      limits: [per('a'), per('b'), per('c')],
      name: 'b',
      retryAfter: 500,
    },
  ];

  it.each(cases)('$what → $name after $retryAfter ms', ({ levels, cost = 1, limits, name, retryAfter }) => {
    const state: RateLimitState = { levels, at: 10_000 };
    const step = spendStep(
      meter({ ratelimits: limits ?? [per('a'), per('b')] }),
      state,
      { cost, ratelimits: null },
      10_000,
    );
    expect(step).toEqual({
      ok: false,
      result: { ok: false, code: 'rate_limited', retryAfter, ratelimit: name, remaining: null },
    });
  });

  it('a spend every limit allows takes cost × duration units from each, and keeps an unnamed one as it is', () => {
    const state: RateLimitState = { levels: [1000, 1500, 300], at: 10_000 };
    const limits = [per('a'), per('b'), per('c')];
    const step = spendStep(
      meter({ ratelimits: limits, remaining: 5 }),
      state,
      { cost: 1, ratelimits: ['a', 'b'] },
      10_000,
    );
    expect(step).toEqual({
      ok: true,
      result: { ok: true, remaining: 4 },
      meter: meter({ ratelimits: limits, remaining: 4 }),
      state: { levels: [0, 500, 300], at: 10_000 },
    });
  });
});

describe('credits', () => {
  const refill = { interval: 1000, amount: 5 };

  it.each([
    ['enough credits', meter({ remaining: 3 }), 3, null],
    ['no credits at all (unmetered)', meter(), 1_000_000, null],
    [
      'short, never refilled',
      meter({ remaining: 2 }),
      3,
      { ok: false, code: 'usage_exceeded', retryAfter: null, ratelimit: null, remaining: 2 },
    ],
    [
      'short, the next refill brings enough',
      meter({ remaining: 0, refill, lastRefillAt: 9_500 }),
      5,
      { ok: false, code: 'usage_exceeded', retryAfter: 500, ratelimit: null, remaining: 0 },
    ],
    [
      'short, no refill ever brings enough',
      meter({ remaining: 0, refill, lastRefillAt: 9_500 }),
      6,
      { ok: false, code: 'usage_exceeded', retryAfter: null, ratelimit: null, remaining: 0 },
    ],
    [
      'a period start without a refill counts as none',
      meter({ remaining: 0, lastRefillAt: 9_500 }),
      1,
      { ok: false, code: 'usage_exceeded', retryAfter: null, ratelimit: null, remaining: 0 },
    ],
    [
      'a refill without a period start counts as none',
      meter({ remaining: 0, refill, lastRefillAt: null }),
      1,
      { ok: false, code: 'usage_exceeded', retryAfter: null, ratelimit: null, remaining: 0 },
    ],
  ] as const)('%s', (_, given, cost, expected) => {
    expect(creditsRefusal(given, cost, 10_000)).toEqual(expected);
  });

  it.each([
    ['no refill', meter({ remaining: 1, lastRefillAt: 1_000 }), { remaining: 1, lastRefillAt: 1_000 }],
    ['no period start', meter({ remaining: 1, refill }), { remaining: 1, lastRefillAt: null }],
    [
      'a refill not yet due',
      meter({ remaining: 1, refill, lastRefillAt: 9_001 }),
      { remaining: 1, lastRefillAt: 9_001 },
    ],
    [
      'a refill due exactly now',
      meter({ remaining: 1, refill, lastRefillAt: 9_000 }),
      { remaining: 5, lastRefillAt: 10_000 },
    ],
    ['three periods late', meter({ remaining: 1, refill, lastRefillAt: 6_500 }), { remaining: 5, lastRefillAt: 9_500 }],
  ] as const)('creditsAt: %s', (_, given, expected) => {
    expect(creditsAt(given, 10_000)).toEqual(expected);
  });

  it('refilled answers the meter after a due refill, else null', () => {
    expect(refilled(meter({ remaining: 1, refill, lastRefillAt: 9_000 }), 10_000)).toEqual(
      meter({ remaining: 5, refill, lastRefillAt: 10_000 }),
    );
    expect(refilled(meter({ remaining: 1, refill, lastRefillAt: 9_001 }), 10_000)).toBeNull();
    expect(refilled(meter({ remaining: 1, lastRefillAt: 1 }), 10_000)).toBeNull();
  });

  it('a spend refused for credits is that refusal, changing nothing', () => {
    const given = meter({ remaining: 0, refill, lastRefillAt: 9_500, ratelimits: [per('a')] });
    expect(spendStep(given, null, { cost: 1, ratelimits: null }, 10_000)).toEqual({
      ok: false,
      result: { ok: false, code: 'usage_exceeded', retryAfter: 500, ratelimit: null, remaining: 0 },
    });
  });
});
