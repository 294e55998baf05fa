import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  preHandlerHookHandler,
} from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../core/principal-types.js';
import type { Need } from '../core/types.js';
import { authFailure, type HttpAnswer } from '../http/answers.js';
import { applicationError } from '../http/app-fault.js';
import {
  type AuthOptions,
  checkGuard,
  DEFAULT_REALM,
  type GrantGuard,
  grantGuard,
  guardAllows,
  guardRealm,
  type HelperSettings,
  helperSettings,
  REALM,
  type RecordingOptions,
  recordUse,
  rememberedRealm,
  rememberRealm,
  requestToken,
  type Settlement,
  settleVerification,
  type TokenVerifier,
  verifyRequestToken,
} from '../http/authenticate.js';
import type { VerifyOptions } from '../http/management.js';
import { type MeteringOptions, verifyOptionsFor } from '../http/metering.js';
import { booleanOption, FASTIFY_REGISTER_KEYS } from '../http/options.js';
import { AuthRefusal } from '../http/refusal.js';
import { answerRefusals } from './refusals.js';
import { routeSettings, routeSettingsCache } from './route.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's principal, set by the `tokenward` plugin in `onRequest`; null without a token. */
    tokenPrincipal: Principal | null;
  }
  interface FastifyInstance {
    /**
     * Token authentication as a function, declared by the `tokenward` plugin
     * registered with `addHook: false`: a strategy for `@fastify/auth`, or a
     * hook of your choosing. It sets `request.tokenPrincipal`, and throws an
     * `AuthRefusal` (RFC 6750 status, headers and body) when it refuses.
     */
    verifyToken?: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/**
 * Options of the `tokenward` Fastify plugin. `cost` and `ratelimit` say
 * what each request spends from a metered token (docs/limits.md); a
 * route's `config: { tokenward: { cost, ratelimit } }` replaces them for
 * that route.
 */
export interface FastifyAuthOptions extends AuthOptions, RecordingOptions, MeteringOptions<FastifyRequest> {
  /** A `TokenService`, or a remote verifier. */
  readonly verifier: TokenVerifier;
  /**
   * Authenticate every request of the scope in `onRequest` (default true).
   * `false` adds no hook and declares `fastify.verifyToken` instead, for
   * `@fastify/auth` (`fastify.auth([fastify.verifyToken, …])`).
   */
  readonly addHook?: boolean;
  /** Accept only tokens of this tenant; a function picks it per request. */
  readonly tenant?: string | ((request: FastifyRequest) => string | undefined);
}

/** Options of `requireGrant`. */
export interface FastifyGuardOptions {
  /** Realm of the challenge (default: the plugin's realm for this request, else `api`). */
  readonly realm?: string;
}

/** @internal Copies a framework-neutral answer onto a Fastify reply. */
export function sendAnswer(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  reply.code(answer.status).headers(answer.headers);
  return answer.body === undefined ? reply.send() : reply.send(answer.body);
}

/** A request's token, with what `verify` is told about the request (tenant, cost) and the route's guard. */
interface RequestToken {
  readonly token: string;
  readonly options: VerifyOptions | undefined;
  readonly guard: GrantGuard | undefined;
}

/** The app's own error (its tenant, cost or ratelimit function failed), for Fastify's error handling. */
interface AppFailure {
  readonly failed: Error;
}

/**
 * What the hook does with a request: verify its token, refuse it, hand the
 * app's error on, or let it through without a principal.
 */
type Found = RequestToken | HttpAnswer | AppFailure | null;

const plugin: FastifyPluginAsync<FastifyAuthOptions> = async (fastify, options) => {
  const settings = helperSettings<(request: FastifyRequest) => string | undefined, FastifyRequest>(
    options?.verifier,
    options,
    ['verifier', 'addHook', ...FASTIFY_REGISTER_KEYS],
  );
  const addHook = booleanOption(options.addHook, 'addHook', true);
  const { verifier, record, onRecordError } = settings;
  if (!fastify.hasRequestDecorator('tokenPrincipal')) fastify.decorateRequest('tokenPrincipal', null);
  // Declared up front so every request object keeps one shape (an ad hoc property would not).
  if (!fastify.hasRequestDecorator(REALM)) fastify.decorateRequest(REALM, null);
  const tokenOf = requestTokenReader(fastify, settings);
  // Guards refuse by raising an AuthRefusal (so they can be strategies of @fastify/auth); the
  // routes of this scope answer it as the hook would, and hand any other error on.
  answerRefusals(fastify);
  if (addHook) {
    // The earliest hook: nothing (body parsing included) happens for a request that is refused. A
    // callback hook, not an async one: the request waits on the verifier's promise alone, with one
    // handler for a principal and one for a failure (issue 12); a service answering directly lets the
    // request go on in this call.
    const settlement = hookSettlement(settings.realm);
    fastify.addHook('onRequest', (request, reply, done) => {
      // This layer decides the principal: one set by an earlier layer (another verifier) never stays.
      request.tokenPrincipal = null;
      const found = tokenOf(request);
      if (found === null) {
        done();
        return;
      }
      if ('failed' in found) {
        done(found.failed);
        return;
      }
      if (!('token' in found)) {
        // Answered here: a hook that sends its reply does not call done (Fastify's hooks guide).
        sendAnswer(reply, found);
        return;
      }
      settleVerification(verifier, found.token, found.options, settlement, request, reply, done, found.guard);
    });
  } else {
    // A strategy for @fastify/auth, or a hook of the app's choosing.
    fastify.decorate('verifyToken', async function verifyToken(request: FastifyRequest): Promise<void> {
      request.tokenPrincipal = null;
      const refusal = await authenticateRequest(request, tokenOf(request), verifier, settings.realm);
      if (refusal !== null) throw new AuthRefusal(refusal);
    });
  }
  if (record) {
    fastify.addHook('onResponse', async (request, reply) => {
      const principal = request.tokenPrincipal;
      if (principal === null) return;
      recordUse(
        verifier,
        principal,
        { method: request.method, route: request.routeOptions.url ?? '(unmatched)', status: reply.statusCode },
        onRecordError,
      );
    });
  }
};

/**
 * What the hook does with a verification's outcome: the principal on the
 * request, then on (or the route's refusal); a failure's refusal. What
 * throws while answering goes to done(error), as through a rejected promise.
 */
function hookSettlement(
  realm: string,
): Settlement<FastifyRequest, FastifyReply, HookHandlerDoneFunction, GrantGuard | undefined> {
  return {
    accept(request, reply, done, guard, principal) {
      try {
        request.tokenPrincipal = principal;
        const refusal = guard === undefined ? null : guardRefusal(principal, guard, realm);
        if (refusal === null) done();
        else sendAnswer(reply, refusal);
      } catch (error) {
        done(error as Error);
      }
    },
    refuse(_request, reply, done, _guard, error) {
      try {
        sendAnswer(reply, authFailure(error, realm));
      } catch (thrown) {
        done(thrown as Error);
      }
    },
  };
}

/**
 * The synchronous half of the hook: the request's token with its verify
 * options and its route's guard, its refusal, or null to go on without a
 * principal. The route's `config.tokenward` is read on every request, so it
 * applies whether the route was added before or after the plugin (only the
 * later ones are seen by `onRoute`, where a bad config stops the app from
 * starting). Fastify builds a fresh `routeOptions` object on each read; the
 * settings of each config object are checked once and kept. A bad config
 * found here is a server error: 500, logged, and never a pass.
 */
function requestTokenReader(
  fastify: FastifyInstance,
  settings: HelperSettings<(request: FastifyRequest) => string | undefined, FastifyRequest>,
): (request: FastifyRequest) => Found {
  const { tenant, metering, realm, optional } = settings;
  const routeOf = routeSettingsCache();
  fastify.addHook('onRoute', (route) => {
    routeSettings(route.config);
  });
  return (request) => {
    rememberRealm(request, realm);
    const route = routeOf(request.routeOptions.config);
    if ('invalid' in route) {
      request.log.error({ err: route.invalid }, 'tokenward: the route config.tokenward is invalid');
      return authFailure(undefined, realm);
    }
    const token = requestToken({ rawHeaders: request.raw.rawHeaders, url: request.raw.url ?? request.url }, settings);
    if (typeof token === 'string') {
      // The app's functions run only for a token to verify: a request without one never depends on them.
      try {
        return { token, options: verifyOptionsFor(request, tenant, route.metering ?? metering), guard: route.guard };
      } catch (error) {
        // The app's tenant, cost or ratelimit function failed or answered a bad value: the app's own
        // error, for Fastify's error handling (a 500 by default), never a refusal of the client nor a pass.
        return { failed: applicationError(error) };
      }
    }
    if (token.kind === 'refused') return token.answer;
    // No token in an optional scope: a route with a need still refuses, as requireGrant does.
    return optional && route.guard !== undefined ? guardRefusal(null, route.guard, realm) : null;
  };
}

/** Null when the principal covers the guard's needs, else the refusal (401 without a principal, 403). */
function guardRefusal(principal: Principal | null, guard: GrantGuard, realm: string): HttpAnswer | null {
  return guardAllows(principal, guard) ? null : checkGuard(principal, guard, realm);
}

/** `verifyToken`'s authentication: null once the request's principal (if any) is set, else the refusal. */
async function authenticateRequest(
  request: FastifyRequest,
  found: Found,
  verifier: TokenVerifier,
  realm: string,
): Promise<HttpAnswer | null> {
  if (found !== null && 'failed' in found) throw found.failed;
  if (found === null || !('token' in found)) return found;
  const outcome = await verifyRequestToken(verifier, found.token, realm, found.options);
  if (outcome.kind === 'refused') return outcome.answer;
  if (outcome.kind !== 'principal') return null;
  request.tokenPrincipal = outcome.principal;
  return found.guard === undefined ? null : guardRefusal(outcome.principal, found.guard, realm);
}

/**
 * The `tokenward` Fastify plugin: authenticates each request's token in
 * `onRequest` and decorates `request.tokenPrincipal`. Wrapped with
 * `fastify-plugin`, so it applies to the scope it is registered in
 * (register it inside a child scope to protect only some routes).
 *
 * Answers follow RFC 6750: no token → 401 with a bare `Bearer realm="…"`
 * challenge; a bad, expired or revoked token → 401 `error="invalid_token"`;
 * a malformed request → 400 `error="invalid_request"`; a storage outage →
 * 503. With `optional: true`, requests without a token continue with a null
 * principal. A metered token spends the request's cost before the route
 * runs: over a limit or out of credits → 429 with `Retry-After`.
 *
 * Options are checked when the plugin is registered: a bad one makes
 * `register`/`ready` reject with `TokenError('invalid_request')` naming it
 * (see `tokenAuth` in `tokenward/express` for the list, and `addHook`).
 * Fastify's own `prefix`, `logLevel` and `logSerializers` are allowed.
 *
 * With `addHook: false` it adds no hook and declares `fastify.verifyToken`,
 * a strategy for `@fastify/auth` that throws an `AuthRefusal`. Guards
 * (`requireGrant`) raise their refusals too, so they are strategies as well;
 * the routes of the scope answer a refusal as the hook does (docs/http.md,
 * "Composing with other authentication").
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { tokenward, requireGrant } from 'tokenward/fastify';
 *
 * const app = Fastify();
 * await app.register(tokenward, { verifier: tokens, realm: 'storage' });
 * app.get('/buckets/main', { preHandler: requireGrant({ bucket: 'main', access: 'read' }) }, async (request) => ({
 *   owner: request.tokenPrincipal?.owner,
 * }));
 * ```
 */
export const tokenward: FastifyPluginAsync<FastifyAuthOptions> = fp(plugin, { fastify: '5.x', name: 'tokenward' });

/**
 * A `preHandler` guard: lets the request through only if its principal
 * covers every need; otherwise 403 `error="insufficient_scope"` with a
 * `scope` attribute naming what is needed, or 401 when no token was
 * authenticated. Needs are fixed at route definition, never taken from the
 * request. The refusal is raised as an `AuthRefusal` rather than sent, so
 * the guard is also a strategy of `@fastify/auth` (with `relation: 'or'`,
 * another strategy's pass lets the request through); the routes of the
 * `tokenward` plugin's scope answer it with its status, challenge and body.
 *
 * @throws TokenError `invalid_request` when it is built: `need` (or
 *   `need[i]`) that is not a valid need, an empty list, a bad `realm`, or
 *   an unknown option. Names outside ASCII are percent-encoded in the
 *   `scope` attribute (see docs/http.md, "Scope tokens").
 * @example
 * ```ts
 * import { requireGrant } from 'tokenward/fastify';
 * app.post('/run', { preHandler: requireGrant({ component: 'keboola.ex-db-mysql', action: 'run' }) }, run);
 * ```
 */
export function requireGrant(need: Need | readonly Need[], options: FastifyGuardOptions = {}): preHandlerHookHandler {
  const guard = grantGuard(need);
  const fixedRealm = guardRealm(options);
  // Synchronous work, so a callback hook: no promise per request.
  return function requireGrantHook(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const principal = request.tokenPrincipal;
    if (guardAllows(principal, guard)) {
      done();
      return;
    }
    const realm = fixedRealm ?? rememberedRealm(request) ?? DEFAULT_REALM;
    // Raised, not sent: under @fastify/auth another strategy may still let the request through.
    done(new AuthRefusal(checkGuard(principal, guard, realm)!));
  };
}
