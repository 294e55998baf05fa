/**
 * A stored record's state and public views (src/core/records.ts) against
 * written answers (issue 15): live, status and the earlier expiry at their
 * boundaries, every field of `toInfo` (dates, never a hash), the meter's
 * view with a refill that has come due, and the claims check.
 */
import { describe, expect, it } from 'vitest';
import { claimsAgree, earlierExpiry, isLive, statusOf, toEventInfo, toInfo } from '../../src/core/records.js';
import type { TokenEvent, TokenMeter } from '../../src/core/types.js';
import { T0, testRecord } from '../support/records.js';

const ID = '01JD3Z6Q9X8K7M5N4P3R2S1T0V';
const NOW = T0 + 10_000;

describe('isLive and statusOf', () => {
  it.each<[string, number | null, number | null, boolean, string]>([
    ['no expiry, not revoked', null, null, true, 'active'],
    ['expiring later', NOW + 1, null, true, 'active'],
    ['expiring now', NOW, null, false, 'expired'],
    ['expired before now', NOW - 1, null, false, 'expired'],
    ['revoked, no expiry', null, NOW - 5, false, 'revoked'],
    ['revoked before it expired', NOW - 1, NOW - 5, false, 'revoked'],
    ['revoked, expiring later', NOW + 1, NOW - 5, false, 'revoked'],
    ['revoked at 0', null, 0, false, 'revoked'],
  ])('%s', (_what, expiresAt, revokedAt, live, status) => {
    const record = testRecord(ID, { expiresAt, revokedAt });
    expect(isLive(record, NOW)).toBe(live);
    expect(statusOf(record, NOW)).toBe(status);
  });
});

describe('earlierExpiry', () => {
  it.each<[number | null, number | null, number | null]>([
    [null, null, null],
    [null, 5, 5],
    [5, null, 5],
    [5, 7, 5],
    [7, 5, 5],
    [5, 5, 5],
    [0, null, 0],
    [null, 0, 0],
  ])('earlierExpiry(%s, %s) is %s', (a, b, expected) => {
    expect(earlierExpiry(a, b)).toBe(expected);
  });
});

describe('claimsAgree', () => {
  const record = testRecord(ID, { tenant: 'acme', owner: 'alice' });
  it.each<[string, string, string | null, boolean]>([
    ['same tenant and owner', 'acme', 'alice', true],
    ['another tenant', 'globex', 'alice', false],
    ['another owner', 'acme', 'bob', false],
    ['no owner where the record has one', 'acme', null, false],
  ])('%s', (_what, tenant, owner, expected) => {
    expect(claimsAgree(record, { tenant, owner, expiresAt: NOW })).toBe(expected);
  });

  it('an ownerless record agrees only with ownerless claims', () => {
    const ownerless = testRecord(ID, { owner: null, type: 'administrative' });
    expect(claimsAgree(ownerless, { tenant: 'acme', owner: null, expiresAt: NOW })).toBe(true);
    expect(claimsAgree(ownerless, { tenant: 'acme', owner: 'alice', expiresAt: NOW })).toBe(false);
  });
});

describe('toInfo', () => {
  it('answers every field, times as dates, and no hash', () => {
    const record = testRecord(ID, {
      type: 'limited',
      name: 'ci',
      comment: 'deploys',
      grants: [{ scope: 'reports' }],
      expiresAt: T0 + 100_000,
      revokedAt: null,
      rotatedAt: T0 + 1_000,
      lastUsedAt: T0 + 2_000,
      createdBy: 'token:PARENT',
      meta: { plan: 'pro' },
      enabled: false,
    });
    expect(toInfo(record, NOW)).toStrictEqual({
      id: ID,
      tenant: 'acme',
      type: 'limited',
      owner: 'alice',
      name: 'ci',
      comment: 'deploys',
      grants: [{ scope: 'reports' }],
      status: 'active',
      createdAt: new Date(T0),
      expiresAt: new Date(T0 + 100_000),
      revokedAt: null,
      rotatedAt: new Date(T0 + 1_000),
      lastUsedAt: new Date(T0 + 2_000),
      createdBy: 'token:PARENT',
      meta: { plan: 'pro' },
      enabled: false,
      ratelimits: [],
      remaining: null,
      refill: null,
    });
  });

  it('answers the status at the time asked, and a revocation time as a date', () => {
    const record = testRecord(ID, { expiresAt: NOW, revokedAt: null, rotatedAt: null, lastUsedAt: null });
    expect(toInfo(record, NOW - 1)).toMatchObject({ status: 'active', expiresAt: new Date(NOW) });
    expect(toInfo(record, NOW)).toMatchObject({ status: 'expired', rotatedAt: null, lastUsedAt: null });
    const revoked = toInfo(testRecord(ID, { expiresAt: null, revokedAt: T0 + 5 }), NOW);
    expect(revoked).toMatchObject({ status: 'revoked', expiresAt: null, revokedAt: new Date(T0 + 5) });
  });

  const HOUR = 3_600_000;
  const limit = { name: 'default', limit: 10, duration: 60_000 };

  it.each<[string, TokenMeter, number, object]>([
    [
      'credits without refill',
      { ratelimits: [limit], remaining: 4, refill: null, lastRefillAt: null },
      NOW,
      { ratelimits: [limit], remaining: 4, refill: null },
    ],
    [
      'a refill not yet due',
      { ratelimits: [], remaining: 1, refill: { interval: HOUR, amount: 9 }, lastRefillAt: T0 },
      T0 + HOUR - 1,
      { ratelimits: [], remaining: 1, refill: { interval: HOUR, amount: 9, lastRefillAt: new Date(T0) } },
    ],
    [
      'a refill come due twice over',
      { ratelimits: [], remaining: 1, refill: { interval: HOUR, amount: 9 }, lastRefillAt: T0 },
      T0 + 2 * HOUR + 5,
      { ratelimits: [], remaining: 9, refill: { interval: HOUR, amount: 9, lastRefillAt: new Date(T0 + 2 * HOUR) } },
    ],
    [
      'rate limits only',
      { ratelimits: [limit], remaining: null, refill: null, lastRefillAt: null },
      NOW,
      { ratelimits: [limit], remaining: null, refill: null },
    ],
  ])('the meter: %s', (_what, meter, now, expected) => {
    const info = toInfo(testRecord(ID, { meter }), now);
    expect({ ratelimits: info.ratelimits, remaining: info.remaining, refill: info.refill }).toStrictEqual(expected);
  });

  it('an unmetered token answers a frozen empty list of rate limits', () => {
    const info = toInfo(testRecord(ID, { meter: null }), NOW);
    expect(info.ratelimits).toEqual([]);
    expect(Object.isFrozen(info.ratelimits)).toBe(true);
  });
});

describe('toEventInfo', () => {
  it('answers the event with its time as a date, every other field as stored', () => {
    const event: TokenEvent = {
      id: 'E1',
      tokenId: ID,
      tenant: 'acme',
      type: 'used',
      actor: 'token:X',
      operation: 'GET /buckets',
      detail: { status: 200 },
      at: T0,
    };
    expect(toEventInfo(event)).toStrictEqual({ ...event, at: new Date(T0) });
  });
});
