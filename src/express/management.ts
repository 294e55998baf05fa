import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { checkRealm, managementFailure, missingCredentials, unreadableBody } from '../http/answers.js';
import { announcesBody } from '../http/body.js';
import { MANAGEMENT_ROUTES } from '../http/management.js';
import type { Actor, TokenService } from '../service-types.js';
import { sendAnswer } from './auth.js';

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
  /** Largest accepted request body (default `'64kb'`). */
  readonly bodyLimit?: string;
}

function tokenActor(req: Request): Actor | null {
  return req.tokenPrincipal === undefined ? null : { principal: req.tokenPrincipal };
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
  const realm = checkRealm(options.realm);
  const resolveActor = options.actor ?? tokenActor;
  const limit = options.bodyLimit ?? '64kb';
  const router = express.Router();
  router.use(express.json({ limit }), express.urlencoded({ extended: false, limit }));

  for (const route of MANAGEMENT_ROUTES) {
    const handler = async (req: Request, res: Response): Promise<void> => {
      try {
        if (req.body === undefined && announcesBody(req.headers)) {
          sendAnswer(res, unreadableBody());
          return;
        }
        let actor: Actor | null = null;
        if (route.needsActor) {
          actor = (await resolveActor(req)) ?? null;
          if (actor === null) {
            sendAnswer(res, missingCredentials(realm));
            return;
          }
        }
        const answer = await route.handle(service, {
          params: req.params as Record<string, string | undefined>,
          query: req.query as Record<string, unknown>,
          body: req.body,
          actor,
        });
        sendAnswer(res, answer);
      } catch (error) {
        sendAnswer(res, managementFailure(error, realm));
      }
    };
    const method = route.method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete';
    router[method](route.path, handler);
  }

  // Body parser failures (bad JSON, too large) arrive here.
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = (error as { status?: unknown }).status;
    sendAnswer(res, unreadableBody(typeof status === 'number' ? status : 400));
  });
  return router;
}
