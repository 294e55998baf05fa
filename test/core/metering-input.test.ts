/**
 * What `issue` accepts for `ratelimit`, `remaining` and `refill`, and what
 * `verify` spends (src/core/metering-input.ts): boundary tables — each
 * bound accepted and one step past it refused with `invalid_request`
 * naming the field — and the meters built, written out field by field.
 * The bounds are Unkey's (docs/limits.md): 10 limits, 1 000 000 per limit
 * and per call, durations from 1 second to 30 days, 10^12 credits, refills
 * at least 1 second apart.
 */
import { describe, expect, it } from 'vitest';
import { limitName, newMeter, parseRatelimits, spendRequest } from '../../src/core/metering-input.js';
import { fieldOf } from '../support/refusal.js';

const DAY = 86_400_000;

describe('limit names', () => {
  it.each([
    ['a', 'accepted'],
    ['0', 'accepted'],
    ['a'.repeat(64), 'accepted'],
    ['a'.repeat(65), 'name'],
    ['A9._:-z', 'accepted'],
    ['', 'name'],
    ['-a', 'name'],
    ['.a', 'name'],
    ['_a', 'name'],
    ['a b', 'name'],
    ['a!', 'name'],
    ['!a', 'name'],
    ['a\n', 'name'],
    ['é', 'name'],
    [7, 'name'],
    [null, 'name'],
  ])('%j → %s', (value, expected) => {
    expect(fieldOf(() => limitName(value, 'name'))).toBe(expected);
  });

  it('answers the name it was given', () => {
    expect(limitName('per-second.api:v1', 'x')).toBe('per-second.api:v1');
  });
});

describe('parseRatelimits: one limit', () => {
  it.each([
    [{ limit: 1, duration: '1s' }, 'accepted'],
    [{ limit: 1_000_000, duration: '30d' }, 'accepted'],
    [{ limit: 1_000_000, duration: 30 * DAY }, 'accepted'],
    [{ limit: 1, duration: 1000 }, 'accepted'],
    [{ limit: 0, duration: '1s' }, 'ratelimit.limit'],
    [{ limit: -1, duration: '1s' }, 'ratelimit.limit'],
    [{ limit: 1_000_001, duration: '1s' }, 'ratelimit.limit'],
    [{ limit: 1.5, duration: '1s' }, 'ratelimit.limit'],
    [{ limit: Number.NaN, duration: '1s' }, 'ratelimit.limit'],
    [{ limit: '5', duration: '1s' }, 'ratelimit.limit'],
    [{ duration: '1s' }, 'ratelimit.limit'],
    [{ limit: 1, duration: 999 }, 'ratelimit.duration'],
    [{ limit: 1, duration: '999ms' }, 'ratelimit.duration'],
    [{ limit: 1, duration: 30 * DAY + 1 }, 'ratelimit.duration'],
    [{ limit: 1, duration: '31d' }, 'ratelimit.duration'],
    [{ limit: 1, duration: 'soon' }, 'ratelimit.duration'],
    [{ limit: 1 }, 'ratelimit.duration'],
    [{ limit: 1, duration: '1s', name: '' }, 'ratelimit.name'],
    [{ limit: 1, duration: '1s', burst: 2 }, 'ratelimit.burst'],
    [null, 'ratelimit'],
    ['10/s', 'ratelimit'],
    [7, 'ratelimit'],
  ])('%o → %s', (value, expected) => {
    expect(fieldOf(() => parseRatelimits(value))).toBe(expected);
  });

  it('names an unnamed limit default and keeps the duration in milliseconds', () => {
    expect(parseRatelimits({ limit: 5, duration: '1m' })).toEqual([{ name: 'default', limit: 5, duration: 60_000 }]);
    expect(parseRatelimits({ name: 'burst', limit: 5, duration: 2000 })).toEqual([
      { name: 'burst', limit: 5, duration: 2000 },
    ]);
  });

  it('names fields after the field it is given', () => {
    expect(fieldOf(() => parseRatelimits({ limit: 0, duration: '1s' }, 'meter.ratelimit'))).toBe(
      'meter.ratelimit.limit',
    );
    expect(fieldOf(() => parseRatelimits([{ limit: 1, duration: '1h' }, {}], 'rl'))).toBe('rl[1].limit');
  });
});

describe('parseRatelimits: a list', () => {
  const limits = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `l${i}`, limit: 1, duration: '1s' }));

  it.each([
    [[], 'ratelimit'],
    [limits(1), 'accepted'],
    [limits(10), 'accepted'],
    [limits(11), 'ratelimit'],
    [
      [
        { limit: 1, duration: '1s' },
        { limit: 2, duration: '1s' },
      ],
      'ratelimit[1].name',
    ],
    [
      [
        { name: 'a', limit: 1, duration: '1s' },
        { name: 'b', limit: 1, duration: '1s' },
        { name: 'a', limit: 1, duration: '1s' },
      ],
      'ratelimit[2].name',
    ],
    [
      [
        { limit: 1, duration: '1s' },
        { name: 'default', limit: 1, duration: '1s' },
      ],
      'ratelimit[1].name',
    ],
    [[{ limit: 1, duration: '1s' }, 'x'], 'ratelimit[1]'],
    [[{ limit: 1, duration: '0s' }], 'ratelimit[0].duration'],
  ])('%o → %s', (value, expected) => {
    expect(fieldOf(() => parseRatelimits(value))).toBe(expected);
  });

  it('keeps the limits in the order given', () => {
    expect(
      parseRatelimits([
        { name: 'z', limit: 2, duration: '1h' },
        { name: 'a', limit: 1, duration: '1s' },
      ]),
    ).toEqual([
      { name: 'z', limit: 2, duration: 3_600_000 },
      { name: 'a', limit: 1, duration: 1000 },
    ]);
  });
});

describe('newMeter', () => {
  it('is null when nothing is metered', () => {
    expect(newMeter({}, 5)).toBeNull();
    expect(newMeter({ ratelimit: undefined, remaining: undefined, refill: undefined }, 5)).toBeNull();
  });

  it('credits alone: no limits, no refill', () => {
    expect(newMeter({ remaining: 0 }, 5)).toEqual({ ratelimits: [], remaining: 0, refill: null, lastRefillAt: null });
    expect(newMeter({ remaining: 1_000_000_000_000 }, 5)?.remaining).toBe(1_000_000_000_000);
  });

  it('a refill without remaining starts full, its periods from the creation', () => {
    expect(newMeter({ refill: { interval: '1d', amount: 100 } }, 5)).toEqual({
      ratelimits: [],
      remaining: 100,
      refill: { interval: DAY, amount: 100 },
      lastRefillAt: 5,
    });
    expect(newMeter({ refill: { interval: '1s', amount: 1 }, remaining: 0 }, 9)).toEqual({
      ratelimits: [],
      remaining: 0,
      refill: { interval: 1000, amount: 1 },
      lastRefillAt: 9,
    });
  });

  it('limits alone: no credits', () => {
    expect(newMeter({ ratelimit: { limit: 3, duration: '1s' } }, 5)).toEqual({
      ratelimits: [{ name: 'default', limit: 3, duration: 1000 }],
      remaining: null,
      refill: null,
      lastRefillAt: null,
    });
  });

  it.each([
    [{ remaining: -1 }, 'remaining'],
    [{ remaining: 1_000_000_000_001 }, 'remaining'],
    [{ remaining: 2.5 }, 'remaining'],
    [{ remaining: '3' }, 'remaining'],
    [{ remaining: null }, 'remaining'],
    [{ refill: { interval: '1s', amount: 1_000_000_000_000 } }, 'accepted'],
    [{ refill: { interval: '1s', amount: 1_000_000_000_001 } }, 'refill.amount'],
    [{ refill: { interval: '1s', amount: 0 } }, 'refill.amount'],
    [{ refill: { interval: '1s' } }, 'refill.amount'],
    [{ refill: { interval: '999ms', amount: 1 } }, 'refill.interval'],
    [{ refill: { interval: 999, amount: 1 } }, 'refill.interval'],
    [{ refill: { interval: 1000, amount: 1 } }, 'accepted'],
    [{ refill: { amount: 1 } }, 'refill.interval'],
    [{ refill: { interval: '1s', amount: 1, every: 2 } }, 'refill.every'],
    [{ refill: null }, 'refill'],
    [{ refill: [] }, 'refill'],
    [{ ratelimit: [] }, 'ratelimit'],
  ])('%o → %s', (value, expected) => {
    expect(fieldOf(() => newMeter(value, 0))).toBe(expected);
  });
});

describe('spendRequest', () => {
  it('spends 1 from every limit by default, nothing at cost 0', () => {
    expect(spendRequest(undefined, undefined)).toEqual({ cost: 1, ratelimits: null });
    expect(spendRequest(0, undefined)).toBeNull();
    expect(spendRequest(0, 'a')).toBeNull();
    expect(spendRequest(1_000_000, undefined)).toEqual({ cost: 1_000_000, ratelimits: null });
  });

  it('names the limits given, one or a list', () => {
    expect(spendRequest(2, 'api')).toEqual({ cost: 2, ratelimits: ['api'] });
    expect(spendRequest(undefined, ['a', 'b'])).toEqual({ cost: 1, ratelimits: ['a', 'b'] });
    expect(spendRequest(undefined, [])).toEqual({ cost: 1, ratelimits: [] });
  });

  it.each([
    [-1, undefined, 'cost'],
    [1_000_001, undefined, 'cost'],
    [1.5, undefined, 'cost'],
    ['1', undefined, 'cost'],
    [null, undefined, 'cost'],
    [1, '', 'ratelimit'],
    [1, 5, 'ratelimit'],
    [1, ['a', ' b'], 'ratelimit[1]'],
    [1, [null], 'ratelimit[0]'],
  ])('cost %o, ratelimit %o → %s', (cost, ratelimit, expected) => {
    expect(fieldOf(() => spendRequest(cost, ratelimit))).toBe(expected);
  });

  it('prefixes the fields it names', () => {
    expect(fieldOf(() => spendRequest(-1, undefined, 'meter.'))).toBe('meter.cost');
    expect(fieldOf(() => spendRequest(1, '!', 'meter.'))).toBe('meter.ratelimit');
    expect(fieldOf(() => spendRequest(1, ['a', '!'], 'meter.'))).toBe('meter.ratelimit[1]');
  });
});
