/**
 * @internal The checks of what `issue` accepts for rate limits and usage
 * credits (`ratelimit`, `remaining`, `refill`) and of what `verify` spends
 * (`cost`, `ratelimit`). Every refusal is `TokenError('invalid_request')`
 * naming the field; the bounds keep the metering arithmetic in safe
 * integers (src/core/metering.ts) and match Unkey's.
 */
import { parseDuration } from './duration.js';
import { invalid } from './errors.js';
import { expectKeys, isPlainObject, listOf } from './input.js';
import type { SpendRequest } from './metering.js';
import type { RateLimit, Refill, TokenMeter } from './types.js';

/** The most rate limits one token may have. */
export const MAX_RATELIMITS = 10;
/** The largest `limit` of a rate limit, and the largest `cost` of a verification. */
export const MAX_LIMIT = 1_000_000;
/** The shortest and the longest `duration` of a rate limit: one second and thirty days. */
export const MIN_LIMIT_DURATION = 1_000;
export const MAX_LIMIT_DURATION = 30 * 86_400_000;
/** The most credits a token may hold (and a refill give). */
export const MAX_CREDITS = 1_000_000_000_000;
/** The shortest refill interval: one second. */
export const MIN_REFILL_INTERVAL = 1_000;
/** The name of a limit given without one. */
export const DEFAULT_LIMIT_NAME = 'default';

const LIMIT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

function wholeNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(field, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A limit's name: 1-64 letters, digits or `._:-`, starting with a letter or digit. */
export function limitName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !LIMIT_NAME.test(value)) {
    throw invalid(field, 'must be 1-64 letters, digits or ._:- starting with a letter or digit');
  }
  return value;
}

function rateLimit(value: unknown, field: string): RateLimit {
  if (!isPlainObject(value)) throw invalid(field, 'must be { name?, limit, duration }');
  const fields = expectKeys(value, field, ['name', 'limit', 'duration']);
  const name = fields.name === undefined ? DEFAULT_LIMIT_NAME : limitName(fields.name, `${field}.name`);
  const limit = wholeNumber(fields.limit, `${field}.limit`, 1, MAX_LIMIT);
  const duration = parseDuration(fields.duration, `${field}.duration`);
  if (duration < MIN_LIMIT_DURATION || duration > MAX_LIMIT_DURATION) {
    throw invalid(`${field}.duration`, "must be from 1 second to 30 days ('1s' to '30d')");
  }
  return { name, limit, duration };
}

/**
 * `ratelimit` of `issue`: one limit `{ name?, limit, duration }` or a list
 * of up to ten, with distinct names (an unnamed one is `default`).
 */
export function parseRatelimits(value: unknown, field = 'ratelimit'): RateLimit[] {
  const list = Array.isArray(value)
    ? listOf(value, field, MAX_RATELIMITS, `must have at most ${MAX_RATELIMITS} limits`, rateLimit)
    : [rateLimit(value, field)];
  if (list.length === 0) throw invalid(field, 'must name at least one limit (leave it out for none)');
  const names = new Set<string>();
  for (const [i, limit] of list.entries()) {
    if (names.has(limit.name)) throw invalid(Array.isArray(value) ? `${field}[${i}].name` : field, 'must be unique');
    names.add(limit.name);
  }
  return list;
}

function refill(value: unknown, field: string): Refill {
  if (!isPlainObject(value)) throw invalid(field, 'must be { interval, amount }');
  const fields = expectKeys(value, field, ['interval', 'amount']);
  const interval = parseDuration(fields.interval, `${field}.interval`);
  if (interval < MIN_REFILL_INTERVAL) throw invalid(`${field}.interval`, 'must be at least 1 second');
  return { interval, amount: wholeNumber(fields.amount, `${field}.amount`, 1, MAX_CREDITS) };
}

/**
 * The meter of a new token from `issue`'s `ratelimit`, `remaining` and
 * `refill` (null when none is given). `refill` without `remaining` starts
 * with `refill.amount` credits; refill periods start at `createdAt`.
 */
export function newMeter(
  given: { readonly ratelimit?: unknown; readonly remaining?: unknown; readonly refill?: unknown },
  createdAt: number,
): TokenMeter | null {
  const ratelimits = given.ratelimit === undefined ? [] : parseRatelimits(given.ratelimit);
  const refills = given.refill === undefined ? null : refill(given.refill, 'refill');
  const remaining =
    given.remaining === undefined
      ? (refills?.amount ?? null)
      : wholeNumber(given.remaining, 'remaining', 0, MAX_CREDITS);
  if (ratelimits.length === 0 && remaining === null) return null;
  return { ratelimits, remaining, refill: refills, lastRefillAt: refills === null ? null : createdAt };
}

/**
 * What `verify` spends: `cost` (default 1; 0 spends and checks nothing)
 * and the limits named by `ratelimit` (a name or a list; default every
 * limit of the token). Null when nothing is to be spent. Fields are named
 * `<prefix>cost` and `<prefix>ratelimit`.
 */
export function spendRequest(cost: unknown, ratelimit: unknown, prefix = ''): SpendRequest | null {
  const units = cost === undefined ? 1 : wholeNumber(cost, `${prefix}cost`, 0, MAX_LIMIT);
  const names =
    ratelimit === undefined
      ? null
      : Array.isArray(ratelimit)
        ? listOf(
            ratelimit,
            `${prefix}ratelimit`,
            MAX_RATELIMITS,
            `must name at most ${MAX_RATELIMITS} limits`,
            limitName,
          )
        : [limitName(ratelimit, `${prefix}ratelimit`)];
  return units === 0 ? null : { cost: units, ratelimits: names };
}
