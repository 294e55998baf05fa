/**
 * The arithmetic of rate limits and usage credits, without I/O: what one
 * verification spends, whether it may, and what is stored after it.
 * Exported for store authors: a repository's `spend` must answer exactly as
 * `spendStep` (the `tokenward/testing` meters section checks it). The
 * memory and SQLite stores run it under their lock; the
 * PostgreSQL store runs the same steps in SQL (`tokenward_spend`, migration
 * 4), held equal to this module by a differential test. docs/limits.md
 * states the bounds the properties in `test/core/metering*.test.ts` check.
 *
 * Rate limits are token buckets, kept in integers: a bucket of a limit of
 * `limit` per `duration` holds up to `limit × duration` units of
 * `1/duration` call each, and gains `limit` units per millisecond; a call
 * of cost `c` takes `c × duration` units. Within the bounds `ratelimit`
 * accepts (1 000 000 per 30 days at most) every number stays below 2^53.
 */
import { TokenError } from './errors.js';
import type { RateLimit, TokenMeter } from './types.js';

/** What one verification spends: `cost` credits, and `cost` of each limit it names. */
export interface SpendRequest {
  /** Units, 1 to 1 000 000. (Cost 0 never reaches a store: it spends nothing.) */
  readonly cost: number;
  /** The names of the limits to spend, or null for every limit of the token. Unknown names spend nothing. */
  readonly ratelimits: readonly string[] | null;
}

/** The answer of a spend: allowed, with the credits left, or refused, and why. */
export type SpendResult =
  | { readonly ok: true; readonly remaining: number | null }
  | {
      readonly ok: false;
      readonly code: 'usage_exceeded' | 'rate_limited';
      /** Milliseconds until the same spend could succeed, or null when waiting cannot help. */
      readonly retryAfter: number | null;
      /** The limit that refused (`rate_limited`), else null. */
      readonly ratelimit: string | null;
      /** Credits left (unchanged by the refusal), or null for a token without credits. */
      readonly remaining: number | null;
    };

/**
 * The buckets of a token's limits: the level of each (in the order of
 * `ratelimits`) as of `at`. Absent (null) before the first spend: every
 * bucket full.
 */
export interface RateLimitState {
  readonly levels: readonly number[];
  readonly at: number;
}

/** The outcome of one spend: the answer and, when it is allowed, what to store. */
export type SpendStep =
  | {
      readonly ok: true;
      readonly result: SpendResult & { readonly ok: true };
      readonly meter: TokenMeter;
      readonly state: RateLimitState;
    }
  | { readonly ok: false; readonly result: SpendResult & { readonly ok: false } };

/** Credits at `now`: `remaining` and the period start after any refill that has come due (lazily, SPEC §10). */
export function creditsAt(meter: TokenMeter, now: number): Pick<TokenMeter, 'remaining' | 'lastRefillAt'> {
  const { refill, lastRefillAt } = meter;
  if (refill === null || lastRefillAt === null || now < lastRefillAt + refill.interval) {
    return { remaining: meter.remaining, lastRefillAt };
  }
  // Periods stay on the grid that starts at the token's creation, however late the refill is applied.
  const periods = Math.floor((now - lastRefillAt) / refill.interval);
  return { remaining: refill.amount, lastRefillAt: lastRefillAt + periods * refill.interval };
}

/** The bucket's units of `limit` at `elapsed` ms after it held `level` (undefined: full). */
function filled(limit: RateLimit, level: number | undefined, elapsed: number): number {
  const capacity = limit.limit * limit.duration;
  if (level === undefined || elapsed >= limit.duration) return capacity;
  return Math.min(capacity, level + limit.limit * elapsed);
}

/** Whether the spend names this limit. */
function named(request: SpendRequest, limit: RateLimit): boolean {
  return request.ratelimits === null || request.ratelimits.includes(limit.name);
}

/**
 * The refusal of `cost` by the credits at `now` (`usage_exceeded`, with
 * the wait until the next refill if that brings enough), or null when the
 * credits cover it or the token has none.
 */
export function creditsRefusal(meter: TokenMeter, cost: number, now: number): (SpendResult & { ok: false }) | null {
  const { remaining, lastRefillAt } = creditsAt(meter, now);
  if (remaining === null || remaining >= cost) return null;
  const { refill } = meter;
  const comesBack = refill !== null && lastRefillAt !== null && refill.amount >= cost;
  return {
    ok: false,
    code: 'usage_exceeded',
    retryAfter: comesBack ? lastRefillAt + refill.interval - now : null,
    ratelimit: null,
    remaining,
  };
}

/**
 * One spend at `now` against a token's meter and buckets: credits first
 * (`usage_exceeded`), then every named limit (`rate_limited`, naming the
 * limit that makes the caller wait longest). All or nothing: a refused
 * spend changes nothing.
 */
export function spendStep(
  meter: TokenMeter,
  state: RateLimitState | null,
  request: SpendRequest,
  now: number,
): SpendStep {
  const { cost } = request;
  const short = creditsRefusal(meter, cost, now);
  if (short !== null) return { ok: false, result: short };
  const credits = creditsAt(meter, now);
  // A clock behind the stored one (another instance's) never refills a bucket backwards.
  const at = state === null ? now : Math.max(state.at, now);
  const elapsed = state === null ? 0 : at - state.at;
  const levels: number[] = [];
  let refusal: { name: string; retryAfter: number | null } | null = null;
  for (const [index, limit] of meter.ratelimits.entries()) {
    const level = filled(limit, state?.levels[index], elapsed);
    if (!named(request, limit)) {
      levels.push(level);
      continue;
    }
    // More than the bucket can ever hold: no wait helps.
    const wait =
      cost > limit.limit
        ? null
        : level >= cost * limit.duration
          ? 0
          : Math.ceil((cost * limit.duration - level) / limit.limit);
    if (
      wait !== 0 &&
      (refusal === null || (refusal.retryAfter !== null && (wait === null || wait > refusal.retryAfter)))
    ) {
      refusal = { name: limit.name, retryAfter: wait };
    }
    levels.push(wait === 0 ? level - cost * limit.duration : level);
  }
  if (refusal !== null) {
    const result = {
      ok: false,
      code: 'rate_limited',
      retryAfter: refusal.retryAfter,
      ratelimit: refusal.name,
      remaining: credits.remaining,
    } as const;
    return { ok: false, result };
  }
  const remaining = credits.remaining === null ? null : credits.remaining - cost;
  return {
    ok: true,
    result: { ok: true, remaining },
    meter: { ...meter, remaining, lastRefillAt: credits.lastRefillAt },
    state: { levels, at },
  };
}

/**
 * Applies a refill that has come due, for maintenance (`refillCredits`):
 * the meter as it would be after it, or null when none is due.
 */
export function refilled(meter: TokenMeter, now: number): TokenMeter | null {
  const credits = creditsAt(meter, now);
  if (credits.lastRefillAt === meter.lastRefillAt) return null;
  return { ...meter, ...credits };
}

/**
 * The error a refused spend is answered with (by the service, and by a
 * remote verifier for its platform's 429): `usage_exceeded` or
 * `rate_limited`, 429, with the wait in `details.retryAfter` (ms, or null
 * when waiting cannot help) and the refusing limit in `details.ratelimit`.
 */
export function meterRefused(
  code: 'usage_exceeded' | 'rate_limited',
  retryAfter: number | null,
  ratelimit: string | null,
): TokenError {
  const details = { retryAfter, ...(ratelimit === null ? {} : { ratelimit }) };
  return code === 'usage_exceeded'
    ? new TokenError('usage_exceeded', 'the token has no usage credits left', details)
    : new TokenError('rate_limited', 'the token is over its rate limit', details);
}
