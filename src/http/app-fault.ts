/**
 * @internal A value the application's own per-request function (a `tenant`,
 * `cost` or `ratelimit` resolver) answered that its option does not take.
 * The client did nothing wrong, so it is never answered as its fault (400)
 * nor heard by `onVerificationFailed` (no token was looked at): Express and
 * Fastify hand it to the framework's error handling, the other entries
 * answer 500.
 */

import type { TokenError } from '../core/errors.js';
import { invalid } from '../core/errors.js';

const FAULT: unique symbol = Symbol.for('tokenward.applicationFault');

/**
 * `TokenError('invalid_request')` naming the option (`details.field`), with
 * the status of a server error: `status` and `statusCode` 500, `expose`
 * false, as the frameworks' error handlers read them (a 400 would blame the
 * client).
 */
export function applicationFault(field: string, what: string): TokenError {
  const error = invalid(field, `${what} (answered by the application's function for this request)`);
  Object.defineProperties(error, {
    status: { value: 500 },
    statusCode: { value: 500 },
    expose: { value: false },
    [FAULT]: { value: true },
  });
  return error;
}

/** True for an error made by `applicationFault`. */
export function isApplicationFault(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { [FAULT]?: unknown })[FAULT] === true;
}

/**
 * What an application's per-request function threw, as the error to hand
 * on: an `Error` as it is; anything else (`undefined`, `0`, `''`, a string,
 * a plain object, an array) wrapped in an `Error` whose `cause` it is.
 * Express takes a falsy error as no error at all and the strings `'route'`
 * and `'router'` as routing commands, and Fastify answers a thrown plain
 * object as the reply's body with a 200: a raw throw could let the
 * request through or answer it as a success.
 */
export function applicationError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error("the application's tenant, cost or ratelimit function threw a value that is not an Error", {
    cause: thrown,
  });
}
