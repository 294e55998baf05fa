/**
 * @internal Rate limits and usage credits on the service's side
 * (docs/limits.md): the meter a new token gets, what a verification spends
 * and how a refusal is reported, and the maintenance of credits. The
 * decision itself is the repository's `spend`, atomic across every
 * instance sharing the storage; a token without a meter never comes here.
 */
import { invalid, TokenError } from '../core/errors.js';
import { expectKeys } from '../core/input.js';
import { creditsRefusal, meterRefused, type SpendRequest, type SpendResult } from '../core/metering.js';
import { newMeter, spendRequest } from '../core/metering-input.js';
import type { TokenMeter, TokenRecord } from '../core/types.js';
import { guarded, type ServiceContext, tokenInvalid } from './context.js';

/** What a metered verification adds to the principal. */
export interface MeterFields {
  readonly remaining?: number;
  readonly ratelimits?: TokenMeter['ratelimits'];
}

/**
 * The meter of a token `issue` is about to store, or null. A store that
 * cannot spend atomically (a third-party store without `spend`) cannot
 * keep a meter: such a token is refused rather than left unmetered.
 *
 * @throws {TokenError} `invalid_request` naming `ratelimit`, `remaining`,
 *   `refill` or one of their members.
 */
export function meterForIssue(
  context: ServiceContext,
  fields: { readonly ratelimit?: unknown; readonly remaining?: unknown; readonly refill?: unknown },
  createdAt: number,
): TokenMeter | null {
  const meter = newMeter(fields, createdAt);
  if (meter !== null && context.repository.spend === undefined) {
    const field =
      fields.ratelimit !== undefined ? 'ratelimit' : fields.remaining !== undefined ? 'remaining' : 'refill';
    throw invalid(field, 'needs a repository that can spend atomically (its spend method); this one cannot');
  }
  return meter;
}

/** The spend of a `verify` call that asks for none: one credit from every limit. */
export const DEFAULT_SPEND: SpendRequest = Object.freeze({ cost: 1, ratelimits: null });

/** The options of `verify` (`VerifyOptions`); any other key is refused. */
const VERIFY_KEYS: readonly string[] = ['tenant', 'cost', 'ratelimit'];

/** What one `verify` call asks for, read once from its options. */
export interface VerifyRequest {
  /** Only tokens of this tenant pass; undefined for any tenant. */
  readonly tenant: string | undefined;
  /** What a metered token spends (null: cost 0, nothing is spent). */
  readonly spend: SpendRequest | null;
}

/**
 * `verify`'s options, checked and read once: only their own keys count (a
 * `cost` or `ratelimit` planted on `Object.prototype` is not an option), each
 * is read once (a getter cannot answer the check one value and the call
 * another), and an unknown key (`costt`) is refused rather than ignored.
 *
 * @throws {TokenError} `invalid_request` naming `options` or `options.<key>`
 *   (not an object, an unknown key, a getter that threw), `tenant`, `cost`
 *   or `ratelimit` (or `ratelimit[i]`).
 */
export function verifyRequest(options: unknown): VerifyRequest {
  const given = expectKeys(options, 'options', VERIFY_KEYS);
  const { tenant, cost, ratelimit } = given;
  if (tenant !== undefined && typeof tenant !== 'string') throw invalid('tenant', 'must be a string');
  const spend = cost === undefined && ratelimit === undefined ? DEFAULT_SPEND : spendRequest(cost, ratelimit);
  return { tenant, spend };
}

/** The error a refused spend is answered with; its details say how long to wait. */
function refusal(result: SpendResult & { readonly ok: false }): TokenError {
  return meterRefused(result.code, result.retryAfter, result.ratelimit);
}

/**
 * Spends `request` from a live token's meter, after every other check of
 * the verification has passed: so a credit is spent at verification,
 * whatever the route answers afterwards. Credits that are short even by
 * the record read for this verification (which may come from a cache, but
 * never shows more credits than there are: they only come back by refill,
 * counted here) are refused without asking the store; the store's answer
 * is the truth otherwise.
 *
 * @throws {TokenError} `usage_exceeded`, `rate_limited` (with
 *   `details.retryAfter`), `token_revoked` (revoked meanwhile),
 *   `token_invalid` (deleted meanwhile), `unavailable`.
 */
export async function spendFor(
  context: ServiceContext,
  record: TokenRecord,
  meter: TokenMeter,
  request: SpendRequest,
  at: number,
): Promise<MeterFields> {
  const short = creditsRefusal(meter, request.cost, at);
  if (short !== null) throw refusal(short);
  const { spend } = context.repository;
  // Issue refuses meters on such a store; a record written by other means fails closed.
  if (spend === undefined) throw new TokenError('unavailable', 'this repository cannot spend from a meter');
  const result = await spend.call(context.repository, record.id, request, at);
  if (result === null) {
    const now = await context.repository.findById(record.id);
    if (now === null) throw tokenInvalid();
    throw new TokenError('token_revoked', 'the token has been revoked');
  }
  if (!result.ok) throw refusal(result);
  return meterFields(meter, result.remaining);
}

/** The principal's view of a meter: its limits and the credits left, where it has them. */
export function meterFields(meter: TokenMeter, remaining: number | null): MeterFields {
  return {
    ...(remaining === null ? {} : { remaining }),
    ...(meter.ratelimits.length === 0 ? {} : { ratelimits: meter.ratelimits }),
  };
}

/** See `TokenService.refillCredits`. */
export async function refillCredits(context: ServiceContext): Promise<number> {
  const { repository } = context;
  if (repository.refillCredits === undefined) return 0;
  return guarded(repository.refillCredits(context.now()));
}
