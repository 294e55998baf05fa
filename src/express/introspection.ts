import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { managementFailure, unreadableBody } from '../http/answers.js';
import type { TokenVerifier } from '../http/authenticate.js';
import {
  answerIntrospection,
  callerFromHeaders,
  INTROSPECTION_BODY_LIMIT,
  type IntrospectionCaller,
  type IntrospectionOptions,
  introspectionSettings,
} from '../http/introspection.js';
import { sendAnswer } from './auth.js';
import { bodyErrors, bodyReaders, requestBody, unreadBody } from './body.js';

/**
 * An Express router with an RFC 7662 token introspection endpoint at its
 * root (`POST`, `application/x-www-form-urlencoded` `token=…`; JSON is read
 * too, as strictly as the management API's; other content types answer
 * 415). Unknown parameters are ignored (RFC 6749 §3.2).
 *
 * The caller authenticates with its own token (`Authorization: Bearer`; by
 * default an administrative or verification token, which `authorize`
 * changes) or, when `clients` are registered, as an OAuth client with
 * `client_secret_basic`, `client_secret_post`, `client_secret_jwt` or
 * `private_key_jwt`. An administrative token learns only about tokens of
 * its own tenant, a client about its `tenant`'s or every tenant's. A live
 * token is described with `iss` (per tenant), `sub`, `scope` (RFC 6749
 * scope tokens) and tokenward's own members; anything else answers
 * `{ "active": false }`, with no detail.
 *
 * Errors (`error`, `error_description`): 401 with a Bearer challenge for a
 * missing or bad token and for a token that may not introspect (RFC 7662
 * §2.3); 401 `invalid_client` with a Basic challenge for client credentials
 * that do not hold; 400 `invalid_request` for a missing or repeated `token`
 * or two authentication methods at once; 503 with `Retry-After` while
 * storage is down.
 *
 * @throws TokenError `invalid_request` when it is built, naming the option:
 *   a missing verifier, an `authorize` that is not a function, a non-boolean
 *   `anyTenant`, a bad `realm`, `clients` entry, `assertionAudience` or
 *   `issuer`, or an unknown option.
 *
 * @example
 * ```ts
 * import { introspectionRouter } from 'tokenward/express';
 * app.use('/oauth/introspect', introspectionRouter(tokens, {
 *   clients: [{ id: 'billing-api', secret: process.env.BILLING_CLIENT_SECRET! }],
 *   issuer: 'https://auth.example.com/tenants/{tenant}',
 * }));
 * ```
 */
export function introspectionRouter(verifier: TokenVerifier, options: IntrospectionOptions = {}): Router {
  const endpoint = introspectionSettings(verifier, options);
  const callers = new WeakMap<Request, IntrospectionCaller | null>();
  const router = express.Router();
  // Header credentials are checked before the body is read, as in the Fastify plugin.
  const authenticateCaller = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const outcome = await callerFromHeaders(endpoint, { rawHeaders: req.rawHeaders, url: req.originalUrl });
    if (outcome.kind === 'refused') {
      sendAnswer(res, outcome.answer);
      return;
    }
    callers.set(req, outcome.caller);
    next();
  };
  const answer = async (req: Request, res: Response): Promise<void> => {
    if (unreadBody(req)) {
      sendAnswer(res, unreadableBody());
      return;
    }
    let body: unknown;
    try {
      body = requestBody(req);
    } catch (error) {
      sendAnswer(res, managementFailure(error, endpoint.settings.realm));
      return;
    }
    sendAnswer(res, await answerIntrospection(endpoint, callers.get(req) ?? null, body));
  };
  router.post('/', authenticateCaller, ...bodyReaders('json-or-form', INTROSPECTION_BODY_LIMIT), answer);
  router.use(bodyErrors);
  return router;
}
