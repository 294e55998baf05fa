import { expect } from 'vitest';
import { TokenError } from '../../src/core/errors.js';

/** How a call was refused: the `TokenError`'s code and the field it names. */
export interface Refusal {
  readonly code: string;
  readonly field: string | undefined;
}

function asRefusal(error: unknown): Refusal {
  expect(error, 'expected a TokenError').toBeInstanceOf(TokenError);
  const { code, details } = error as TokenError;
  return { code, field: details.field };
}

/** A refusal with the error's `cause`: what a `TokenError` wrapping another error carries. */
export interface CausedRefusal extends Refusal {
  readonly cause: unknown;
}

function asCausedRefusal(error: unknown): CausedRefusal {
  return { ...asRefusal(error), cause: (error as TokenError).cause };
}

/** `refusalOf` with the error's `cause`. */
export function causedRefusalOf(call: () => unknown): CausedRefusal {
  try {
    call();
  } catch (error) {
    return asCausedRefusal(error);
  }
  throw new Error('expected a TokenError, but the call succeeded');
}

/** `rejectionOf` with the error's `cause`. */
export async function causedRejectionOf(promise: Promise<unknown>): Promise<CausedRefusal> {
  try {
    await promise;
  } catch (error) {
    return asCausedRefusal(error);
  }
  throw new Error('expected a TokenError, but the call succeeded');
}

/** The refusal of a call that must throw a `TokenError` synchronously (a factory). */
export function refusalOf(call: () => unknown): Refusal {
  try {
    call();
  } catch (error) {
    return asRefusal(error);
  }
  throw new Error('expected a TokenError, but the call succeeded');
}

/** The refusal of a promise that must reject with a `TokenError`. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Refusal> {
  try {
    await promise;
  } catch (error) {
    return asRefusal(error);
  }
  throw new Error('expected a TokenError, but the call succeeded');
}

/**
 * The field an `invalid_request` names when `call` refuses, `'(no field)'`
 * when it names none, or `'accepted'` when the call returns; any other
 * error is thrown on.
 */
export function fieldOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (!(error instanceof TokenError) || error.code !== 'invalid_request') throw error;
    return error.details.field ?? '(no field)';
  }
  return 'accepted';
}
