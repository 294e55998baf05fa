import { TokenError } from '../core/errors.js';
import type { SessionClaims, SessionCodec } from '../core/format-types.js';
import { optionsObject } from '../core/options.js';
import { type KeySet, keyMaterial } from './keys.js';

export { SESSION_TYP } from './verify.js';

import {
  clockOption,
  clockToleranceOption,
  compactJwtOfTyp,
  nonEmptyOption,
  SESSION_TYP,
  shortClaim,
  signJwt,
  verifyJwt,
} from './verify.js';

/** Options of `jwtSessionCodec`. */
export interface JwtSessionCodecOptions {
  /** Keys from `createKeySet` (may be the same set as the token format's). */
  readonly keys: KeySet;
  /** The `iss` claim written and required. */
  readonly issuer: string;
  /** The `aud` claim written and required. */
  readonly audience: string;
  /** Seconds of tolerance for `nbf`/`iat` in the future (default 5, at most 300); never applied to `exp`. */
  readonly clockTolerance?: number;
  /** Clock in epoch milliseconds (default `Date.now`); pass the service's clock. */
  readonly now?: () => number;
}

function invalidToken(): TokenError {
  return new TokenError('token_invalid', 'token is invalid');
}

/**
 * Signs and checks the short-lived session tokens of `service.exchange` as
 * JWTs. Give it to `createTokenService({ sessions: { codec } })`.
 *
 * Claims: `iss`, `aud`, `sub` and `parent` (the id of the long-lived token it
 * was exchanged from), `jti` (the session id), `tenant`, `parent_rotated_at`
 * (the parent's rotation time, or null), `iat`, `nbf`, `exp`; header
 * `typ: "tw-session+jwt"`.
 *
 * A valid signature is not enough: on every verification the service checks
 * that the parent token is still live and has not been rotated since, so
 * revoking or rotating the parent ends its sessions at once.
 *
 * @example
 * ```ts
 * import { jwtSessionCodec } from 'tokenward/jwt';
 * const tokens = createTokenService({
 *   repository, pepper, directory,
 *   sessions: { codec: jwtSessionCodec({ keys, issuer, audience }), defaultTtl: '15m' },
 * });
 * const { token: session } = await tokens.exchange(apiToken);
 * ```
 */
export function jwtSessionCodec(options: JwtSessionCodecOptions): SessionCodec {
  // Each option read once (own keys only); everything below uses this copy.
  const given = optionsObject(options, 'options', ['keys', 'issuer', 'audience', 'clockTolerance', 'now']) as Partial<
    typeof options
  >;
  const material = keyMaterial(given.keys as KeySet);
  const issuer = nonEmptyOption(given.issuer, 'issuer');
  const audience = nonEmptyOption(given.audience, 'audience');
  const check = {
    material,
    issuer,
    audience,
    typ: SESSION_TYP,
    clockTolerance: clockToleranceOption(given.clockTolerance),
    now: clockOption(given.now),
  };
  const looksLike = compactJwtOfTyp(material, SESSION_TYP);

  return {
    kind: 'jwt',
    async sign(claims: SessionClaims): Promise<string> {
      const issuedAt = Math.floor(claims.issuedAt / 1000);
      return signJwt(
        {
          iss: issuer,
          aud: audience,
          sub: claims.parentId,
          jti: claims.sessionId,
          parent: claims.parentId,
          tenant: claims.tenant,
          parent_rotated_at: claims.parentRotatedAt,
          iat: issuedAt,
          nbf: issuedAt,
          exp: Math.floor(claims.expiresAt / 1000),
        },
        material,
        SESSION_TYP,
      );
    },
    async parse(token: string): Promise<SessionClaims | null> {
      if (!looksLike(token)) return null;
      const payload = await verifyJwt(token, check);
      const { jti, parent, sub, tenant, parent_rotated_at: rotatedAt, iat, exp } = payload;
      if (!shortClaim(jti) || !shortClaim(parent) || sub !== parent || !shortClaim(tenant)) throw invalidToken();
      if (rotatedAt !== null && !(typeof rotatedAt === 'number' && Number.isSafeInteger(rotatedAt) && rotatedAt >= 0)) {
        throw invalidToken();
      }
      return {
        sessionId: jti,
        parentId: parent,
        tenant,
        parentRotatedAt: rotatedAt,
        // verifyJwt has required both to be numbers.
        issuedAt: (iat as number) * 1000,
        expiresAt: (exp as number) * 1000,
      };
    },
    looksLike,
  };
}
