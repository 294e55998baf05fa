import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { TokenError } from '../errors.js';
import { authFailure, managementFailure, unreadableBody } from '../http/answers.js';
import { authenticate, authSettings, type TokenVerifier } from '../http/authenticate.js';
import { announcesBody } from '../http/body.js';
import { defaultIntrospectionAuthorize, type IntrospectionOptions, introspect } from '../http/introspection.js';
import { sendAnswer } from './auth.js';

/**
 * An Express router with an RFC 7662 token introspection endpoint at its
 * root (`POST`, `application/x-www-form-urlencoded` `token=…`). The caller
 * authenticates with its own token in the `Authorization` header; by
 * default only administrative and verification tokens may ask, and only
 * about tokens of their own tenant. Anything that is not a live token
 * answers `{ "active": false }`, with no detail.
 *
 * @example
 * ```ts
 * import { introspectionRouter } from 'tokenward/express';
 * app.use('/oauth/introspect', introspectionRouter(tokens));
 * ```
 */
export function introspectionRouter(verifier: TokenVerifier, options: IntrospectionOptions = {}): Router {
  const settings = authSettings({ realm: options.realm ?? 'api' });
  const authorize = options.authorize ?? defaultIntrospectionAuthorize;
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }), express.json({ limit: '16kb' }));
  router.post('/', async (req: Request, res: Response): Promise<void> => {
    const outcome = await authenticate(verifier, { rawHeaders: req.rawHeaders, url: req.originalUrl }, settings);
    if (outcome.kind !== 'principal') {
      // Not optional, so the only other outcome is a refusal.
      if (outcome.kind === 'refused') sendAnswer(res, outcome.answer);
      return;
    }
    if (!authorize(outcome.principal)) {
      sendAnswer(res, authFailure(new TokenError('insufficient_scope', 'not allowed to introspect'), settings.realm));
      return;
    }
    if (req.body === undefined && announcesBody(req.headers)) {
      sendAnswer(res, unreadableBody());
      return;
    }
    try {
      sendAnswer(res, await introspect(verifier, outcome.principal, req.body, options));
    } catch (error) {
      sendAnswer(res, managementFailure(error, settings.realm));
    }
  });
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
