import type { Response } from 'express';
import { isTokenError, type TokenErrorCode } from '../core/errors.js';

/**
 * @internal JSON answers of the page's own routes, shaped like the
 * management API's (`{ error, message, error_description, field? }`,
 * `Cache-Control: no-store`) so the page reads both alike.
 */

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).set({ 'cache-control': 'no-store', pragma: 'no-cache' }).json(body);
}

export function sendError(
  res: Response,
  status: number,
  error: TokenErrorCode | 'token_missing' | 'internal_error',
  message: string,
  field?: string,
): void {
  const body: Record<string, unknown> = { error, message, error_description: message };
  if (field !== undefined) body.field = field;
  if (status === 503) res.set('retry-after', '5');
  sendJson(res, status, body);
}

// Generic words for refusals whose cause a visitor must not learn more about.
const GENERIC: Partial<Record<TokenErrorCode, string>> = {
  token_invalid: 'the token is invalid, expired or revoked',
  token_expired: 'the token is invalid, expired or revoked',
  token_revoked: 'the token is invalid, expired or revoked',
  token_disabled: 'the token is disabled',
  unavailable: 'the token service is unavailable; try again later',
};

/** A thrown error as an answer: a `TokenError` by its status and code, anything else as 500. */
export function sendFailure(res: Response, error: unknown): void {
  if (!isTokenError(error)) {
    sendError(res, 500, 'internal_error', 'internal error');
    return;
  }
  sendError(res, error.status, error.code, GENERIC[error.code] ?? error.message, error.details.field);
}
