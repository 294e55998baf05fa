import type { NextFunction, Request, RequestHandler, Response } from 'express';
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
  type RecordingOptions,
  recordUse,
  rememberedRealm,
  rememberRealm,
  requestToken,
  type Settlement,
  settleVerification,
  type TokenVerifier,
} from '../http/authenticate.js';
import type { VerifyOptions } from '../http/management.js';
import { type MeteringOptions, verifyOptionsFor } from '../http/metering.js';
import {
  type ExpressRefusalOptions,
  REFUSAL_KEYS,
  refusalSettings,
  refuse,
  rememberRefusals,
  requestPropertyOption,
} from './refuse.js';

declare global {
  // Express types its request through this global namespace; merging adds the principal.
  namespace Express {
    interface Request {
      /**
       * The verified token's principal, set by `tokenAuth`; undefined when
       * optional and no token was sent (even if an earlier layer had set one).
       */
      tokenPrincipal?: Principal | undefined;
    }
  }
}

/**
 * Options of `tokenAuth`. `cost` and `ratelimit` say what each request
 * spends from a metered token (docs/limits.md); `failWithError`,
 * `errorBody` and `requestProperty` fit it to the app's error handling.
 */
export interface ExpressAuthOptions
  extends AuthOptions,
    RecordingOptions,
    MeteringOptions<Request>,
    ExpressRefusalOptions {
  /** Accept only tokens of this tenant; a function picks it per request (for example from the host name). */
  readonly tenant?: string | ((req: Request) => string | undefined);
  /**
   * Also put the principal on this request property, beside the typed
   * `req.tokenPrincipal`: `'auth'` for code written for express-jwt.
   * Declare its type yourself (see docs/http.md).
   */
  readonly requestProperty?: string;
  /**
   * The grants every request must have, checked right after
   * authentication in this same middleware: the one-layer form of
   * `tokenAuth` followed by `requireGrant(need)`, with the same answers
   * (403 `insufficient_scope` naming the scope; 401 without a token, even
   * with `optional`) and one Express layer less per request.
   */
  readonly need?: Need | readonly Need[];
}

/** Options of `requireGrant`. */
export interface ExpressGuardOptions extends ExpressRefusalOptions {
  /** Realm of the challenge (default: the one `tokenAuth` used for this request, else `api`). */
  readonly realm?: string;
}

/** @internal Copies a framework-neutral answer onto an Express response. */
export function sendAnswer(res: Response, answer: HttpAnswer): void {
  res.status(answer.status).set(answer.headers);
  if (answer.body === undefined) res.end();
  else res.json(answer.body);
}

function routePattern(req: Request): string {
  const path: unknown = req.route?.path;
  if (path === undefined) return '(unmatched)';
  return `${req.baseUrl}${String(path)}`;
}

/**
 * Express middleware that authenticates the request's token and puts its
 * principal on `req.tokenPrincipal`.
 *
 * Answers follow RFC 6750: no token → 401 with a bare `Bearer realm="…"`
 * challenge; a bad, expired or revoked token → 401 `error="invalid_token"`;
 * a malformed request (repeated header, two different tokens, a query-string
 * token when those are off) → 400 `error="invalid_request"`; a storage
 * outage → 503. With `optional: true`, requests without a token go on
 * without a principal (`req.tokenPrincipal` and `requestProperty` are
 * undefined, even if an earlier layer had set them); a bad token is still
 * refused.
 *
 * A metered token (rate limits, usage credits) spends `cost` (default 1)
 * from the limits `ratelimit` names (default all) at each request, before
 * the route runs; over a limit or out of credits → 429 with `Retry-After`
 * (docs/limits.md). Mount it on a route with its own `cost`, or give a
 * function of the request, to make routes cost differently.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option
 *   in `details.field`: a missing verifier, an unknown option, a value of
 *   the wrong type, a bad `realm`, `header` or `cookie` name, a `tenant`
 *   that is not an identifier, `maxTokenLength` outside 16-65536, no token
 *   source left on, `record` with a verifier that cannot record, a
 *   non-boolean `failWithError`, an `errorBody` that is not a function, a
 *   `requestProperty` that Express requests already use, or a `need` (or
 *   `need[i]`) that is not a valid need, or an empty list.
 *
 * With `need`, the middleware also checks the grants, exactly as
 * `requireGrant(need)` behind it would (403 `insufficient_scope` with the
 * `scope` attribute; 401 without a principal): the recommended form for a
 * guarded route, one Express layer instead of two (docs/http.md).
 *
 * With `failWithError: true`, refusals go to `next(err)` as an
 * `AuthRefusal` (status, headers with the challenge, body) for the app's
 * error middleware; `errorBody` shapes the body tokenward sends instead;
 * `requestProperty: 'auth'` also sets `req.auth` (docs/http.md, "Composing
 * with other authentication").
 * @example
 * ```ts
 * import express from 'express';
 * import { tokenAuth, requireGrant } from 'tokenward/express';
 *
 * const app = express();
 * app.use('/api', tokenAuth(tokens, { realm: 'storage', cookie: 'auth_token' }));
 * app.get('/api/buckets/main', requireGrant({ bucket: 'main', access: 'read' }), (req, res) => {
 *   res.json({ owner: req.tokenPrincipal?.owner });
 * });
 * // One layer: authenticate and check the grant in the same middleware.
 * app.get('/reports', tokenAuth(tokens, { need: { scope: 'reports' } }), (req, res) => res.json([]));
 * ```
 */
export function tokenAuth(verifier: TokenVerifier, options: ExpressAuthOptions = {}): RequestHandler {
  const settings = helperSettings<(req: Request) => string | undefined, Request>(verifier, options, [
    ...REFUSAL_KEYS,
    'requestProperty',
    'need',
  ]);
  const { tenant, metering, realm } = settings;
  const guard = options.need === undefined ? undefined : grantGuard(options.need);
  const refusals = refusalSettings(options);
  const property = requestPropertyOption(options.requestProperty);
  const admit = admitter(settings, property, guard);
  // Assigned, not deleted: the request object keeps its shape.
  const clearPrincipal = (req: Request): void => {
    req.tokenPrincipal = undefined;
    if (property !== undefined) (req as unknown as Record<string, undefined>)[property] = undefined;
  };
  // Not an async function: a service answering directly lets the request go on in this call, any
  // other waits on the verifier's promise alone, and Express gets no promise of ours (issue 12).
  // This layer decides the principal: one an earlier layer (another verifier) set never stays. A
  // verified principal replaces it; every other way out clears it first. Not cleared up front: on
  // Express the first property written on a request costs about 1.5 µs (it goes through
  // setPrototypeOf), and the accepted request pays for one write instead of two (issue 12).
  const refuseClearing = (req: Request, res: Response, next: NextFunction, answer: HttpAnswer): void => {
    clearPrincipal(req);
    refuse(req, res, next, answer);
  };
  // What answering throws goes to next(error), as Express does.
  const settlement: Settlement<Request, Response, NextFunction, undefined> = {
    accept(req, res, next, _unused, principal) {
      try {
        admit(req, res, next, principal);
      } catch (error) {
        next(error);
      }
    },
    refuse(req, res, next, _unused, error) {
      try {
        refuseClearing(req, res, next, authFailure(error, realm));
      } catch (thrown) {
        next(thrown);
      }
    },
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    rememberRealm(req, realm);
    rememberRefusals(req, refusals);
    const token = requestToken({ rawHeaders: req.rawHeaders, url: req.originalUrl }, settings);
    if (typeof token === 'string') {
      // The app's functions run only for a token to verify: a request without one never depends on them.
      let verifyOptions: VerifyOptions | undefined;
      try {
        verifyOptions = verifyOptionsFor(req, tenant, metering);
      } catch (error) {
        // The app's tenant, cost or ratelimit function failed or answered a bad value: the app's own
        // error, for its error handling (a 500 by default), never a refusal of the client nor a pass.
        clearPrincipal(req);
        next(applicationError(error));
        return;
      }
      settleVerification(verifier, token, verifyOptions, settlement, req, res, next, undefined);
    } else if (token.kind === 'refused') refuseClearing(req, res, next, token.answer);
    // No token, in optional mode: a need still refuses (401), as requireGrant behind it would.
    else if (guard !== undefined) refuseClearing(req, res, next, checkGuard(undefined, guard, realm)!);
    else {
      clearPrincipal(req);
      next();
    }
  };
}

/**
 * What `tokenAuth` does with a verified principal: puts it on the request
 * (and on `requestProperty`), records the use after the response, then
 * checks the need (if any) and goes on or refuses.
 */
function admitter(
  settings: HelperSettings<unknown, Request>,
  property: string | undefined,
  guard: GrantGuard | undefined,
): (req: Request, res: Response, next: NextFunction, principal: Principal) => void {
  const { verifier, record, onRecordError, realm } = settings;
  return (req, res, next, principal) => {
    req.tokenPrincipal = principal;
    if (property !== undefined) (req as unknown as Record<string, Principal>)[property] = principal;
    if (record) {
      res.once('finish', () => {
        recordUse(
          verifier,
          principal,
          { method: req.method, route: routePattern(req), status: res.statusCode },
          onRecordError,
        );
      });
    }
    if (guard === undefined || guardAllows(principal, guard)) next();
    else refuse(req, res, next, checkGuard(principal, guard, realm)!);
  };
}

/**
 * A route guard: lets the request through only if its principal covers
 * every need; otherwise 403 `error="insufficient_scope"` with a `scope`
 * attribute naming what is needed (`bucket:in.c-main:write`), or 401 when
 * no token was authenticated. Needs are fixed when the route is defined,
 * so nothing from the request is ever named in the answer.
 *
 * @throws TokenError `invalid_request` when it is built: `need` (or
 *   `need[i]`) that is not `{ bucket, access }`, `{ component, action }` or
 *   `{ scope }` with valid names, an empty list, a bad `realm`,
 *   `failWithError` or `errorBody`, or an unknown option. Names outside
 *   ASCII are percent-encoded in the `scope` attribute (see docs/http.md,
 *   "Scope tokens"). Refusals follow `failWithError` and `errorBody`, given
 *   here or to the `tokenAuth` in front.
 * @example
 * ```ts
 * import { requireGrant } from 'tokenward/express';
 * app.post('/api/components/keboola.ex-db-mysql/run', requireGrant({ component: 'keboola.ex-db-mysql', action: 'run' }), run);
 * ```
 */
export function requireGrant(need: Need | readonly Need[], options: ExpressGuardOptions = {}): RequestHandler {
  const guard = grantGuard(need);
  const fixedRealm = guardRealm(options, REFUSAL_KEYS);
  const refusals = refusalSettings(options);
  return (req: Request, res: Response, next: NextFunction): void => {
    const principal = req.tokenPrincipal;
    if (guardAllows(principal, guard)) {
      next();
      return;
    }
    const realm = fixedRealm ?? rememberedRealm(req) ?? DEFAULT_REALM;
    refuse(req, res, next, checkGuard(principal, guard, realm)!, refusals);
  };
}
