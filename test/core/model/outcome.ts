/** How a command compares a call's outcome with the model's verdict. */
import { expect } from 'vitest';
import { TokenError, type TokenErrorCode } from '../../../src/core/errors.js';

/** How a call ended: its value, or the code of the `TokenError` it threw. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: TokenErrorCode };

/** Runs a call and keeps its answer; anything thrown that is not a `TokenError` fails the test. */
export async function settle<T>(work: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    return { ok: false, code: error.code };
  }
}

/**
 * Compares a call's outcome with the model's verdict. `codes` holds every
 * code a rule the call breaks may answer with (the spec does not order the
 * checks, so when a call breaks two rules either code is right); an empty
 * set means the call must succeed. Returns the value on success.
 */
export function expectOutcome<T>(outcome: Outcome<T>, codes: ReadonlySet<TokenErrorCode>, what: string): T | null {
  if (codes.size === 0) {
    expect(outcome.ok ? 'ok' : outcome.code, `${what} must succeed`).toBe('ok');
    return (outcome as { value: T }).value;
  }
  expect(outcome.ok ? 'ok' : outcome.code, `${what} must fail with one of ${[...codes].join(', ')}`).toBeOneOf([
    ...codes,
  ]);
  return null;
}
