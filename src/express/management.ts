import express, { type Request, type Response, type Router } from 'express';
import { tokenActor } from '../http/actor.js';
import { managementFailure, missingCredentials, unreadableBody } from '../http/answers.js';
import { type Actor, MANAGEMENT_ROUTES, type TokenService } from '../http/management.js';
import { managementSettings } from '../http/options.js';
import { badPathParameter } from '../http/path-params.js';
import { sendAnswer } from './auth.js';
import { bodyErrors, bodyReaders, requestBody, unreadBody } from './body.js';

/** Options of `managementRouter`. */
export interface ExpressManagementOptions {
  /**
   * Who performs a call: the app's own session user (`{ tenant, user }`), a
   * verified token (`{ principal }`), or null when nobody is signed in (401).
   * Default: the principal `tokenAuth` put on the request.
   */
  readonly actor?: (req: Request) => Actor | null | undefined | Promise<Actor | null | undefined>;
  /** Realm of 401 challenges (default `api`). */
  readonly realm?: string;
  /** Largest accepted request body: bytes, or a size such as `'64kb'` (default `'64kb'`, at most `'1gb'`). */
  readonly bodyLimit?: string | number;
  /**
   * Headers the proxies in front of the app add to every request, beyond
   * the built-in list (`X-Forwarded-*`, `Forwarded`, `CF-*`, …): exact names
   * or prefixes such as `'x-corp-*'`. They never count as proof that a
   * body-less POST did not come from a cross-site form.
   */
  readonly ambientHeaders?: readonly string[];
}

function requestActor(req: Request): Actor | null {
  return tokenActor(req.tokenPrincipal);
}

/**
 * A mountable Express router with the management API of a "Personal access
 * tokens" page: issue (the secret is in that answer only), list with
 * `hideExpired`/`hideRevoked` and paging, get, change the comment, rotate
 * (with `gracePeriod`), share and claim, revoke (also RFC 7009 revocation by
 * token string at `POST /revoke`), revoke all of a user's tokens, and
 * max-duration policies. Every `TokenError` answers with its status and code;
 * secrets are sent with `Cache-Control: no-store`.
 *
 * Bodies are JSON objects (`application/json`, UTF-8, not compressed);
 * only `POST /claims` and `POST /revoke` also take form fields, since their
 * credential is in the body. Anything else answers 415 before it is read,
 * and so does a body-less POST that carries neither `Content-Type:
 * application/json` nor a header a cross-site form cannot set
 * (`Authorization: Bearer`, `X-Requested-With`, the app's own headers):
 * with a cookie session, that is what another site's page could send.
 * `null`, scalars, arrays, bytes that are not UTF-8 and repeated member
 * names answer 400 `invalid_request` naming `body` or the repeated field.
 * An app-level `express.json()` mounted in front reads JSON bodies first:
 * the router then still refuses anything but an object, but cannot see
 * repeated member names any more.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option:
 *   anything but a `TokenService`, an `actor` that is not a function, a bad
 *   `realm`, a `bodyLimit` that is not a size up to 1 GiB, a bad
 *   `ambientHeaders` entry, or an unknown option.
 *
 * @example
 * ```ts
 * import { managementRouter, tokenAuth } from 'tokenward/express';
 *
 * // Acting as the signed-in user of the app's own session:
 * app.use('/api/me', session(), managementRouter(tokens, {
 *   actor: (req) => (req.session.user ? { tenant: req.session.tenant, user: req.session.user } : null),
 * }));
 * // Or acting as the verified token (a master token creates tokens):
 * app.use('/api/tokens-admin', tokenAuth(tokens), managementRouter(tokens));
 * ```
 */
export function managementRouter(service: TokenService, options: ExpressManagementOptions = {}): Router {
  const settings = managementSettings<NonNullable<ExpressManagementOptions['actor']>>(service, options);
  const { realm } = settings;
  const resolveActor = settings.actor ?? requestActor;
  const router = express.Router();

  for (const route of MANAGEMENT_ROUTES) {
    const handler = async (req: Request, res: Response): Promise<void> => {
      try {
        // A GET's body has no meaning (RFC 9110 §9.3.1): it is never read, as on Fastify.
        if (route.body !== null && unreadBody(req)) {
          sendAnswer(res, unreadableBody());
          return;
        }
        const body = route.body === null ? undefined : requestBody(req);
        let actor: Actor | null = null;
        if (route.needsActor) {
          actor = (await resolveActor(req)) ?? null;
          if (actor === null) {
            sendAnswer(res, missingCredentials(realm));
            return;
          }
        }
        const answer = await route.handle(settings.service, {
          params: req.params as Record<string, string | undefined>,
          query: req.query as Record<string, unknown>,
          body,
          actor,
          path: `${req.baseUrl}${req.path}`,
        });
        sendAnswer(res, answer);
      } catch (error) {
        sendAnswer(res, managementFailure(error, realm));
      }
    };
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    const readers = route.body === null ? [] : bodyReaders(route.body, settings.bodyLimit, settings.ambient);
    router[method](route.path, ...readers, handler);
  }

  // Express fails a path parameter it cannot decode before the route runs; answered as the other adapters do.
  router.use((error: unknown, req: Request, res: Response, next: (error: unknown) => void) => {
    const bad = res.headersSent ? null : badPathParameter(req.method === 'HEAD' ? 'GET' : req.method, req.originalUrl);
    if (bad === null) next(error);
    else sendAnswer(res, managementFailure(bad, realm));
  });
  router.use(bodyErrors);
  return router;
}
