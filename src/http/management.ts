import { isTokenError } from '../core/errors.js';
import type { Duration, StoredTokenType, Ttl } from '../core/types.js';
import type { TokenService } from '../service/token-service.js';
import type { Actor, IssueInput, ListFilter } from '../service/types.js';

export type { TokenService } from '../service/token-service.js';
// The service's types, for the framework adapters: they import the HTTP layer, not the service.
export type { Actor, VerifyOptions } from '../service/types.js';

import { invalid } from '../core/errors.js';
import { errorAnswer, type HttpAnswer } from './answers.js';
import type { BodyKind } from './body.js';
import { bodyObject, oauthParameters, optionalString, queryBoolean, queryInteger, queryString } from './input.js';
import { enabledRoute, expiringPage, updateToken } from './management-update.js';
import { openApiRoute } from './openapi-route.js';
import { asSentFields } from './sent-fields.js';

/**
 * @internal The management API for a "Personal access tokens" page, as
 * framework-neutral routes: the Express router and the Fastify plugin only
 * bind these to their own routing and copy the answer back.
 */

/** What a route handler receives. */
export interface ManagementContext {
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  /** The acting user or token; `null` for the routes that do not act for anyone (claim, RFC 7009 revoke). */
  readonly actor: Actor | null;
  /** The request's path, without the query string (where the API is mounted follows from it). */
  readonly path?: string;
}

/** One route of the management API. */
export interface ManagementRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Relative to where the API is mounted, with `:param` segments. */
  readonly path: string;
  /** Whether the app's actor resolver is asked (and must name someone) before the handler runs. */
  readonly needsActor: boolean;
  /**
   * What the body may be (`null`: a GET, whose body is never read). Routes
   * whose credential is in the body (claim, RFC 7009) also take form fields.
   */
  readonly body: BodyKind | null;
  handle(service: TokenService, context: ManagementContext): Promise<HttpAnswer>;
}

// Secrets and claim codes must not be cached by browsers or proxies.
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

function ok(body: unknown, status = 200): HttpAnswer {
  return { status, headers: NO_STORE, body };
}

function empty(status: number): HttpAnswer {
  return { status, headers: NO_STORE };
}

function actorOf(context: ManagementContext): Actor {
  // needsActor routes are only called with an actor; this guards the invariant.
  if (context.actor === null) throw new TypeError('management route called without an actor');
  return context.actor;
}

function param(context: ManagementContext, name: string): string {
  const value = context.params[name];
  if (value === undefined) throw invalid(name, 'is required');
  return value;
}

/** The tenant a call names: the `tenant` query parameter, else the actor's own (the service checks crossings). */
function tenantOf(context: ManagementContext): string | undefined {
  const requested = queryString(context.query, 'tenant');
  if (requested !== undefined) return requested;
  const actor = actorOf(context);
  if (actor === 'system') return undefined;
  return 'principal' in actor ? actor.principal.tenant : actor.tenant;
}

const TOKEN_TYPES: readonly string[] = ['administrative', 'personal', 'master', 'limited'];

function listFilter(context: ManagementContext): ListFilter {
  const query = context.query;
  const filter: { -readonly [K in keyof ListFilter]: ListFilter[K] } = {};
  const tenant = queryString(query, 'tenant');
  if (tenant !== undefined) filter.tenant = tenant;
  const owner = queryString(query, 'owner');
  if (owner !== undefined) filter.owner = owner;
  const all = queryBoolean(query, 'all');
  if (all !== undefined) filter.all = all;
  const types = queryString(query, 'type');
  if (types !== undefined) {
    const list = types.split(',');
    if (!list.every((type) => TOKEN_TYPES.includes(type))) {
      throw invalid('type', 'must be a comma-separated list of administrative, personal, master, limited');
    }
    filter.types = list as StoredTokenType[];
  }
  const hideExpired = queryBoolean(query, 'hideExpired');
  if (hideExpired !== undefined) filter.hideExpired = hideExpired;
  const hideRevoked = queryBoolean(query, 'hideRevoked');
  if (hideRevoked !== undefined) filter.hideRevoked = hideRevoked;
  const limit = queryInteger(query, 'limit');
  if (limit !== undefined) filter.limit = limit;
  const cursor = queryString(query, 'cursor');
  if (cursor !== undefined) filter.cursor = cursor;
  return filter;
}

function duration(body: Record<string, unknown>, name: string): Duration | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid(name, 'must be a duration');
  return value;
}

function ttlOrNull(body: Record<string, unknown>, name: string): Ttl | undefined {
  return body[name] === null ? null : duration(body, name);
}

const createToken: ManagementRoute = {
  method: 'POST',
  path: '/tokens',
  needsActor: true,
  body: 'json',
  async handle(service, context) {
    const body = bodyObject(context.body, [
      'type',
      'tenant',
      'owner',
      'name',
      'ttl',
      'comment',
      'grants',
      'meta',
      'enabled',
    ]);
    // Shapes are checked by the service; the cast only names the fields it will look at.
    const issued = await service.issue(body as IssueInput, actorOf(context));
    return ok({ token: issued.token, info: issued.info }, 201);
  },
};

const listTokens: ManagementRoute = {
  method: 'GET',
  path: '/tokens',
  needsActor: true,
  body: null,
  async handle(service, context) {
    const filter = listFilter(context);
    const expiring = await expiringPage(service, context, filter);
    if (expiring !== null) return expiring;
    const page = await service.list(filter, actorOf(context));
    return ok({ items: page.items, nextCursor: page.nextCursor });
  },
};

const getToken: ManagementRoute = {
  method: 'GET',
  path: '/tokens/:id',
  needsActor: true,
  body: null,
  async handle(service, context) {
    return ok(await service.get(param(context, 'id'), actorOf(context)));
  },
};

const revokeToken: ManagementRoute = {
  method: 'DELETE',
  path: '/tokens/:id',
  needsActor: true,
  body: 'json',
  async handle(service, context) {
    // The service answers a second revocation with the token as it stands (RFC 7009 §2.2: not an error).
    return ok(await service.revoke(param(context, 'id'), actorOf(context)));
  },
};

const rotateToken: ManagementRoute = {
  method: 'POST',
  path: '/tokens/:id/rotate',
  needsActor: true,
  body: 'json',
  async handle(service, context) {
    const body = bodyObject(context.body, ['gracePeriod']);
    const gracePeriod = duration(body, 'gracePeriod');
    const issued = await service.rotate(
      param(context, 'id'),
      actorOf(context),
      gracePeriod === undefined ? {} : { gracePeriod },
    );
    return ok({ token: issued.token, info: issued.info, graceEndsAt: issued.graceEndsAt });
  },
};

const shareToken: ManagementRoute = {
  method: 'POST',
  path: '/tokens/:id/share',
  needsActor: true,
  body: 'json',
  async handle(service, context) {
    const body = bodyObject(context.body, ['ttl']);
    const ttl = duration(body, 'ttl');
    const share = await service.share(param(context, 'id'), actorOf(context), ttl === undefined ? {} : { ttl });
    return ok({ code: share.code, tokenId: share.tokenId, expiresAt: share.expiresAt }, 201);
  },
};

const tokenEvents: ManagementRoute = {
  method: 'GET',
  path: '/tokens/:id/events',
  needsActor: true,
  body: null,
  async handle(service, context) {
    const limit = queryInteger(context.query, 'limit');
    const cursor = queryString(context.query, 'cursor');
    const page = await service.events(param(context, 'id'), actorOf(context), {
      ...(limit === undefined ? {} : { limit }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    return ok({ items: page.items, nextCursor: page.nextCursor });
  },
};

const claimToken: ManagementRoute = {
  method: 'POST',
  path: '/claims',
  // The claim code is the credential: whoever holds it may claim, once.
  needsActor: false,
  body: 'json-or-form',
  async handle(service, context) {
    const body = bodyObject(context.body, ['code']);
    const code = optionalString(body, 'code');
    if (code === undefined || code === '') throw invalid('code', 'is required');
    const issued = await service.claim(code);
    return ok({ token: issued.token, info: issued.info });
  },
};

function unsupportedTokenType(): HttpAnswer {
  return errorAnswer(
    400,
    { error: 'unsupported_token_type', message: 'this kind of token cannot be revoked here' },
    { pragma: 'no-cache' },
  );
}

/**
 * RFC 7009 token revocation by the token string itself: holding a token is
 * the right to revoke it (as when a leaked token is reported). Anything that
 * is not a live token answers 200 too, so the endpoint tells nothing about
 * tokens the caller does not hold.
 */
const revokeByToken: ManagementRoute = {
  method: 'POST',
  path: '/revoke',
  needsActor: false,
  body: 'json-or-form',
  async handle(service, context) {
    // RFC 6749 §3.2: client_id, client_secret and any other parameter are ignored. Holding the
    // token is the authority here, so client credentials add nothing and are not checked.
    const { token } = oauthParameters(context.body, ['token', 'token_type_hint']);
    if (token === undefined) throw invalid('token', 'is required');
    let principal: Awaited<ReturnType<TokenService['verify']>>;
    try {
      // Cost 0: revoking spends nothing, and works for a token over its limits or out of credits.
      principal = await service.verify(token, { cost: 0 });
    } catch (error) {
      if (isTokenError(error) && error.status === 401) return empty(200);
      throw error;
    }
    // Static verification tokens live in configuration: there is nothing stored to revoke.
    if (principal.type === 'verification') return unsupportedTokenType();
    try {
      // The token revokes itself, so the service's authority rule decides: a master token only
      // dies with its user, and a session signs itself out (it does not own the token it came from).
      await service.revoke(principal.session?.id ?? principal.tokenId, { principal });
    } catch (error) {
      if (isTokenError(error, 'forbidden')) return unsupportedTokenType();
      // Revoked, expired or deleted (purged) between the two calls: nothing left to revoke.
      const gone = isTokenError(error) && (error.status === 401 || error.code === 'not_found');
      if (!gone) throw error;
    }
    return empty(200);
  },
};

const revokeAllForUser: ManagementRoute = {
  method: 'POST',
  path: '/users/:user/revoke-all',
  needsActor: true,
  body: 'json',
  async handle(service, context) {
    const tenant = queryString(context.query, 'tenant');
    const user = param(context, 'user');
    const revoked = await service.revokeAll(tenant === undefined ? { user } : { tenant, user }, actorOf(context));
    return ok({ revoked });
  },
};

const explainUserPolicy: ManagementRoute = {
  method: 'GET',
  path: '/policies/users/:user',
  needsActor: true,
  body: null,
  async handle(service, context) {
    const user = param(context, 'user');
    const tenant = tenantOf(context);
    if (tenant === undefined) throw invalid('tenant', 'is required when the system acts');
    // explainMaxTtl takes no actor; listing the user's tokens applies the same rule
    // (the user themself or an admin of the tenant) before anything is revealed.
    await service.list({ tenant, owner: user, limit: 1 }, actorOf(context));
    return ok(await service.explainMaxTtl({ tenant, user }));
  },
};

/** `setMaxTtl`'s fields as `PUT /policies/…/:name` sends them: the body's `maxTtl`, the path's `name`, the query's `tenant`. */
const POLICY_FIELDS: Readonly<Record<string, string>> = {
  ttl: 'maxTtl',
  'target.user': 'name',
  'target.role': 'name',
  'target.tenant': 'tenant',
};

function policyRoute(kind: 'user' | 'role'): ManagementRoute {
  return {
    method: 'PUT',
    path: kind === 'user' ? '/policies/users/:name' : '/policies/roles/:name',
    needsActor: true,
    body: 'json',
    async handle(service, context) {
      const body = bodyObject(context.body, ['maxTtl']);
      if (!('maxTtl' in body)) throw invalid('maxTtl', "is required (a duration such as '24h', or null)");
      const maxTtl = ttlOrNull(body, 'maxTtl');
      const name = param(context, 'name');
      const tenant = queryString(context.query, 'tenant');
      const subject = kind === 'user' ? { user: name } : { role: name };
      await asSentFields(
        service.setMaxTtl(
          tenant === undefined ? subject : { ...subject, tenant },
          maxTtl === undefined ? null : maxTtl,
          actorOf(context),
        ),
        (field) => POLICY_FIELDS[field],
      );
      return empty(204);
    },
  };
}

/**
 * Every route of the management API, relative to its mount point:
 *
 * | method | path | does |
 * | --- | --- | --- |
 * | POST | /tokens | issue (`type`, `owner`, `name`, `ttl`, `comment`, `grants`, `meta`, `enabled`); the secret is in the answer, once |
 * | GET | /tokens | list (`owner`, `all`, `type`, `hideExpired`, `hideRevoked`, `limit`, `cursor`); with `expiringWithin=7d`, the live tokens expiring within it, soonest first |
 * | GET | /tokens/:id | one token |
 * | PATCH | /tokens/:id | change it in place: `name`, `comment`, `meta`, `enabled`, `grants`, `ttl` |
 * | POST | /tokens/:id/enable, /tokens/:id/disable | enable or disable it (a disabled token answers 401 `token_disabled`) |
 * | DELETE | /tokens/:id | revoke (revoking again is not an error) |
 * | POST | /tokens/:id/rotate | new secret (`gracePeriod` keeps the old one working) |
 * | POST | /tokens/:id/share | one-time claim code |
 * | GET | /tokens/:id/events | the token's history |
 * | POST | /claims | claim a shared token with its code |
 * | POST | /revoke | RFC 7009 revocation by token string |
 * | POST | /users/:user/revoke-all | revoke all of a user's tokens |
 * | GET | /policies/users/:user | explain the user's effective maximum lifetime |
 * | PUT | /policies/users/:name, /policies/roles/:name | set or clear (`null`) a max-duration policy |
 * | GET | /openapi.json | the OpenAPI 3.1 document of these routes |
 */
export const MANAGEMENT_ROUTES: readonly ManagementRoute[] = [
  createToken,
  listTokens,
  getToken,
  updateToken,
  enabledRoute(true),
  enabledRoute(false),
  revokeToken,
  rotateToken,
  shareToken,
  tokenEvents,
  claimToken,
  revokeByToken,
  revokeAllForUser,
  explainUserPolicy,
  policyRoute('user'),
  policyRoute('role'),
  openApiRoute(() => MANAGEMENT_ROUTES),
];
