/**
 * Durations and duration policies at their boundaries (issue 15): written
 * answers for every unit of `formatDuration`, the digit and 100-year bounds
 * of `parseDuration`, values that only print like a duration, and a policy
 * equal to the ceiling.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/core/duration.js';
import type { TokenError } from '../../src/core/errors.js';
import { type ApplicablePolicy, type MaxTtlSource, resolveLifetime, resolveMaxTtl } from '../../src/core/policy.js';
import { refusalOf } from '../support/refusal.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('formatDuration, written answers', () => {
  it.each([
    [0, '0ms'],
    [1, '1ms'],
    [999, '999ms'],
    [1500, '1500ms'],
    [SECOND, '1s'],
    [90 * SECOND, '90s'],
    [MINUTE, '1m'],
    [90 * MINUTE, '90m'],
    [HOUR, '1h'],
    [36 * HOUR, '36h'],
    [86_400_000, '1d'],
    [2 * DAY, '2d'],
    [8 * DAY, '8d'],
    [7 * DAY, '1w'],
    [14 * DAY, '2w'],
    [365 * DAY, '1y'],
    [366 * DAY, '366d'],
    [100 * 365 * DAY, '100y'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('parseDuration boundaries', () => {
  it('the bound is 100 years of 365 days, in milliseconds', () => {
    expect(MAX_DURATION_MS).toBe(3_153_600_000_000);
    expect(parseDuration('100y')).toBe(MAX_DURATION_MS);
    expect(parseDuration('5200w')).toBe(5200 * 7 * DAY);
    expect(parseDuration('999999999ms')).toBe(999_999_999);
  });

  it.each([
    ['a one-element array', ['30d']],
    ['a boxed string', new String('30d')],
    ['a boxed number', new Number(1000)],
    ['an object that prints as a duration', { toString: () => '30d' }],
    ['ten digits', '1000000000ms'],
    ['one unit over 100 years', '5215w'],
    ['101 years', '101y'],
    ['above the bound by 1 ms', MAX_DURATION_MS + 1],
    ['an unsafe integer', 2 ** 53],
    ['zero milliseconds', '0ms'],
    ['a bigint', 1000n],
  ])('refuses %s naming the field', (_label, value) => {
    expect(refusalOf(() => parseDuration(value, 'policy.maxTtl'))).toEqual({
      code: 'invalid_request',
      field: 'policy.maxTtl',
    });
  });

  it("names 'ttl' by default", () => {
    expect(refusalOf(() => parseDuration('soon'))).toEqual({ code: 'invalid_request', field: 'ttl' });
  });
});

const role = (name: string): MaxTtlSource => ({ kind: 'role', name });
const user = (name: string): MaxTtlSource => ({ kind: 'user', name });

describe('resolveMaxTtl, written answers', () => {
  const ceiling = 30 * DAY;

  it('with no policy is the ceiling, from the system, uncapped', () => {
    expect(resolveMaxTtl([], ceiling)).toEqual({
      maxTtl: ceiling,
      source: { kind: 'system' },
      capped: false,
      applicable: [],
    });
  });

  it('a policy equal to the ceiling is the limit and is not capped', () => {
    const applicable: ApplicablePolicy[] = [{ source: role('bi'), maxTtl: ceiling }];
    expect(resolveMaxTtl(applicable, ceiling)).toEqual({
      maxTtl: ceiling,
      source: role('bi'),
      capped: false,
      applicable,
    });
  });

  it('a policy one millisecond above the ceiling is capped to it', () => {
    const applicable: ApplicablePolicy[] = [{ source: user('ann'), maxTtl: ceiling + 1 }];
    expect(resolveMaxTtl(applicable, ceiling)).toEqual({
      maxTtl: ceiling,
      source: user('ann'),
      capped: true,
      applicable,
    });
  });

  it('of two equal policies the first one listed is the source', () => {
    const applicable: ApplicablePolicy[] = [
      { source: role('short'), maxTtl: DAY },
      { source: user('ann'), maxTtl: 7 * DAY },
      { source: role('bi'), maxTtl: 7 * DAY },
    ];
    const result = resolveMaxTtl(applicable, ceiling);
    expect(result).toEqual({ maxTtl: 7 * DAY, source: user('ann'), capped: false, applicable });
    expect(result.applicable).not.toBe(applicable);
  });
});

describe('resolveLifetime boundaries', () => {
  const defaults = { defaultTtl: 90 * DAY, allowNoExpiry: false };
  const byRole = resolveMaxTtl([{ source: role('bi'), maxTtl: 7 * DAY }], 365 * DAY);
  const bySystem = resolveMaxTtl([], 30 * DAY);

  /** The error a call throws, as code, details and message. */
  function thrown(call: () => unknown): { code: string; details: object; message: string } {
    try {
      call();
    } catch (error) {
      const { code, details, message } = error as TokenError;
      return { code, details, message };
    }
    throw new Error('expected a TokenError');
  }

  it('a request equal to the maximum is kept; one millisecond more is refused', () => {
    expect(resolveLifetime(7 * DAY, byRole, defaults)).toBe(7 * DAY);
    expect(thrown(() => resolveLifetime(7 * DAY + 1, byRole, defaults))).toEqual({
      code: 'duration_exceeds_policy',
      details: { field: 'ttl', limit: 7 * DAY, source: role('bi') },
      message: 'ttl exceeds the maximum of 1w set by the role policy of bi',
    });
    expect(thrown(() => resolveLifetime(31 * DAY, bySystem, defaults)).message).toBe(
      'ttl exceeds the maximum of 1mo set by the system maximum',
    );
  });

  it('no request is the shorter of the default and the maximum', () => {
    expect(resolveLifetime(undefined, byRole, defaults)).toBe(7 * DAY);
    expect(resolveLifetime(undefined, bySystem, { ...defaults, defaultTtl: DAY })).toBe(DAY);
  });

  it('no expiry: only when allowed and the system sets the limit, otherwise refused naming the limit', () => {
    expect(resolveLifetime(null, bySystem, { ...defaults, allowNoExpiry: true })).toBeNull();
    expect(thrown(() => resolveLifetime(null, bySystem, defaults))).toEqual({
      code: 'duration_exceeds_policy',
      details: { field: 'ttl', limit: 30 * DAY, source: { kind: 'system' } },
      message: 'tokens without expiry are not allowed',
    });
    expect(thrown(() => resolveLifetime(null, byRole, { ...defaults, allowNoExpiry: true }))).toEqual({
      code: 'duration_exceeds_policy',
      details: { field: 'ttl', limit: 7 * DAY, source: role('bi') },
      message: 'tokens without expiry are not allowed: the maximum is 1w, set by the role policy of bi',
    });
    const byUser = resolveMaxTtl([{ source: user('ann'), maxTtl: DAY }], 30 * DAY);
    expect(thrown(() => resolveLifetime(null, byUser, { ...defaults, allowNoExpiry: true })).message).toBe(
      'tokens without expiry are not allowed: the maximum is 1d, set by the user policy of ann',
    );
  });
});
