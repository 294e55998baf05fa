/**
 * @internal The service's outside parts — the repository, the directory, the
 * directory store and a custom hasher — behind a shield that turns a
 * synchronous throw into `TokenError('unavailable')`. A method of a
 * third-party store may throw before it returns a promise (a driver checking
 * its arguments, a bug); `guarded` only sees rejections, so without this the
 * driver's error, whose text may quote the call's arguments, would reach the
 * caller and the HTTP layer would answer 500 instead of 503. Wrapping each
 * method once, here, covers every call site, present and future.
 */
import { isTokenError, TokenError } from '../core/errors.js';
import type { KeyedHasherFactory } from '../core/hashing.js';

/** A failure that is not a `TokenError` as the outage it is; the original is the `cause`, never the message. */
export function outage(error: unknown, what: string): TokenError {
  if (isTokenError(error)) return error;
  return new TokenError('unavailable', `${what} is unavailable`, { cause: error });
}

/**
 * Calls `method` on `target`; a synchronous throw becomes `outage`. Calls
 * of up to three arguments pass them as they are, with the count the
 * caller gave: no rest list is built per call, and `findByIdSync` and
 * `getUser` are on the verification path (issue 12).
 */
function shieldedMethod(target: object, method: (...args: unknown[]) => unknown, what: string) {
  return function shield(a?: unknown, b?: unknown, c?: unknown): unknown {
    try {
      // biome-ignore lint/complexity/noArguments: the count the caller gave, which a rest list would cost to know
      switch (arguments.length) {
        case 0:
          return method.call(target);
        case 1:
          return method.call(target, a);
        case 2:
          return method.call(target, a, b);
        case 3:
          return method.call(target, a, b, c);
        default:
          // biome-ignore lint/complexity/noArguments: the calls with more arguments pass all of them on
          return method.apply(target, arguments as unknown as unknown[]);
      }
    } catch (error) {
      throw outage(error, what);
    }
  };
}

/**
 * A copy of `target` whose methods (own and inherited, as class-based stores
 * have them) throw only `TokenError`s synchronously. Other properties are
 * read through from `target`; a method it lacks stays absent, so optional
 * capabilities (`spend`, `findByIdSync`, …) are detected as before.
 */
export function shielded<T extends object>(target: T, what: string): T {
  const copy: Record<PropertyKey, unknown> = {};
  for (let level: object | null = target; level !== null && level !== Object.prototype; ) {
    for (const key of Reflect.ownKeys(level)) {
      if (key === 'constructor' || Object.hasOwn(copy, key)) continue;
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value === 'function') {
        copy[key] = shieldedMethod(target, value as (...args: unknown[]) => unknown, what);
      } else {
        Object.defineProperty(copy, key, { enumerable: true, get: () => Reflect.get(target, key, target) });
      }
    }
    level = Object.getPrototypeOf(level) as object | null;
  }
  return copy as T;
}

/** A custom hasher whose keying and hashing throw only `unavailable` (the reference hasher never throws). */
export function shieldedHasher(factory: KeyedHasherFactory): KeyedHasherFactory {
  return (key) => {
    let keyed: (message: Uint8Array) => Uint8Array;
    try {
      keyed = factory(key);
    } catch (error) {
      throw outage(error, 'the hasher');
    }
    return (message) => {
      try {
        return keyed(message);
      } catch (error) {
        throw outage(error, 'the hasher');
      }
    };
  };
}
