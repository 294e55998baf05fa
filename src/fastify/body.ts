import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { type HttpAnswer, unreadableBody } from '../http/answers.js';
import { type BodyKind, bodyRefusal, FORM_TYPE, JSON_TYPE, readFormBody } from '../http/body.js';
import type { AmbientHeaders } from '../http/cross-site.js';
import { readJsonBody } from '../http/json.js';
import { sendAnswer } from './auth.js';

/**
 * @internal The route-level `onRequest` hook with the shared 415 check: it
 * runs after authentication and before any body is read.
 */
export function bodyCheck(kind: BodyKind, ambient?: AmbientHeaders): onRequestHookHandler {
  return function checkBody(request, reply, done): void {
    const refusal = bodyRefusal(request.method, request.headers, kind, ambient);
    if (refusal === null) done();
    else sendAnswer(reply, refusal);
  };
}

/**
 * @internal JSON bodies read by the shared strict reader (no repeated member
 * names, nothing but an object, UTF-8) in this plugin's scope, in place of
 * Fastify's own parser; an empty body is no body, as on Express.
 */
export function acceptJsonBodies(fastify: FastifyInstance, bodyLimit: number): void {
  if (fastify.hasContentTypeParser(JSON_TYPE)) fastify.removeContentTypeParser(JSON_TYPE);
  fastify.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    try {
      done(null, readJsonBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/**
 * @internal Form fields (RFC 7009, RFC 7662 and claim requests) read by the
 * shared reader in this plugin's scope, in place of any parser the app
 * registered, so they are decoded exactly as on Express.
 */
export function acceptFormBodies(fastify: FastifyInstance, bodyLimit: number): void {
  if (fastify.hasContentTypeParser(FORM_TYPE)) fastify.removeContentTypeParser(FORM_TYPE);
  fastify.addContentTypeParser(FORM_TYPE, { parseAs: 'buffer', bodyLimit }, (_request, body, done) => {
    try {
      done(null, readFormBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
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
