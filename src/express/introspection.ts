import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { TokenError } from '../errors.js';
import { authFailure, managementFailure, unreadableBody } from '../http/answers.js';
import { authenticate, type TokenVerifier } from '../http/authenticate.js';
import {
  INTROSPECTION_BODY_LIMIT,
  type IntrospectionOptions,
  introspect,
  introspectionSettings,
} from '../http/introspection.js';
import type { Principal } from '../principal-types.js';
import { sendAnswer } from './auth.js';
import { bodyErrors, bodyReaders, requestBody, unreadBody } from './body.js';

/**
 * An Express router with an RFC 7662 token introspection endpoint at its
 * root (`POST`, `application/x-www-form-urlencoded` `token=…`). The caller
 * authenticates with its own token in the `Authorization` header; by
 * default only administrative and verification tokens may ask, and only
 * about tokens of their own tenant. Anything that is not a live token
 * answers `{ "active": false }`, with no detail. A JSON body is read as
 * strictly as the management API's; other content types answer 415.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option:
 *   a missing verifier, an `authorize` that is not a function, a non-boolean
 *   `anyTenant`, a bad `realm`, or an unknown option.
 *
 * @example
 * ```ts
 * import { introspectionRouter } from 'tokenward/express';
 * app.use('/oauth/introspect', introspectionRouter(tokens));
 * ```
 */
export function introspectionRouter(verifier: TokenVerifier, options: IntrospectionOptions = {}): Router {
  const { settings, authorize, anyTenant } = introspectionSettings(verifier, options);
  const callers = new WeakMap<Request, Principal>();
  const router = express.Router();
  // The caller is authenticated before the body is looked at, as in the Fastify plugin.
  const authenticateCaller = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const outcome = await authenticate(verifier, { rawHeaders: req.rawHeaders, url: req.originalUrl }, settings);
    if (outcome.kind === 'refused') {
      sendAnswer(res, outcome.answer);
    } else if (outcome.kind === 'principal' && authorize(outcome.principal)) {
      callers.set(req, outcome.principal);
      next();
    } else {
      sendAnswer(res, authFailure(new TokenError('insufficient_scope', 'not allowed to introspect'), settings.realm));
    }
  };
  const answer = async (req: Request, res: Response): Promise<void> => {
    try {
      const caller = callers.get(req);
      if (caller === undefined) throw new TokenError('token_invalid', 'no caller');
      if (unreadBody(req)) {
        sendAnswer(res, unreadableBody());
        return;
      }
      sendAnswer(res, await introspect(verifier, caller, requestBody(req), { anyTenant }));
    } catch (error) {
      sendAnswer(res, managementFailure(error, settings.realm));
    }
  };
  router.post('/', authenticateCaller, ...bodyReaders('json-or-form', INTROSPECTION_BODY_LIMIT), answer);
  router.use(bodyErrors);
  return router;
}
