import { TokenError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  // A month is 30 days and a year 365: token lifetimes are counted in days, not calendar
  // months or years (CloudBeaver's "1 month" choice; SPEC §4).
  mo: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

// `mo` before `m` and `ms` before `m`: the anchored pattern takes the whole unit either way.
const DURATION_PATTERN = /^(\d{1,9})(ms|mo|s|m|h|d|w|y)$/;

/** The longest lifetime any duration may express: 100 years. */
export const MAX_DURATION_MS: number = 100 * UNIT_MS.y!;

/**
 * Parses a duration into milliseconds: `'90s'`, `'15m'` (minutes), `'24h'`,
 * `'30d'`, `'2w'`, `'1mo'` (30 days), `'1y'` (365 days), `'500ms'`, or a positive integer number of
 * milliseconds. Anything else (zero, negatives, fractions, spaces, unknown
 * units, more than 100 years) is a `TokenError('invalid_request')` naming
 * `field`.
 *
 * @example
 * ```ts
 * import { parseDuration } from 'tokenward';
 * parseDuration('30d'); // 2592000000
 * ```
 */
export function parseDuration(value: unknown, field = 'ttl'): number {
  let ms: number | undefined;
  if (typeof value === 'number') {
    // Zero and negatives are refused below, with everything else out of range.
    if (Number.isSafeInteger(value)) ms = value;
  } else if (typeof value === 'string') {
    const match = DURATION_PATTERN.exec(value);
    if (match) ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  if (ms === undefined || ms <= 0 || ms > MAX_DURATION_MS) {
    throw new TokenError(
      'invalid_request',
      `${field} must be a positive duration such as '1mo', '30d', '24h' or '15m'`,
      {
        field,
      },
    );
  }
  return ms;
}

/**
 * Formats milliseconds as the largest whole unit that divides them:
 * 86400000 → `'1d'`, 5400000 → `'90m'`, 2592000000 → `'1mo'`,
 * 31536000000 → `'1y'`.
 *
 * @example
 * ```ts
 * import { formatDuration } from 'tokenward';
 * formatDuration(7_776_000_000); // '3mo'
 * ```
 */
export function formatDuration(ms: number): string {
  for (const unit of ['y', 'mo', 'w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
