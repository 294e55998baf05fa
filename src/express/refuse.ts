import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import { invalid } from '../core/errors.js';
import type { ErrorBody, HttpAnswer } from '../http/answers.js';
import { booleanOption, functionOption } from '../http/options.js';
import { AuthRefusal } from '../http/refusal.js';
import { sendAnswer } from './auth.js';

/**
 * @internal How `tokenAuth` and `requireGrant` refuse a request on Express:
 * send the answer (the default), send it with a body the app shaped
 * (`errorBody`), or hand an `AuthRefusal` to the app's error middleware
 * (`failWithError`). Chosen once by `tokenAuth` and remembered on the
 * request, so the guards behind it refuse alike.
 */

/** Options of `tokenAuth` and `requireGrant` for apps with their own error handling. */
export interface ExpressRefusalOptions {
  /**
   * Pass refusals to `next(err)` as an `AuthRefusal` (with `status`,
   * `headers` and `body`) for the app's error middleware, instead of
   * answering (default false; the name is passport's).
   */
  readonly failWithError?: boolean;
  /**
   * Shapes the JSON body of a refusal tokenward sends: it receives the body
   * and the refusal, and returns the body to send. Status and headers (the
   * RFC 6750 challenge) stay as they are.
   */
  readonly errorBody?: (body: ErrorBody, refusal: AuthRefusal) => unknown;
}

/** @internal Refusal settings after validation. */
export interface RefusalSettings {
  readonly failWithError: boolean;
  readonly errorBody: ((body: ErrorBody, refusal: AuthRefusal) => unknown) | undefined;
}

export const REFUSAL_KEYS: readonly string[] = ['failWithError', 'errorBody'];

const REFUSALS = Symbol('tokenward.refusals');

/** @internal Validates the refusal options; `undefined` when none is given (so a guard inherits the request's). */
export function refusalSettings(options: ExpressRefusalOptions): RefusalSettings | undefined {
  if (options.failWithError === undefined && options.errorBody === undefined) return undefined;
  return {
    failWithError: booleanOption(options.failWithError, 'failWithError', false),
    errorBody: functionOption(options.errorBody, 'errorBody'),
  };
}

/** @internal Remembers `tokenAuth`'s refusal settings on the request, for the guards behind it. */
export function rememberRefusals(req: Request, settings: RefusalSettings | undefined): void {
  if (settings !== undefined) (req as unknown as Record<symbol, RefusalSettings>)[REFUSALS] = settings;
}

/** @internal Refuses the request as configured (the guard's own settings, else those of `tokenAuth`). */
export function refuse(
  req: Request,
  res: Response,
  next: NextFunction,
  answer: HttpAnswer,
  own?: RefusalSettings,
): void {
  const settings = own ?? (req as unknown as Record<symbol, RefusalSettings | undefined>)[REFUSALS];
  if (settings === undefined) {
    sendAnswer(res, answer);
    return;
  }
  const refusal = new AuthRefusal(answer);
  if (settings.failWithError) {
    next(refusal);
    return;
  }
  const body = settings.errorBody === undefined ? answer.body : settings.errorBody(refusal.body, refusal);
  sendAnswer(res, { status: answer.status, headers: answer.headers, body });
}

// Members Express, its routers and the usual middleware put on each request (the prototype's own,
// and those of Node's IncomingMessage, are looked up on `express.request`).
const RESERVED = new Set([
  'tokenPrincipal',
  '__proto__',
  'constructor',
  'prototype',
  'body',
  'params',
  'query',
  'route',
  'baseUrl',
  'originalUrl',
  'res',
  'next',
  'cookies',
  'signedCookies',
  'session',
  'file',
  'files',
]);

/**
 * @internal The `requestProperty` option: a plain property name that no
 * Express or Node request member already uses (`auth`, `user`, `token`…).
 */
export function requestPropertyOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    !/^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/.test(value) ||
    RESERVED.has(value) ||
    value in express.request
  ) {
    throw invalid('requestProperty', 'must be a property name that Express requests do not use already');
  }
  return value;
}
