import { invalid } from './errors.js';

/** @internal Option and input objects: plain objects with known keys only (apart from `input.ts` so the token patterns can use it without a cycle). */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses unknown keys, so a typo (`expiresIn`) is an error rather than silently ignored. */
export function expectKeys(value: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw invalid(field, 'must be an object');
  for (const key of ownKeys(value, field)) {
    if (!allowed.includes(key)) throw invalid(`${field}.${key}`, 'is not a known option');
  }
  return value;
}

/** The own keys of an app's object; a proxy whose `ownKeys` trap throws is refused naming `field`. */
export function ownKeys(value: object, field: string): string[] {
  try {
    return Object.keys(value);
  } catch (error) {
    throw invalid(field, 'could not be read (listing its keys threw)', error);
  }
}
