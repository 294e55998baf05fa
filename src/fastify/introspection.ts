import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TokenError } from '../errors.js';
import { authFailure, managementFailure } from '../http/answers.js';
import { authenticate, type TokenVerifier } from '../http/authenticate.js';
import {
  INTROSPECTION_BODY_LIMIT,
  type IntrospectionOptions,
  introspect,
  introspectionSettings,
} from '../http/introspection.js';
import { FASTIFY_REGISTER_KEYS } from '../http/options.js';
import type { Principal } from '../principal-types.js';
import { sendAnswer } from './auth.js';
import { acceptFormBodies, acceptJsonBodies, answerUnreadableBodies, bodyCheck } from './body.js';

/** Callers authenticated in `onRequest`, for the handler that runs after the body is parsed. */
const callers = new WeakMap<FastifyRequest, Principal>();

/** Options of the `introspectionRoute` plugin. */
export interface FastifyIntrospectionOptions extends IntrospectionOptions {
  /** The `TokenService` whose tokens are described. */
  readonly verifier: TokenVerifier;
}

/**
 * An RFC 7662 token introspection endpoint as a Fastify plugin: `POST` at
 * the plugin's prefix, `application/x-www-form-urlencoded` `token=…`. The
 * caller authenticates with its own token in the `Authorization` header (by
 * default an administrative or verification token) and learns only about
 * tokens of its own tenant; anything not live is `{ "active": false }`.
 * A JSON body is read as strictly as the management API's; other content
 * types answer 415. Bad options make `register`/`ready` reject with
 * `TokenError('invalid_request')` naming the option.
 *
 * @example
 * ```ts
 * import { introspectionRoute } from 'tokenward/fastify';
 * await app.register(introspectionRoute, { verifier: tokens, prefix: '/oauth/introspect' });
 * ```
 */
export const introspectionRoute: FastifyPluginAsync<FastifyIntrospectionOptions> = async (fastify, options) => {
  const { settings, authorize, anyTenant } = introspectionSettings(options?.verifier, options, [
    'verifier',
    ...FASTIFY_REGISTER_KEYS,
  ]);
  const { verifier } = options;
  acceptJsonBodies(fastify, INTROSPECTION_BODY_LIMIT);
  acceptFormBodies(fastify, INTROSPECTION_BODY_LIMIT);
  answerUnreadableBodies(fastify, (error) => managementFailure(error, settings.realm));

  // The caller is authenticated before the body is read.
  fastify.addHook('onRequest', async (request, reply) => {
    const outcome = await authenticate(
      verifier,
      { rawHeaders: request.raw.rawHeaders, url: request.raw.url ?? request.url },
      settings,
    );
    if (outcome.kind === 'refused') return sendAnswer(reply, outcome.answer);
    if (outcome.kind === 'principal' && !authorize(outcome.principal)) {
      return sendAnswer(
        reply,
        authFailure(new TokenError('insufficient_scope', 'not allowed to introspect'), settings.realm),
      );
    }
    if (outcome.kind === 'principal') callers.set(request, outcome.principal);
    return undefined;
  });

  fastify.post(
    '/',
    { bodyLimit: INTROSPECTION_BODY_LIMIT, onRequest: bodyCheck('json-or-form') },
    async (request, reply) => {
      const caller = callers.get(request);
      if (caller === undefined)
        return sendAnswer(reply, authFailure(new TokenError('token_invalid', 'no caller'), settings.realm));
      try {
        return sendAnswer(reply, await introspect(verifier, caller, request.body, { anyTenant }));
      } catch (error) {
        return sendAnswer(reply, managementFailure(error, settings.realm));
      }
    },
  );
};
