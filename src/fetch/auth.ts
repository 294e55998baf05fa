import { invalid } from '../core/errors.js';
import type { Principal } from '../core/principal-types.js';
import type { Need } from '../core/types.js';
import { authFailure, type HttpAnswer } from '../http/answers.js';
import {
  type AuthOptions,
  checkGuard,
  type GrantGuard,
  grantGuard,
  guardRealm,
  type HelperSettings,
  helperSettings,
  type RecordingOptions,
  recordUse,
  requestToken,
  type TokenVerifier,
  verifyRequestToken,
} from '../http/authenticate.js';
import type { VerifyOptions } from '../http/management.js';
import { type MeteringOptions, verifyOptionsFor } from '../http/metering.js';
import { optionsObject } from '../http/options.js';
import { headerRecord, requestParts, toResponse } from './request.js';

/**
 * Options of `tokenAuth` for Fetch API servers. `cost` and `ratelimit` say what each request
 * spends from a metered token (docs/limits.md), fixed or as functions of
 * the `Request`.
 */
export interface FetchAuthOptions extends AuthOptions, RecordingOptions, MeteringOptions<Request> {
  /** Accept only tokens of this tenant; a function picks it per request (for example from the host name). */
  readonly tenant?: string | ((request: Request) => string | undefined);
}

/** The outcome of `authenticate`: the principal, or the RFC 6750 answer to send as it is. */
export type FetchAuthResult =
  | {
      readonly ok: true;
      /** The verified token's principal; null only with `optional: true` when the request carries no token. */
      readonly principal: Principal | null;
    }
  | { readonly ok: false; readonly response: Response };

/** Options of `protect`. */
export interface ProtectOptions {
  /** Needs the principal must cover (checked at setup), as `requireGrant` takes them. */
  readonly need?: Need | readonly Need[];
  /** The route pattern recorded with each use (`record: true`; default: the request's path). */
  readonly route?: string;
}

/** A fetch handler that receives the verified principal after the request (and any further arguments). */
export type PrincipalHandler<Args extends unknown[]> = (
  request: Request,
  principal: Principal | null,
  ...args: Args
) => Response | Promise<Response>;

/** What `tokenAuth` returns: authentication for any server that speaks `Request` and `Response`. */
export interface FetchAuth {
  /** The realm of this authenticator's challenges. */
  readonly realm: string;
  /** Extracts and verifies the request's token. Never throws: every failure is an answer. */
  authenticate(request: Request): Promise<FetchAuthResult>;
  /**
   * Wraps a handler: authenticates, checks `need`, calls the handler with
   * the principal and records the use (`record: true`). Further arguments
   * (a Worker's `env` and `ctx`, a Next.js route's `context`) are passed on.
   */
  protect<Args extends unknown[]>(
    handler: PrincipalHandler<Args>,
    options?: ProtectOptions,
  ): (request: Request, ...args: Args) => Promise<Response>;
}

type TenantResolver = (request: Request) => string | undefined;

/**
 * @internal Authenticates with validated settings: the principal (null:
 * anonymous) or the answer. `optionsOf` gives `verify`'s options for this
 * request: the app's tenant and what a metered token spends (fixed, or its
 * resolvers run on the framework's own request).
 */
export async function authenticateRequest(
  settings: HelperSettings<unknown, never>,
  request: Request,
  optionsOf: () => VerifyOptions | undefined,
): Promise<{ readonly principal: Principal | null } | { readonly answer: HttpAnswer }> {
  const token = requestToken(requestParts(request, headerRecord(request)), settings);
  if (typeof token !== 'string') {
    return token.kind === 'refused' ? { answer: token.answer } : { principal: null };
  }
  // The app's functions run only for a token to verify: a request without one never depends on them.
  let verifyOptions: VerifyOptions | undefined;
  try {
    verifyOptions = optionsOf();
  } catch (error) {
    // The app's tenant, cost or ratelimit function failed or answered a bad value: a server error
    // (500), never a refusal of the client nor a pass.
    return { answer: authFailure(error, settings.realm) };
  }
  const outcome = await verifyRequestToken(settings.verifier, token, settings.realm, verifyOptions);
  if (outcome.kind === 'refused') return { answer: outcome.answer };
  return { principal: outcome.kind === 'principal' ? outcome.principal : null };
}

/**
 * Token authentication for Fetch API servers: Bun, Deno, Cloudflare
 * Workers, Next.js route handlers, or anything that hands you a `Request`.
 * The extraction rules and answers are those of `tokenward/express` and
 * `tokenward/fastify`: no token → 401 with a bare `Bearer realm="…"`
 * challenge; a bad, expired or revoked token → 401 `error="invalid_token"`;
 * a malformed request → 400 `error="invalid_request"`; a storage outage →
 * 503 with `Retry-After`; with `optional: true`, no token → a null principal.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option
 *   in `details.field` (the list of `tokenAuth` in `tokenward/express`).
 * @example
 * ```ts
 * import { tokenAuth } from 'tokenward/fetch';
 *
 * const auth = tokenAuth(tokens, { realm: 'storage' });
 * Bun.serve({
 *   fetch: auth.protect((request, principal) => Response.json({ owner: principal?.owner }), {
 *     need: { bucket: 'main', access: 'read' },
 *   }),
 * });
 * ```
 */
export function tokenAuth(verifier: TokenVerifier, options: FetchAuthOptions = {}): FetchAuth {
  const settings = helperSettings<TenantResolver, Request>(verifier, options);
  const { tenant, metering } = settings;
  const run = (request: Request) =>
    authenticateRequest(settings, request, () => verifyOptionsFor(request, tenant, metering));
  const auth: FetchAuth = {
    realm: settings.realm,
    async authenticate(request) {
      const outcome = await run(request);
      return 'answer' in outcome
        ? { ok: false, response: toResponse(outcome.answer, request.method === 'HEAD') }
        : { ok: true, principal: outcome.principal };
    },
    protect(handler, protectOptions = {}) {
      const checked = optionsObject(protectOptions, ['need', 'route']);
      const guard = checked.need === undefined ? null : grantGuard(checked.need as Need | readonly Need[]);
      const route = checked.route === undefined ? undefined : routeOption(checked.route);
      return async (request, ...args) => {
        const outcome = await run(request);
        if ('answer' in outcome) return toResponse(outcome.answer, request.method === 'HEAD');
        const { principal } = outcome;
        const refusal = guard === null ? null : checkGuard(principal, guard, settings.realm);
        const response = refusal === null ? await handler(request, principal, ...args) : toResponse(refusal);
        if (settings.record && principal !== null) {
          const use = {
            method: request.method,
            route: route ?? new URL(request.url).pathname,
            status: response.status,
          };
          recordUse(settings.verifier, principal, use, settings.onRecordError);
        }
        return response;
      };
    },
  };
  return Object.freeze(auth);
}

function routeOption(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 200) {
    throw invalid('route', 'must be a string of 1-200 characters');
  }
  return value;
}

/** Options of `requireGrant`. */
export interface FetchGuardOptions {
  /** Realm of the challenge (default `api`; pass the authenticator's `realm` to answer alike). */
  readonly realm?: string;
}

/** A guard: null when the principal covers every need, else the refusal to send. */
export type GrantCheck = (principal: Principal | null | undefined) => Response | null;

/**
 * A route guard for Fetch API handlers: null when the principal covers
 * every need, otherwise the answer to return — 403 `error="insufficient_scope"`
 * with a `scope` attribute naming what is needed, or 401 when there is no
 * principal. Needs are fixed when the guard is built, never taken from the
 * request.
 *
 * @throws TokenError `invalid_request` when it is built: a need that is not
 *   `{ bucket, access }`, `{ component, action }` or `{ scope }`, an empty
 *   list, a bad `realm`, or an unknown option.
 * @example
 * ```ts
 * import { requireGrant, tokenAuth } from 'tokenward/fetch';
 *
 * const auth = tokenAuth(tokens);
 * const canRun = requireGrant({ component: 'keboola.ex-db-mysql', action: 'run' });
 * export async function POST(request: Request): Promise<Response> {
 *   const result = await auth.authenticate(request);
 *   if (!result.ok) return result.response;
 *   return canRun(result.principal) ?? Response.json(await runJob());
 * }
 * ```
 */
export function requireGrant(need: Need | readonly Need[], options: FetchGuardOptions = {}): GrantCheck {
  const guard: GrantGuard = grantGuard(need);
  const realm = guardRealm(options) ?? 'api';
  return (principal) => {
    const refusal = checkGuard(principal, guard, realm);
    return refusal === null ? null : toResponse(refusal);
  };
}
