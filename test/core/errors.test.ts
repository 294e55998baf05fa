/**
 * `TokenError` is recognized by its registered brand, so a copy of the
 * class from another build of tokenward counts (test/http/builds.test.ts
 * loads the real builds side by side); nothing else does.
 */
import { describe, expect, it } from 'vitest';
import { isTokenError, TOKEN_ERROR_CODES, TokenError } from '../../src/core/errors.js';
import { StatementError } from '../../src/sql/errors.js';

/** A class like another build's TokenError: its own prototype, the same registered brand. */
class ElsewhereTokenError extends Error {
  readonly code: string;
  constructor(code: string) {
    super('elsewhere');
    this.code = code;
  }
}
Object.defineProperty(ElsewhereTokenError.prototype, Symbol.for('tokenward.TokenError'), { value: true });

describe('TokenError across builds', () => {
  it('isTokenError and instanceof recognize a TokenError of another copy of the class, with its code', () => {
    const other = new ElsewhereTokenError('conflict');
    expect(isTokenError(other)).toBe(true);
    expect(isTokenError(other, 'conflict')).toBe(true);
    expect(isTokenError(other, 'forbidden')).toBe(false);
    expect(other instanceof TokenError).toBe(true);
  });

  it('recognize every TokenError of this build, and its subclasses', () => {
    for (const code of TOKEN_ERROR_CODES) {
      expect(isTokenError(new TokenError(code, 'x'), code)).toBe(true);
      expect(new TokenError(code, 'x')).toBeInstanceOf(TokenError);
    }
    const statement = new StatementError({ line: 1, column: 1, offset: 0 }, 'expected a statement');
    expect(isTokenError(statement, 'invalid_request')).toBe(true);
    expect(statement).toBeInstanceOf(TokenError);
  });

  it('recognize nothing else: plain errors, look-alikes without the brand, primitives', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'conflict', status: 409, details: {} });
    for (const value of [new Error('x'), lookAlike, { code: 'conflict' }, null, undefined, 'conflict', 409]) {
      expect(isTokenError(value)).toBe(false);
      expect(value instanceof TokenError).toBe(false);
    }
    // The brand alone is not enough: a TokenError has a code.
    const branded = Object.create(ElsewhereTokenError.prototype) as object;
    expect(isTokenError(branded)).toBe(false);
  });

  it('keeps the ordinary instanceof for subclasses: a TokenError is not a StatementError', () => {
    expect(new TokenError('invalid_request', 'x') instanceof StatementError).toBe(false);
    expect(new ElsewhereTokenError('invalid_request') instanceof StatementError).toBe(false);
  });

  it('keeps the brand off the instance: it is not an own or enumerable member', () => {
    const error = new TokenError('conflict', 'x');
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(Object.keys(error)).not.toContain(String(Symbol.for('tokenward.TokenError')));
  });
});
