import { expect } from 'vitest';
import { TokenError, type TokenErrorCode } from '../../src/core/errors.js';
import type { TokenInfo } from '../../src/core/types.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The `TokenError` code a call fails with; fails the test if it succeeds or throws anything else. */
export async function codeOf(work: Promise<unknown>): Promise<TokenErrorCode> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return (error as TokenError).code;
  }
  throw new Error('expected the call to fail with a TokenError');
}

/** The error a call fails with, for checks on its details and message. */
export async function errorOf(work: Promise<unknown>): Promise<TokenError> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return error as TokenError;
  }
  throw new Error('expected the call to fail with a TokenError');
}

/**
 * "Shown once": a token's public view, or a listing, holds neither the token
 * string nor any part of its secret, nor a field meant for one.
 */
export function expectNoSecret(value: unknown, token: string): void {
  const text = JSON.stringify(value);
  // The tail of the string is the secret and its checksum; the head (prefix, type, id) is public.
  expect(text).not.toContain(token.slice(-30));
  expect(text).not.toMatch(/"(token|secret|secretHash|hash|previousSecretHash)"/i);
}

export function names(items: readonly TokenInfo[]): string[] {
  return items.map((info) => info.name).sort();
}
