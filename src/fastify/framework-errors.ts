import type { FastifyReply, FastifyRequest } from 'fastify';
import { managementFailure } from '../http/answers.js';
import { badPathParameter } from '../http/path-params.js';
import { sendAnswer } from './auth.js';

/**
 * Fastify's `frameworkErrors` server option, for apps that mount
 * `managementRoutes`: Fastify refuses a path that is not valid
 * percent-encoding (`GET /tokens/%E0%A4%A`) before any plugin or hook
 * runs, with its own `FST_ERR_BAD_URL` body. With this handler such a path
 * of the management API answers as on Express, the Fetch API and Hono: 400
 * `invalid_request` naming the path parameter (`id`, `name`), in
 * tokenward's error body. Every other path and error gets Fastify's own
 * answer, as without the option.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { frameworkErrors } from 'tokenward/fastify';
 * const app = Fastify({ frameworkErrors });
 * ```
 */
export function frameworkErrors(
  error: Error & { code?: string; statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const method = request.raw.method === 'HEAD' ? 'GET' : (request.raw.method ?? 'GET');
  const bad = error.code === 'FST_ERR_BAD_URL' ? badPathParameter(method, request.raw.url ?? '') : null;
  if (bad !== null) {
    sendAnswer(reply, managementFailure(bad, 'api'));
    return;
  }
  reply.code(error.statusCode ?? 400).send(error);
}
