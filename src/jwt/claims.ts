/**
 * @internal The claim checks of a verified JWT, run on the payload jose has
 * verified the signature of (`compactVerify`). They are the checks
 * `jose.jwtVerify` makes with our options (RFC 7519 §4.1, in jose's order,
 * so a token that fails several gets the same answer), plus two of our own:
 * no tolerance for `exp`, and no `iat` in the future. jose's
 * `validateClaimsSet` builds its option lists for every call; these run on
 * a check fixed once per format (issue 12), and
 * test/jwt/claims-equivalence.test.ts proves, with fast-check, that they
 * accept and refuse exactly what `jwtVerify` followed by our own two checks
 * did.
 */
import type { JWTPayload } from 'jose';
import { TokenError } from '../core/errors.js';

/** What the claims are checked against. */
export interface ClaimCheck {
  readonly issuer: string;
  readonly audience: string;
  /** The exact `typ` header expected; compared as jose compares media types. */
  readonly typ: string;
  /** Seconds of tolerance for `nbf`/`iat` in the future. Never applied to `exp`. */
  readonly clockTolerance: number;
}

/**
 * The registered claims a token must carry, besides `iss` and `aud` (which
 * the issuer and audience checks require). The claims of each kind
 * (`tenant`, `secret`, `parent`, …) are checked by their parsers, which
 * refuse a missing one.
 */
export const REQUIRED_CLAIMS: readonly string[] = ['exp', 'iat', 'nbf', 'jti', 'sub'];

/** Every claim whose absence refuses a token, in the order jose looks for them. */
const PRESENT: readonly string[] = ['iss', 'aud', ...[...REQUIRED_CLAIMS].reverse()];

const invalid = (): TokenError => new TokenError('token_invalid', 'token is invalid');
const expired = (): TokenError => new TokenError('token_expired', 'token has expired');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A media type as jose compares `typ`: lower case, `application/` assumed when no subtype is given. */
export function normalizedTyp(value: string): string {
  const lower = value.toLowerCase();
  return value.includes('/') ? lower : `application/${lower}`;
}

/** True for a JSON object as jose requires the claims set to be (not an array, not null). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.prototype.toString.call(value) !== '[object Object]') {
    return false;
  }
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** The claims set in `payload` (UTF-8 JSON), or `token_invalid`. */
export function claimsSet(payload: Uint8Array): JWTPayload {
  let claims: unknown;
  try {
    claims = JSON.parse(strictUtf8.decode(payload));
  } catch {
    throw invalid();
  }
  if (!isPlainObject(claims)) throw invalid();
  return claims as JWTPayload;
}

/**
 * Checks the header's `typ` and the claims of a token whose signature jose
 * has verified, at `nowMs`. Throws `token_expired` for an `exp` at or before
 * now, `token_invalid` for anything else.
 */
export function checkClaims(typ: unknown, claims: JWTPayload, check: ClaimCheck, nowMs: number): void {
  if (typeof typ !== 'string' || normalizedTyp(typ) !== normalizedTyp(check.typ)) throw invalid();
  for (const claim of PRESENT) if (!Object.hasOwn(claims, claim)) throw invalid();
  if (claims.iss !== check.issuer) throw invalid();
  const { aud } = claims;
  if (typeof aud === 'string' ? aud !== check.audience : !Array.isArray(aud) || !aud.includes(check.audience)) {
    throw invalid();
  }
  const now = Math.floor(nowMs / 1000);
  const { iat, nbf, exp } = claims;
  if (typeof iat !== 'number' || typeof nbf !== 'number' || nbf > now + check.clockTolerance) throw invalid();
  if (typeof exp !== 'number') throw invalid();
  // jose lets `exp` slip by the clock tolerance; we do not: the tolerance is
  // for another clock's `nbf`, and an expired token stays expired.
  if (exp <= now) throw expired();
  if (iat > now + check.clockTolerance) throw invalid();
}
