/**
 * @internal Reading a platform's RFC 7662 introspection answer into a
 * principal, for the remote verifier. Anything unexpected is garbage, and
 * garbage never passes: it is `unavailable`, not a principal.
 */
import { TokenError } from '../core/errors.js';
import { parseGrants } from '../core/grants.js';
import { repeatedName } from '../core/json-names.js';
import { meterRefused } from '../core/metering.js';
import { limitName, parseRatelimits } from '../core/metering-input.js';
import { createPrincipal } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import type { GrantSet, RateLimit, StoredTokenType, TokenMeta } from '../core/types.js';
import { grantsOfScope } from './scope.js';

const STORED_TYPES: readonly string[] = ['administrative', 'personal', 'master', 'limited'];

/** `unavailable`, optionally with its cause. */
export function unavailable(message: string, cause?: unknown): TokenError {
  return new TokenError('unavailable', message, cause === undefined ? {} : { cause });
}

function unreadable(cause?: unknown): TokenError {
  return unavailable('the token platform answered something unreadable', cause);
}

/** The grants of an answer: our `grants` member, else its RFC 6749 `scope`, else none. */
function grantsOf(answer: Record<string, unknown>): GrantSet {
  if (answer.grants === 'all') return 'all';
  if (answer.grants !== undefined) return parseGrants(answer.grants, 'grants');
  if (typeof answer.scope === 'string') return grantsOfScope(answer.scope);
  return [];
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

/** The members every live answer has, checked; false for anything else. */
function wellFormed(fields: Record<string, unknown>): boolean {
  const exp = fields.exp;
  return (
    text(fields.jti) &&
    text(fields.tenant) &&
    typeof fields.type === 'string' &&
    STORED_TYPES.includes(fields.type) &&
    (fields.sub === undefined || text(fields.sub)) &&
    (fields.name === undefined || typeof fields.name === 'string') &&
    (exp === undefined || (typeof exp === 'number' && Number.isFinite(exp))) &&
    (fields.meta === undefined ||
      (typeof fields.meta === 'object' && fields.meta !== null && !Array.isArray(fields.meta)))
  );
}

/**
 * The principal an answer describes, or null for "not active" (and for a
 * token the platform says has already expired at `now`: its word is not
 * taken for it).
 *
 * @throws {TokenError} `unavailable` for anything but one JSON object (no
 *   member named twice) with
 *   `active: false`, or with `active: true` and well-formed members.
 */
export function readAnswer(raw: string, now: number): Principal | null {
  let answer: unknown;
  try {
    answer = JSON.parse(raw);
  } catch (cause) {
    throw unreadable(cause);
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw unreadable();
  // A member named twice is read by the same rule as a request body: ambiguous, so not taken either way.
  if (repeatedName(raw) !== null) throw unreadable();
  const fields = answer as Record<string, unknown>;
  if (fields.active === false) return null;
  if (fields.active !== true || !wellFormed(fields)) throw unreadable();
  let grants: GrantSet;
  try {
    grants = grantsOf(fields);
  } catch (cause) {
    throw unreadable(cause);
  }
  const expiresAt = typeof fields.exp === 'number' ? fields.exp * 1000 : null;
  if (expiresAt !== null && expiresAt <= now) return null;
  const jti = fields.jti as string;
  return createPrincipal({
    tokenId: jti,
    type: fields.type as StoredTokenType,
    tenant: fields.tenant as string,
    owner: typeof fields.sub === 'string' ? fields.sub : null,
    name: typeof fields.name === 'string' ? fields.name : jti,
    grants,
    ownerIsAdmin: fields.owner_is_admin === true,
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
    ...meterOf(fields),
    meta: fields.meta === undefined ? null : (fields.meta as TokenMeta),
  });
}

/** The meter members of an answer (`remaining`, `ratelimits`), checked; none for an unmetered token. */
function meterOf(fields: Record<string, unknown>): { remaining?: number; ratelimits?: RateLimit[] } {
  const { remaining, ratelimits } = fields;
  if (remaining !== undefined && (typeof remaining !== 'number' || !Number.isSafeInteger(remaining) || remaining < 0)) {
    throw unreadable();
  }
  let limits: RateLimit[] | undefined;
  try {
    limits = ratelimits === undefined ? undefined : parseRatelimits(ratelimits);
  } catch (cause) {
    throw unreadable(cause);
  }
  return { ...(remaining === undefined ? {} : { remaining }), ...(limits === undefined ? {} : { ratelimits: limits }) };
}

/** True for the principal of a metered token: its answer is good for one request only. */
export function isMetered(principal: Principal): boolean {
  return principal.remaining !== undefined || principal.ratelimits !== undefined;
}

const METER_CODES: readonly string[] = ['rate_limited', 'usage_exceeded'];

/**
 * The platform's 429 for a metered token as the `TokenError` its own
 * `verify` threw: the code and the wait of its body, else of its
 * `Retry-After` header (seconds). Anything else in a 429 is `unavailable`.
 */
export async function meterRefusal(response: Response): Promise<TokenError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse((await response.text()).slice(0, 64 * 1024));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      body = parsed as Record<string, unknown>;
  } catch {
    // An unreadable body leaves only the status, which is not enough to say which refusal it was.
  }
  const code = body.error;
  if (typeof code !== 'string' || !METER_CODES.includes(code)) {
    return unavailable('the token platform refused the introspection request');
  }
  const header = Number(response.headers.get('retry-after') ?? Number.NaN);
  const retryAfter =
    typeof body.retryAfter === 'number' && Number.isSafeInteger(body.retryAfter) && body.retryAfter >= 0
      ? body.retryAfter
      : Number.isSafeInteger(header) && header >= 0
        ? header * 1000
        : null;
  let ratelimit: string | null = null;
  try {
    if (body.ratelimit !== undefined) ratelimit = limitName(body.ratelimit, 'ratelimit');
  } catch {
    // A name that is not a limit name is not passed on; the refusal stands.
  }
  return meterRefused(code as 'rate_limited' | 'usage_exceeded', retryAfter, ratelimit);
}
