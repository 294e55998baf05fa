import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Principal } from '../core/principal-types.js';
import type { Need } from '../core/types.js';
import { authenticateRequest } from '../fetch/auth.js';
import { toResponse } from '../fetch/request.js';
import {
  type AuthOptions,
  checkGuard,
  grantGuard,
  guardRealm,
  helperSettings,
  type RecordingOptions,
  recordUse,
  rememberedRealm,
  rememberRealm,
  type TokenVerifier,
} from '../http/authenticate.js';
import { type MeteringOptions, verifyOptionsFor } from '../http/metering.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** The verified token's principal, set by `tokenAuth`; null when optional and no token was sent. */
    tokenPrincipal: Principal | null;
  }
}

/** The variables `tokenAuth` sets, for apps that type their `Env`. */
export interface TokenVariables {
  tokenPrincipal: Principal | null;
}

/** Options of `tokenAuth`. */
/**
 * Options of `tokenAuth`. `cost` and `ratelimit` say what each request
 * spends from a metered token (docs/limits.md), fixed or as functions of
 * the `Context`.
 */
export interface HonoAuthOptions extends AuthOptions, RecordingOptions, MeteringOptions<Context> {
  /** Accept only tokens of this tenant; a function picks it per request (for example from the host name). */
  readonly tenant?: string | ((c: Context) => string | undefined);
}

/** Options of `requireGrant`. */
export interface HonoGuardOptions {
  /** Realm of the challenge (default: the one `tokenAuth` used for this request, else `api`). */
  readonly realm?: string;
}

/**
 * Hono middleware that authenticates the request's token and sets its
 * principal as `c.get('tokenPrincipal')`. Answers follow RFC 6750, exactly
 * as `tokenward/express` and `tokenward/fetch`: no token → 401 with a bare
 * `Bearer realm="…"` challenge; a bad, expired or revoked token → 401
 * `error="invalid_token"`; a malformed request → 400
 * `error="invalid_request"`; a storage outage → 503. With `optional: true`,
 * requests without a token go on with a null principal. With `record: true`
 * each authenticated request is recorded after the handler answered, with
 * the matched route's pattern.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option
 *   (the list of `tokenAuth` in `tokenward/express`).
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { requireGrant, tokenAuth } from 'tokenward/hono';
 *
 * const app = new Hono();
 * app.use('/api/*', tokenAuth(tokens, { realm: 'storage' }));
 * app.get('/api/buckets/main', requireGrant({ bucket: 'main', access: 'read' }), (c) =>
 *   c.json({ owner: c.get('tokenPrincipal')?.owner }),
 * );
 * ```
 */
export function tokenAuth(
  verifier: TokenVerifier,
  options: HonoAuthOptions = {},
): MiddlewareHandler<{ Variables: TokenVariables }> {
  const settings = helperSettings<(c: Context) => string | undefined, Context>(verifier, options);
  const { tenant, metering } = settings;
  return async function tokenwardAuth(c, next) {
    rememberRealm(c, settings.realm);
    const outcome = await authenticateRequest(settings, c.req.raw, () => verifyOptionsFor(c, tenant, metering));
    if ('answer' in outcome) return toResponse(outcome.answer, c.req.method === 'HEAD');
    const { principal } = outcome;
    c.set('tokenPrincipal', principal);
    await next();
    if (settings.record && principal !== null) {
      const use = { method: c.req.method, route: routePath(c), status: c.res.status };
      recordUse(settings.verifier, principal, use, settings.onRecordError);
    }
    return undefined;
  };
}

/**
 * A route guard: lets the request through only if its principal covers
 * every need; otherwise 403 `error="insufficient_scope"` with a `scope`
 * attribute naming what is needed, or 401 when no token was authenticated.
 *
 * @throws TokenError `invalid_request` when it is built: a need that is not
 *   valid, an empty list, a bad `realm`, or an unknown option.
 * @example
 * ```ts
 * import { requireGrant } from 'tokenward/hono';
 * app.post('/run', requireGrant({ component: 'keboola.ex-db-mysql', action: 'run' }), run);
 * ```
 */
export function requireGrant(need: Need | readonly Need[], options: HonoGuardOptions = {}): MiddlewareHandler {
  const guard = grantGuard(need);
  const fixedRealm = guardRealm(options);
  return async function tokenwardGuard(c, next) {
    const realm = fixedRealm ?? rememberedRealm(c) ?? 'api';
    const refusal = checkGuard(c.get('tokenPrincipal'), guard, realm);
    if (refusal !== null) return toResponse(refusal, c.req.method === 'HEAD');
    await next();
    return undefined;
  };
}
