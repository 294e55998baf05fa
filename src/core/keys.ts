import { invalid } from './errors.js';

/** @internal Option and input objects: plain objects with known keys only (apart from `input.ts` so the token patterns can use it without a cycle). */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Refuses unknown keys, so a typo (`expiresIn`) is an error rather than
 * silently ignored, and answers a prototype-less copy of the own enumerable
 * keys, each read once: an inherited key (one planted on `Object.prototype`)
 * is absent, and a getter cannot answer the check one value and the call
 * another.
 */
export function expectKeys(value: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw invalid(field, 'must be an object');
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of ownKeys(value, field)) {
    if (!allowed.includes(key)) throw invalid(`${field}.${key}`, 'is not a known option');
    copy[key] = readField(value, key, `${field}.${key}`);
  }
  return copy;
}

/**
 * `object[key]` of an app's object. Reading it may run the app's code (a
 * getter, a proxy trap): what that throws is refused as
 * `TokenError('invalid_request')` naming `field`, with the thrown error as
 * `cause`, never passed on raw.
 */
export function readField(object: object, key: string, field: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch (error) {
    throw invalid(field, 'could not be read (reading it threw)', error);
  }
}

/**
 * `object[key]` when `key` is the object's own property, else undefined:
 * options are read from the app's object itself, never from its prototype
 * chain, so a key planted on `Object.prototype` is no option. A proxy or
 * getter that throws is refused like in `readField`.
 */
export function ownField(object: object, key: string, field: string): unknown {
  let own: boolean;
  try {
    own = Object.hasOwn(object, key);
  } catch (error) {
    throw invalid(field, 'could not be read (reading it threw)', error);
  }
  return own ? readField(object, key, field) : undefined;
}

/** The own keys of an app's object; a proxy whose `ownKeys` trap throws is refused naming `field`. */
export function ownKeys(value: object, field: string): string[] {
  try {
    return Object.keys(value);
  } catch (error) {
    throw invalid(field, 'could not be read (listing its keys threw)', error);
  }
}

/**
 * An app's list read by index, each entry once and checked by `item`
 * (given `field[i]`). The length is checked before any entry is read, so a
 * sparse list of length 2**32-1 costs nothing, and every index is visited:
 * a hole (which `Array#map` and `every` skip) is refused naming `field[i]`
 * rather than passing unchecked.
 *
 * @throws {TokenError} `invalid_request` naming `field` (more than `max`
 *   entries), `field[i]` (a hole, a getter that threw) or what `item` throws.
 */
export function listOf<T>(
  list: readonly unknown[],
  field: string,
  max: number,
  tooLong: string,
  item: (value: unknown, field: string) => T,
): T[] {
  const length = list.length;
  if (length > max) throw invalid(field, tooLong);
  const out: T[] = [];
  for (let i = 0; i < length; i++) {
    const at = `${field}[${i}]`;
    if (!(i in list)) throw invalid(at, 'is missing (a hole in the list)');
    out.push(item(readField(list, String(i), at), at));
  }
  return out;
}
