import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/core/duration.js';
import { TokenError } from '../../src/core/errors.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['1mo', 2_592_000_000],
    ['3mo', 7_776_000_000],
    ['1y', 31_536_000_000],
    ['500ms', 500],
    [1, 1],
    [86_400_000, 86_400_000],
  ])('parses %j', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    '',
    '0d',
    '-1d',
    '1.5d',
    ' 1d',
    '1d ',
    '1 d',
    '1D',
    '1MO',
    '1mon',
    '1month',
    'mo',
    '1om',
    'd',
    '1',
    '1x',
    '101y',
    '1e3s',
    '１d',
    0,
    -5,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    null,
    undefined,
    {},
    [],
    true,
    '9999999999d',
  ])('refuses %j with invalid_request naming the field', (input) => {
    try {
      parseDuration(input, 'ttl');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenError);
      expect((error as TokenError).code).toBe('invalid_request');
      expect((error as TokenError).details.field).toBe('ttl');
    }
  });

  it('round-trips through formatDuration for every whole unit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'mo', 'y'), (n, unit) => {
        const ms = parseDuration(`${n}${unit}`);
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });

  it("counts a month as 30 days, and '1m' stays a minute", () => {
    expect(parseDuration('1mo')).toBe(parseDuration('30d'));
    expect(parseDuration('12mo')).toBe(360 * 86_400_000);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1200mo')).toBe(36_000 * 86_400_000);
    expect(() => parseDuration('1300mo')).toThrow(TokenError);
  });

  it('never accepts more than the 100-year bound', () => {
    expect(parseDuration(MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
    expect(() => parseDuration(MAX_DURATION_MS + 1)).toThrow(TokenError);
  });
});

describe('formatDuration', () => {
  it.each([
    [2_592_000_000, '1mo'],
    [7_776_000_000, '3mo'],
    [5_184_000_000, '2mo'],
    [31_536_000_000, '1y'],
    [31_104_000_000, '12mo'],
    [604_800_000, '1w'],
    [2_419_200_000, '4w'],
    [86_400_000, '1d'],
    [5_400_000, '90m'],
    [1_500, '1500ms'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
