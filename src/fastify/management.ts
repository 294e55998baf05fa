import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Principal } from '../core/principal-types.js';
import { tokenActor } from '../http/actor.js';
import { managementFailure, missingCredentials } from '../http/answers.js';
import { type Actor, MANAGEMENT_ROUTES, type TokenService } from '../http/management.js';
import { FASTIFY_REGISTER_KEYS, managementSettings } from '../http/options.js';
import { sendAnswer } from './auth.js';
import { acceptFormBodies, acceptJsonBodies, answerUnreadableBodies, bodyCheck } from './body.js';
import { acceptAll, plainJson, routeSchema } from './schemas.js';

/** Options of the `managementRoutes` plugin. */
export interface FastifyManagementOptions {
  readonly service: TokenService;
  /**
   * Who performs a call: the app's own session user (`{ tenant, user }`), a
   * verified token (`{ principal }`), or null when nobody is signed in (401).
   * Default: the principal the `tokenward` plugin put on the request.
   */
  readonly actor?: (request: FastifyRequest) => Actor | null | undefined | Promise<Actor | null | undefined>;
  /** Realm of 401 challenges (default `api`). */
  readonly realm?: string;
  /** Largest accepted request body in bytes (default 64 KiB, at most 1 GiB). */
  readonly bodyLimit?: number;
  /**
   * Headers the proxies in front of the app add to every request, beyond
   * the built-in list (`X-Forwarded-*`, `Forwarded`, `CF-*`, …): exact names
   * or prefixes such as `'x-corp-*'`. They never count as proof that a
   * body-less POST did not come from a cross-site form.
   */
  readonly ambientHeaders?: readonly string[];
}

/** The verified token; `undefined` when the `tokenward` plugin is not registered in this scope (401, as Express). */
function requestActor(request: FastifyRequest): Actor | null {
  return tokenActor(request.tokenPrincipal as Principal | null | undefined);
}

/**
 * The management API of a "Personal access tokens" page as a Fastify
 * plugin; register it with a `prefix`. The routes and answers are the same
 * as `managementRouter` in `tokenward/express`: issue (the secret is in that
 * answer only), list with filters and paging, get, comment, rotate, share,
 * claim, revoke (and RFC 7009 `POST /revoke`), revoke all, policies.
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
 * JSON is read by this plugin's own parser in its scope (in place of
 * Fastify's), so repeated names are always seen.
 *
 * Options are checked when the plugin is registered: a bad one makes
 * `register`/`ready` reject with `TokenError('invalid_request')` naming it.
 *
 * @example
 * ```ts
 * import { managementRoutes, tokenward } from 'tokenward/fastify';
 *
 * await app.register(async (scope) => {
 *   await scope.register(tokenward, { verifier: tokens });
 *   await scope.register(managementRoutes, { service: tokens });
 * }, { prefix: '/api/tokens-admin' });
 * ```
 */
export const managementRoutes: FastifyPluginAsync<FastifyManagementOptions> = async (fastify, options) => {
  const settings = managementSettings<NonNullable<FastifyManagementOptions['actor']>>(options?.service, options, [
    'service',
    ...FASTIFY_REGISTER_KEYS,
  ]);
  const { service, realm, bodyLimit } = settings;
  const resolveActor = settings.actor ?? requestActor;
  acceptJsonBodies(fastify, bodyLimit);
  acceptFormBodies(fastify, bodyLimit);
  answerUnreadableBodies(fastify, (error) => managementFailure(error, realm));

  for (const route of MANAGEMENT_ROUTES) {
    fastify.route({
      method: route.method,
      url: route.path,
      bodyLimit,
      // For @fastify/swagger: documentation only, neither validation nor serialization.
      schema: routeSchema(route.method, route.path) ?? {},
      validatorCompiler: acceptAll,
      serializerCompiler: plainJson,
      ...(route.body === null ? {} : { onRequest: bodyCheck(route.body, settings.ambient) }),
      handler: async (request, reply) => {
        try {
          let actor: Actor | null = null;
          if (route.needsActor) {
            actor = (await resolveActor(request)) ?? null;
            if (actor === null) return sendAnswer(reply, missingCredentials(realm));
          }
          const answer = await route.handle(service, {
            params: request.params as Record<string, string | undefined>,
            query: request.query as Record<string, unknown>,
            body: route.body === null ? undefined : request.body,
            actor,
            path: request.url.split('?', 1)[0]!,
          });
          return sendAnswer(reply, answer);
        } catch (error) {
          return sendAnswer(reply, managementFailure(error, realm));
        }
      },
    });
  }
};
