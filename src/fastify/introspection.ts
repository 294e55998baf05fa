import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { managementFailure } from '../http/answers.js';
import type { TokenVerifier } from '../http/authenticate.js';
import {
  answerIntrospection,
  callerFromHeaders,
  INTROSPECTION_BODY_LIMIT,
  type IntrospectionCaller,
  type IntrospectionOptions,
  introspectionSettings,
} from '../http/introspection.js';
import { FASTIFY_REGISTER_KEYS } from '../http/options.js';
import { sendAnswer } from './auth.js';
import { acceptFormBodies, acceptJsonBodies, answerUnreadableBodies, bodyCheck } from './body.js';

/** Callers authenticated in `onRequest`, for the handler that runs after the body is parsed. */
const callers = new WeakMap<FastifyRequest, IntrospectionCaller | null>();

/** Options of the `introspectionRoute` plugin. */
export interface FastifyIntrospectionOptions extends IntrospectionOptions {
  /** The `TokenService` whose tokens are described. */
  readonly verifier: TokenVerifier;
}

/**
 * An RFC 7662 token introspection endpoint as a Fastify plugin: `POST` at
 * the plugin's prefix, `application/x-www-form-urlencoded` `token=…` (JSON
 * is read too, as strictly as the management API's; other content types
 * answer 415). Unknown parameters are ignored (RFC 6749 §3.2). Callers,
 * answers and errors are those of the Express `introspectionRouter`: a
 * bearer token (administrative or verification by default) or a registered
 * client (`client_secret_basic`, `client_secret_post`, `client_secret_jwt`,
 * `private_key_jwt`); `iss` per tenant, `scope` as RFC 6749 scope tokens;
 * 401 for a token that may not introspect, 401 `invalid_client` for bad
 * client credentials, 503 with `Retry-After` while storage is down.
 * Bad options make `register`/`ready` reject with
 * `TokenError('invalid_request')` naming the option.
 *
 * @example
 * ```ts
 * import { introspectionRoute } from 'tokenward/fastify';
 * await app.register(introspectionRoute, {
 *   verifier: tokens,
 *   prefix: '/oauth/introspect',
 *   clients: [{ id: 'billing-api', secret: process.env.BILLING_CLIENT_SECRET! }],
 * });
 * ```
 */
export const introspectionRoute: FastifyPluginAsync<FastifyIntrospectionOptions> = async (fastify, options) => {
  const endpoint = introspectionSettings(options?.verifier, options, ['verifier', ...FASTIFY_REGISTER_KEYS]);
  const { realm } = endpoint.settings;
  acceptJsonBodies(fastify, INTROSPECTION_BODY_LIMIT);
  acceptFormBodies(fastify, INTROSPECTION_BODY_LIMIT);
  answerUnreadableBodies(fastify, (error) => managementFailure(error, realm));

  // Header credentials are checked before the body is read.
  fastify.addHook('onRequest', async (request, reply) => {
    const outcome = await callerFromHeaders(endpoint, {
      rawHeaders: request.raw.rawHeaders,
      url: request.raw.url ?? request.url,
    });
    if (outcome.kind === 'refused') return sendAnswer(reply, outcome.answer);
    callers.set(request, outcome.caller);
    return undefined;
  });

  fastify.post(
    '/',
    { bodyLimit: INTROSPECTION_BODY_LIMIT, onRequest: bodyCheck('json-or-form') },
    async (request, reply) =>
      sendAnswer(reply, await answerIntrospection(endpoint, callers.get(request) ?? null, request.body)),
  );
};
