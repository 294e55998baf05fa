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
