import { expect } from 'vitest';
import { TokenError } from '../../src/core/errors.js';

/** The code of the `TokenError` a promise rejects with; fails the test on success or on any other error. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return (error as TokenError).code;
  }
  throw new Error('expected a TokenError');
}
