/**
 * `TokenError`'s codes, statuses and members against a table written out
 * here (SPEC §8 and RFC 6750 §3.1 for the statuses), not read from
 * `TOKEN_ERROR_STATUS`.
 */
import { describe, expect, it } from 'vitest';
import { invalid, isTokenError, TOKEN_ERROR_CODES, TOKEN_ERROR_STATUS, TokenError } from '../../src/core/errors.js';

const STATUS: readonly (readonly [string, number])[] = [
  ['invalid_request', 400],
  ['token_invalid', 401],
  ['token_expired', 401],
  ['token_revoked', 401],
  ['token_disabled', 401],
  ['insufficient_scope', 403],
  ['forbidden', 403],
  ['not_found', 404],
  ['conflict', 409],
  ['limit_exceeded', 409],
  ['duration_exceeds_policy', 422],
  ['rate_limited', 429],
  ['usage_exceeded', 429],
  ['unavailable', 503],
];

describe('TokenError codes and statuses', () => {
  it('lists every code once, in the documented order', () => {
    expect(TOKEN_ERROR_CODES).toEqual(STATUS.map(([code]) => code));
  });

  it('maps each code to its HTTP status, on the table and on every error', () => {
    expect(Object.entries(TOKEN_ERROR_STATUS)).toEqual(STATUS);
    for (const [code, status] of STATUS) {
      const error = new TokenError(code as TokenError['code'], 'm');
      expect(error.status, code).toBe(status);
      expect(error.code).toBe(code);
    }
  });
});

describe('TokenError members', () => {
  it('is an Error named TokenError whose message is the one given', () => {
    const error = new TokenError('conflict', 'the token changed');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TokenError');
    expect(error.message).toBe('the token changed');
    expect(String(error)).toBe('TokenError: the token changed');
  });

  it('keeps the cause on the error and out of the details; no cause member without one', () => {
    const cause = new Error('database down');
    const error = new TokenError('unavailable', 'm', { cause, retryAfter: 5 });
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ retryAfter: 5 });
    const plain = new TokenError('unavailable', 'm');
    expect('cause' in plain).toBe(false);
    expect(plain.details).toEqual({});
    expect('cause' in new TokenError('unavailable', 'm', { field: 'x' })).toBe(false);
  });

  it('invalid(field, what) is invalid_request (400) naming the field, the message field first', () => {
    const error = invalid('ttl', 'must be a positive duration');
    expect(error).toBeInstanceOf(TokenError);
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.details).toEqual({ field: 'ttl' });
    expect(error.message).toBe('ttl must be a positive duration');
  });
});

describe('isTokenError edge cases', () => {
  const branded = (code: unknown) => {
    const value = Object.create({ [Symbol.for('tokenward.TokenError')]: true }) as { code: unknown };
    value.code = code;
    return value;
  };

  it('wants the brand to be exactly true and the code a string', () => {
    expect(isTokenError(branded('conflict'))).toBe(true);
    expect(isTokenError(branded(409))).toBe(false);
    expect(isTokenError(branded(undefined))).toBe(false);
    const truthy = Object.create({ [Symbol.for('tokenward.TokenError')]: 1 }) as object;
    expect(isTokenError(Object.assign(truthy, { code: 'conflict' }))).toBe(false);
  });

  it('refuses primitives even when their prototype carried the brand', () => {
    expect(isTokenError('conflict')).toBe(false);
    expect(isTokenError(undefined, 'conflict')).toBe(false);
    expect(isTokenError(null, 'conflict')).toBe(false);
  });

  it('with a code, holds only for that code', () => {
    expect(isTokenError(new TokenError('forbidden', 'm'), 'forbidden')).toBe(true);
    expect(isTokenError(new TokenError('forbidden', 'm'), 'not_found')).toBe(false);
  });

  it('instanceof of a plain Error subclass still works through the ordinary rule', () => {
    class Other extends TokenError {}
    expect(new Other('conflict', 'm')).toBeInstanceOf(Other);
    expect(new TokenError('conflict', 'm') instanceof Other).toBe(false);
  });
});
