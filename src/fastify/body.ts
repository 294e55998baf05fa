import type { FastifyInstance } from 'fastify';
import { type HttpAnswer, unreadableBody } from '../http/answers.js';
import { sendAnswer } from './auth.js';

/**
 * @internal Form bodies (RFC 7009 and RFC 7662 requests) parsed without an
 * extra dependency; a repeated field becomes a list, which the handlers refuse.
 */
export function acceptFormBodies(fastify: FastifyInstance, bodyLimit: number): void {
  // The app may parse forms already (for example with @fastify/formbody); adding a second parser would throw.
  if (fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      const fields: Record<string, string | string[]> = {};
      for (const [key, value] of new URLSearchParams(body as string)) {
        const existing = fields[key];
        fields[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
      }
      done(null, fields);
    },
  );
}

/** @internal Bad JSON, an empty JSON body, an unknown content type or a too large body: 400 or 413. */
export function answerUnreadableBodies(fastify: FastifyInstance, otherwise: (error: unknown) => HttpAnswer): void {
  fastify.setErrorHandler((error, _request, reply) => {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendAnswer(reply, unreadableBody(status));
    }
    return sendAnswer(reply, otherwise(error));
  });
}
