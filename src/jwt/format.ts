import { TokenError } from '../core/errors.js';
import type { ParsedToken, TokenFormat, TokenMaterial } from '../core/format-types.js';
import { optionsObject } from '../core/options.js';
import { checkPrefix } from '../core/token-shape.js';
import type { StoredTokenType } from '../core/types.js';
import { type KeySet, keyMaterial } from './keys.js';

export { TOKEN_TYP } from './verify.js';

import {
  clockOption,
  clockToleranceOption,
  compactJwtOfTyp,
  nonEmptyOption,
  shortClaim,
  signJwt,
  TOKEN_TYP,
  verifyJwt,
} from './verify.js';

/** Options of `jwtFormat`. */
export interface JwtFormatOptions {
  /** Keys from `createKeySet`. */
  readonly keys: KeySet;
  /** The `iss` claim written and required, for example `https://auth.example.com`. */
  readonly issuer: string;
  /** The `aud` claim written and required, for example `https://api.example.com`. */
  readonly audience: string;
  /**
   * Optional prefix (1-20 lowercase letters or digits): the string becomes
   * `<prefix>_<jwt>`, which secret scanners can match. Without it the string
   * is a bare JWT that any JOSE library can check against the JWKS.
   */
  readonly prefix?: string;
  /**
   * Seconds by which `nbf` and `iat` may lie in the future, for clocks of
   * other machines running slightly ahead (default 5, at most 300). Never
   * applied to `exp`: a token is expired from its `exp` second on.
   */
  readonly clockTolerance?: number;
  /** Clock in epoch milliseconds (default `Date.now`); pass the service's clock. */
  readonly now?: () => number;
}

/**
 * The `exp` of a master token, counted from its `iat`: 100 years. Master
 * tokens have no expiry of their own (they end when the user leaves the
 * tenant), but every JWT we accept must carry `exp`.
 */
export const MASTER_TOKEN_EXP_SECONDS: number = 100 * 365 * 86_400;

const TOKEN_TYPES: readonly StoredTokenType[] = ['administrative', 'personal', 'master', 'limited'];

const FORMAT_KEYS = ['keys', 'issuer', 'audience', 'prefix', 'clockTolerance', 'now'] as const;

/**
 * A token format that issues signed JWTs (HS256, EdDSA or ES256) instead of
 * opaque strings. Give it to `createTokenService({ format })`.
 *
 * Claims: `iss`, `aud`, `sub` (the owner, or the token id for tokens without
 * owner), `jti` (the token id), `tenant`, `token_type`, `iat`, `nbf`, `exp`
 * and `secret` (the random secret whose keyed hash the repository stores);
 * header `typ: "tw+jwt"` and the signing key's `kid`.
 *
 * The signature only proves the string was made by us. Acceptance is still
 * decided by the repository: the service looks up `jti`, checks the secret
 * against the stored hash, and refuses revoked, rotated, expired and
 * foreign-tenant tokens exactly as for opaque tokens.
 *
 * Every JWT carries `exp`, and verification requires it. So `issue` with
 * `ttl: null` is refused with `TokenError('invalid_request')` (field `ttl`)
 * before anything is stored. Master tokens, which never expire on their own,
 * get an `exp` 100 years after `iat` (`MASTER_TOKEN_EXP_SECONDS`): their
 * record, not the claim, ends them when the user is removed.
 *
 * @example
 * ```ts
 * import { createTokenService } from 'tokenward';
 * import { createKeySet, generateSigningKey, jwtFormat } from 'tokenward/jwt';
 * const keys = await createKeySet({ signing: await generateSigningKey('EdDSA') });
 * const tokens = createTokenService({
 *   repository, pepper, directory,
 *   format: jwtFormat({ keys, issuer: 'https://auth.example.com', audience: 'https://api.example.com' }),
 * });
 * ```
 */
export function jwtFormat(options: JwtFormatOptions): TokenFormat {
  // Each option read once (own keys only); everything below uses this copy.
  const given = optionsObject(options, 'options', FORMAT_KEYS) as Partial<typeof options>;
  const material = keyMaterial(given.keys as KeySet);
  const issuer = nonEmptyOption(given.issuer, 'issuer');
  const audience = nonEmptyOption(given.audience, 'audience');
  const clockTolerance = clockToleranceOption(given.clockTolerance);
  const now = clockOption(given.now);
  const head = given.prefix === undefined ? '' : `${checkPrefix(given.prefix, 'prefix')}_`;
  const isOurs = compactJwtOfTyp(material, TOKEN_TYP);
  const check = {
    material,
    issuer,
    audience,
    typ: TOKEN_TYP,
    clockTolerance,
    now,
  };

  /** The bare JWT if `token` has our prefix, a JWT's shape and our `typ`, else null. */
  const unwrap = (token: string): string | null => {
    if (typeof token !== 'string' || !token.startsWith(head)) return null;
    const jwt = head === '' ? token : token.slice(head.length);
    return isOurs(jwt) ? jwt : null;
  };

  return {
    kind: 'jwt',
    signsExpiry: true,
    async encode(token: TokenMaterial): Promise<string> {
      const issuedAt = Math.floor(token.issuedAt / 1000);
      let expiresAt: number;
      if (token.expiresAt !== null) {
        // Rounded down, so the JWT never outlives its record.
        expiresAt = Math.floor(token.expiresAt / 1000);
      } else if (token.type === 'master') {
        // Master tokens live as long as their owner's membership; the record decides, the claim only bounds.
        expiresAt = issuedAt + MASTER_TOKEN_EXP_SECONDS;
      } else {
        throw new TokenError('invalid_request', 'ttl must not be null: JWT tokens always expire', { field: 'ttl' });
      }
      const jwt = await signJwt(
        {
          iss: issuer,
          aud: audience,
          sub: token.owner ?? token.id,
          jti: token.id,
          tenant: token.tenant,
          token_type: token.type,
          secret: token.secret,
          iat: issuedAt,
          nbf: issuedAt,
          exp: expiresAt,
        },
        material,
        TOKEN_TYP,
      );
      return head + jwt;
    },
    async parse(token: string): Promise<ParsedToken | null> {
      const jwt = unwrap(token);
      // Not ours at all (another shape, or a session token): let the caller say token_invalid.
      if (jwt === null) return null;
      const payload = await verifyJwt(jwt, check);
      const { jti, secret, token_type: type, tenant, sub, exp } = payload;
      if (!shortClaim(jti) || !shortClaim(secret) || !shortClaim(tenant) || !shortClaim(sub)) {
        throw invalidToken();
      }
      if (!TOKEN_TYPES.includes(type as StoredTokenType)) throw invalidToken();
      // `sub` is the owner, or the token's own id for a token without owner (as `encode` writes it).
      const owner = type === 'administrative' ? null : sub;
      if (owner === null && sub !== jti) throw invalidToken();
      // The service compares these with the record: a re-signed claim that disagrees is refused there.
      return {
        id: jti,
        secret,
        type: type as StoredTokenType,
        // verifyJwt has required `exp` to be a number.
        claims: { tenant, owner, expiresAt: (exp as number) * 1000 },
      };
    },
    looksLike(token: string): boolean {
      return unwrap(token) !== null;
    },
  };
}

function invalidToken(): TokenError {
  return new TokenError('token_invalid', 'token is invalid');
}
