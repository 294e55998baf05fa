import { isTokenError } from '../errors.js';
import { COMPONENT_ACTIONS, needToString } from '../grants.js';
import type { Principal } from '../principal-types.js';
import type { GrantSet } from '../types.js';
import type { HttpAnswer } from './answers.js';
import { checkRealm } from './answers.js';
import { type AuthSettings, authSettings, type TokenVerifier } from './authenticate.js';
import { bodyObject, invalidField, optionalString } from './input.js';
import { booleanOption, functionOption, optionsObject, verifierOption } from './options.js';

/** Options of the RFC 7662 introspection endpoint. */
export interface IntrospectionOptions {
  /** Realm of the challenge sent to unauthenticated callers (default `api`). */
  readonly realm?: string;
  /**
   * Who may introspect (default: administrative and verification tokens).
   * The caller authenticates with its own token in the `Authorization` header.
   */
  readonly authorize?: (caller: Principal) => boolean;
  /**
   * Answer administrative callers about tokens of every tenant, not only
   * their own (default false). Verification tokens guard the whole service
   * and always see every tenant.
   */
  readonly anyTenant?: boolean;
}

/** The RFC 7662 answer for a live token, with tokenward's extension members. */
export interface ActiveIntrospection {
  readonly active: true;
  readonly token_type: 'Bearer';
  /** The token id. */
  readonly jti: string;
  /** The owning user; absent for administrative tokens. */
  readonly sub?: string;
  /** Expiry in seconds since the epoch; absent for tokens without expiry. */
  readonly exp?: number;
  /** Space-separated needs the token covers (`bucket:x:write component:y:run scope:z`), or `all`. */
  readonly scope: string;
  readonly tenant: string;
  /** tokenward token type: `personal`, `limited`, `administrative`, `master`. */
  readonly type: string;
  readonly name: string;
  /** Effective grants, structured (what `scope` says, machine-readable). */
  readonly grants: GrantSet;
  readonly owner_is_admin: boolean;
}

/** The whole answer: `{ active: false }` tells nothing more, whatever the reason. */
export type IntrospectionResponse = ActiveIntrospection | { readonly active: false };

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;
const INACTIVE: HttpAnswer = { status: 200, headers: NO_STORE, body: { active: false } };

/** The default authorization: tokens that speak for a whole tenant or service. */
export function defaultIntrospectionAuthorize(caller: Principal): boolean {
  return (caller.type === 'administrative' || caller.type === 'verification') && caller.grants === 'all';
}

/** Largest introspection request body: a token and a hint. */
export const INTROSPECTION_BODY_LIMIT = 16 * 1024;

/** @internal The introspection endpoint's options after validation. */
export interface IntrospectionSettings {
  readonly settings: AuthSettings;
  readonly authorize: (caller: Principal) => boolean;
  readonly anyTenant: boolean;
}

/**
 * @internal Validates the introspection endpoint's options (Express and
 * Fastify alike; `extraKeys` adds the framework's own): a bad option is a
 * `TokenError('invalid_request')` naming it.
 */
export function introspectionSettings(
  verifier: unknown,
  options: unknown,
  extraKeys: readonly string[] = [],
): IntrospectionSettings {
  verifierOption(verifier);
  const checked = optionsObject(options, ['realm', 'authorize', 'anyTenant', ...extraKeys]);
  return {
    settings: authSettings({ realm: checkRealm(checked.realm) }),
    authorize:
      functionOption<(caller: Principal) => boolean>(checked.authorize, 'authorize') ?? defaultIntrospectionAuthorize,
    anyTenant: booleanOption(checked.anyTenant, 'anyTenant', false),
  };
}

/** `scope` string of a grant set: each grant as the needs it covers, in stable form. */
export function scopeString(grants: GrantSet): string {
  if (grants === 'all') return 'all';
  const parts: string[] = [];
  for (const grant of grants) {
    if ('bucket' in grant) parts.push(needToString({ bucket: grant.bucket, access: grant.access }));
    else if ('component' in grant) {
      for (const action of grant.actions ?? COMPONENT_ACTIONS) {
        parts.push(needToString({ component: grant.component, action }));
      }
    } else parts.push(needToString({ scope: grant.scope }));
  }
  return parts.join(' ');
}

function expirySeconds(principal: Principal): number | undefined {
  const times = [principal.expiresAt?.getTime(), principal.session?.expiresAt.getTime()].filter(
    (time): time is number => time !== undefined,
  );
  return times.length === 0 ? undefined : Math.floor(Math.min(...times) / 1000);
}

/** @internal Describes a verified principal as RFC 7662 members. */
export function activeIntrospection(principal: Principal): ActiveIntrospection {
  const exp = expirySeconds(principal);
  return {
    active: true,
    token_type: 'Bearer',
    jti: principal.tokenId,
    ...(principal.owner === null ? {} : { sub: principal.owner }),
    ...(exp === undefined ? {} : { exp }),
    scope: scopeString(principal.grants),
    tenant: principal.tenant,
    type: principal.type,
    name: principal.name,
    grants: principal.grants,
    owner_is_admin: principal.ownerIsAdmin,
  };
}

/**
 * @internal Answers one introspection request from an authorized caller
 * (RFC 7662 §2). Static verification tokens are never reported active: they
 * guard this service, not the services that ask about tokens. A storage
 * outage is a 503, not `active: false`, so a remote verifier does not cache
 * a live token as dead.
 */
export async function introspect(
  verifier: TokenVerifier,
  caller: Principal,
  body: unknown,
  options: Pick<IntrospectionOptions, 'anyTenant'>,
): Promise<HttpAnswer> {
  const fields = bodyObject(body, ['token', 'token_type_hint']);
  const token = optionalString(fields, 'token');
  if (token === undefined || token === '') throw invalidField('token', 'is required');
  optionalString(fields, 'token_type_hint');
  try {
    const everyTenant = options.anyTenant === true || caller.type === 'verification';
    const principal = await verifier.verify(token, everyTenant ? undefined : { tenant: caller.tenant });
    if (principal.type === 'verification') return INACTIVE;
    return { status: 200, headers: NO_STORE, body: activeIntrospection(principal) };
  } catch (error) {
    if (isTokenError(error) && (error.status === 401 || error.code === 'invalid_request')) return INACTIVE;
    throw error;
  }
}
