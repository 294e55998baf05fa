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

/**
 * Awaits a rejection with a `TokenError` of `code` whose details include
 * `details` (when given), and returns the error; fails on success or on any
 * other error.
 */
export async function expectCode(
  promise: Promise<unknown>,
  code: string,
  details?: Readonly<Record<string, unknown>>,
): Promise<TokenError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error, `expected TokenError('${code}')`).toBeInstanceOf(TokenError);
  expect((error as TokenError).code).toBe(code);
  if (details !== undefined) expect((error as TokenError).details).toMatchObject(details);
  return error as TokenError;
}
