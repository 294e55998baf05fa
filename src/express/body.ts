import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { unreadableBody } from '../http/answers.js';
import { announcesBody, type BodyKind, bodyRefusal, FORM_TYPE, JSON_TYPE, readBody } from '../http/body.js';
import type { AmbientHeaders } from '../http/cross-site.js';
import { sendAnswer } from './auth.js';

/**
 * @internal The body handling of the Express routers: the shared 415 check
 * on the headers, then the body read as raw bytes by the same readers as
 * on Fastify (so repeated JSON member names are seen, and form fields are
 * decoded alike), JSON or, where the route takes them, form fields.
 */
export function bodyReaders(kind: BodyKind, limit: number, ambient?: AmbientHeaders): RequestHandler[] {
  const check: RequestHandler = (req, res, next) => {
    const refusal = bodyRefusal(req.method, req.headers, kind, ambient);
    if (refusal === null) next();
    else sendAnswer(res, refusal);
  };
  // Raw bytes, read by the shared readers; an app-level parser mounted in front has read the body already.
  const raw = express.raw({ type: kind === 'json' ? [JSON_TYPE] : [JSON_TYPE, FORM_TYPE], limit });
  return [check, raw];
}

/**
 * @internal The body as a route reads it: our own bytes are read strictly
 * (`TokenError('invalid_request')` for anything but a JSON object without
 * repeated names); a body an app-level parser made is passed on, and the
 * route's `bodyObject` still refuses anything but an object.
 */
export function requestBody(req: Request): unknown {
  const body: unknown = req.body;
  if (body instanceof Uint8Array) return readBody(req.headers['content-type'], body);
  return body;
}

/** @internal True when a body was announced but nothing could read it (so the route must not run). */
export function unreadBody(req: Request): boolean {
  return req.body === undefined && announcesBody(req.headers);
}

/** @internal Body reader failures (too large, aborted) as answers: 413, otherwise 400. */
export const bodyErrors: ErrorRequestHandler = (error: unknown, _req, res, next): void => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const status = (error as { status?: unknown }).status;
  sendAnswer(res, unreadableBody(typeof status === 'number' ? status : 400));
};
