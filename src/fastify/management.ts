import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { checkRealm, managementFailure, missingCredentials } from '../http/answers.js';
import { MANAGEMENT_ROUTES } from '../http/management.js';
import type { Actor, TokenService } from '../service-types.js';
import { sendAnswer } from './auth.js';
import { acceptFormBodies, answerUnreadableBodies } from './body.js';

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
  /** Largest accepted request body in bytes (default 64 KiB). */
  readonly bodyLimit?: number;
}

function tokenActor(request: FastifyRequest): Actor | null {
  return request.tokenPrincipal === null ? null : { principal: request.tokenPrincipal };
}

/**
 * The management API of a "Personal access tokens" page as a Fastify
 * plugin; register it with a `prefix`. The routes and answers are the same
 * as `managementRouter` in `tokenward/express`: issue (the secret is in that
 * answer only), list with filters and paging, get, comment, rotate, share,
 * claim, revoke (and RFC 7009 `POST /revoke`), revoke all, policies.
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
  const { service } = options;
  const realm = checkRealm(options.realm);
  const resolveActor = options.actor ?? tokenActor;
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  acceptFormBodies(fastify, bodyLimit);
  answerUnreadableBodies(fastify, (error) => managementFailure(error, realm));

  for (const route of MANAGEMENT_ROUTES) {
    fastify.route({
      method: route.method,
      url: route.path,
      bodyLimit,
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
            body: request.body,
            actor,
          });
          return sendAnswer(reply, answer);
        } catch (error) {
          return sendAnswer(reply, managementFailure(error, realm));
        }
      },
    });
  }
};
