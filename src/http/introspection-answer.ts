import { invalid, isTokenError } from '../core/errors.js';
import { spendRequest } from '../core/metering-input.js';
import type { Principal } from '../core/principal-types.js';
import type { GrantSet, RateLimit, TokenMeta } from '../core/types.js';
import type { HttpAnswer } from './answers.js';
import type { TokenVerifier } from './authenticate.js';
import { oauthParameters } from './input.js';
import { scopeOf } from './scope.js';

/** The RFC 7662 answer for a live token, with tokenward's extension members. */
export interface ActiveIntrospection {
  readonly active: true;
  readonly token_type: 'Bearer';
  /** The token id. */
  readonly jti: string;
  /**
   * The issuer: one per tenant (the `issuer` option, by default
   * `urn:tokenward:tenant:<tenant>`), so that `iss` and `sub` together name
   * one user, although user names repeat across tenants.
   */
  readonly iss: string;
  /** The owning user, unique within `iss`; absent for administrative tokens. */
  readonly sub?: string;
  /** Expiry in seconds since the epoch; absent for tokens without expiry. */
  readonly exp?: number;
  /**
   * RFC 6749 §3.3 scope tokens of every need the token allows
   * (`bucket:b:read bucket:b:write component:c:run scope:s`, implied reads
   * included), or `all` for full access; absent when it allows nothing.
   * The encoding is documented in docs/http.md.
   */
  readonly scope?: string;
  readonly tenant: string;
  /** tokenward token type: `personal`, `limited`, `administrative`, `master`. */
  readonly type: string;
  readonly name: string;
  /** Effective grants, structured (what `scope` says, machine-readable). */
  readonly grants: GrantSet;
  readonly owner_is_admin: boolean;
  /**
   * Usage credits left after this introspection spent its cost (tokens
   * with credits only). A metered token's answer (with `remaining` or
   * `ratelimits`) is good for this request alone: a remote verifier never
   * caches it (docs/limits.md).
   */
  readonly remaining?: number;
  /** The token's rate limits (tokens that have some only). */
  readonly ratelimits?: readonly RateLimit[];
  /** The token's metadata (issue 13), as on the principal; absent when it has none. */
  readonly meta?: TokenMeta;
}

/** The whole answer: `{ active: false }` tells nothing more, whatever the reason. */
export type IntrospectionResponse = ActiveIntrospection | { readonly active: false };

/** The `iss` of a tenant's tokens when no `issuer` is configured. */
export const DEFAULT_ISSUER = 'urn:tokenward:tenant:{tenant}';

const TENANT_PLACEHOLDER = '{tenant}';

/** @internal The issuer of a tenant's tokens, from a template with `{tenant}`. */
export type IssuerOf = (tenant: string) => string;

/**
 * @internal Validates the `issuer` template: printable ASCII without spaces
 * (an RFC 7519 StringOrURI), up to 2000 characters, with `{tenant}` in it;
 * the tenant goes in percent-encoded.
 */
export function issuerOption(value: unknown, field = 'issuer'): IssuerOf {
  const template = value ?? DEFAULT_ISSUER;
  if (
    typeof template !== 'string' ||
    template.length > 2000 ||
    !/^[\x21-\x7e]+$/.test(template) ||
    !template.includes(TENANT_PLACEHOLDER)
  ) {
    throw invalid(field, 'must be printable ASCII without spaces, up to 2000 characters, containing {tenant}');
  }
  return (tenant) => template.replaceAll(TENANT_PLACEHOLDER, encodeURIComponent(tenant));
}

const defaultIssuer = issuerOption(undefined);

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const INACTIVE: HttpAnswer = { status: 200, headers: NO_STORE, body: { active: false } };

function expirySeconds(principal: Principal): number | undefined {
  const times = [principal.expiresAt?.getTime(), principal.session?.expiresAt.getTime()].filter(
    (time): time is number => time !== undefined,
  );
  return times.length === 0 ? undefined : Math.floor(Math.min(...times) / 1000);
}

/** @internal Describes a verified principal as RFC 7662 members. */
export function activeIntrospection(principal: Principal, issuerOf: IssuerOf = defaultIssuer): ActiveIntrospection {
  const exp = expirySeconds(principal);
  const scope = scopeOf(principal.grants);
  return {
    active: true,
    token_type: 'Bearer',
    jti: principal.tokenId,
    iss: issuerOf(principal.tenant),
    ...(principal.owner === null ? {} : { sub: principal.owner }),
    ...(exp === undefined ? {} : { exp }),
    ...(scope === undefined ? {} : { scope }),
    tenant: principal.tenant,
    type: principal.type,
    name: principal.name,
    grants: principal.grants,
    owner_is_admin: principal.ownerIsAdmin,
    ...(principal.remaining === undefined ? {} : { remaining: principal.remaining }),
    ...(principal.ratelimits === undefined ? {} : { ratelimits: principal.ratelimits }),
    ...(principal.meta === null ? {} : { meta: principal.meta }),
  };
}

const COST = /^\d{1,7}$/;

/**
 * What the introspection spends from a metered token: the request's
 * `cost` (a whole number, default 1) and `ratelimit` (limit names
 * separated by spaces, default all) parameters, tokenward's extensions
 * of RFC 7662 §2.1 that a remote verifier sends for its own `verify`
 * options. Undefined without either.
 *
 * @throws {TokenError} `invalid_request` naming `cost` or `ratelimit`.
 */
function spendOf(cost: string | undefined, ratelimit: string | undefined): { cost?: number; ratelimit?: string[] } {
  if (cost !== undefined && !COST.test(cost)) throw invalid('cost', 'must be a whole number from 0 to 1000000');
  const names = ratelimit?.split(' ');
  // Checked as verify would, but here, so that a bad parameter is the caller's 400, not "inactive".
  spendRequest(cost === undefined ? undefined : Number(cost), names);
  return {
    ...(cost === undefined ? {} : { cost: Number(cost) }),
    ...(names === undefined ? {} : { ratelimit: names }),
  };
}

/**
 * @internal Answers one introspection request from an authenticated caller
 * (RFC 7662 §2) about tokens of `tenant` (`undefined`: every tenant).
 * Unknown parameters are ignored (RFC 6749 §3.2). Static verification
 * tokens are never reported active: they guard this service, not the
 * services that ask about tokens. A storage outage is a 503, not
 * `active: false`, so a remote verifier does not cache a live token as dead;
 * a metered token over its limit or out of credits is a 429 with
 * `Retry-After`, for the same reason. Each introspection of a metered
 * token spends its `cost` (default 1).
 */
export async function introspect(
  verifier: TokenVerifier,
  tenant: string | undefined,
  body: unknown,
  issuerOf: IssuerOf,
): Promise<HttpAnswer> {
  const { token, cost, ratelimit } = oauthParameters(body, ['token', 'token_type_hint', 'cost', 'ratelimit']);
  if (token === undefined) throw invalid('token', 'is required');
  const spend = cost === undefined && ratelimit === undefined ? undefined : spendOf(cost, ratelimit);
  const options =
    spend === undefined
      ? tenant === undefined
        ? undefined
        : { tenant }
      : { ...spend, ...(tenant === undefined ? {} : { tenant }) };
  try {
    const principal = await verifier.verify(token, options);
    if (principal.type === 'verification') return INACTIVE;
    return { status: 200, headers: NO_STORE, body: activeIntrospection(principal, issuerOf) };
  } catch (error) {
    if (isTokenError(error) && (error.status === 401 || error.code === 'invalid_request')) return INACTIVE;
    throw error;
  }
}
