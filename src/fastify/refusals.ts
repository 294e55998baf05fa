import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAuthRefusal } from '../http/refusal.js';
import { sendAnswer } from './auth.js';

/**
 * @internal Refusals raised by `requireGrant` and `fastify.verifyToken`
 * (as errors, so that `@fastify/auth` can try the next strategy) are
 * answered by each route of the plugin's scope exactly as the `onRequest`
 * hook answers: status, RFC 6750 challenge and body. Every other error,
 * and any route with an error handler of its own, is left to the app.
 */
export function answerRefusals(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (route.errorHandler !== undefined) return;
    route.errorHandler = function answerRefusal(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
      // Rethrown: Fastify hands the error to the scope's own error handler.
      if (!isAuthRefusal(error)) throw error;
      return sendAnswer(reply, error.toAnswer());
    };
  });
}
