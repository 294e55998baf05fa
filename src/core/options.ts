/**
 * @internal Checks of configuration options, shared by every public
 * factory (the service, the stores, the JWT helpers): a bad option is
 * refused at construction with `TokenError('invalid_request')` whose
 * `details.field` names it, never a `TypeError` later or a silent default.
 *
 * Conventions: `undefined` means "not given" and takes the default; `null`
 * is refused unless the option documents a meaning for it, since it usually
 * comes from an unset environment variable or a JSON file.
 */
import { parseDuration } from './duration.js';
import { invalid } from './errors.js';
import { isPlainObject, ownField, readField } from './input.js';
import { ownKeys } from './keys.js';
import type { TokenRepository } from './repository.js';

/**
 * A required options object with only the `allowed` keys (a typo is an
 * error, not ignored), answered as a snapshot: each allowed key is read
 * once, here, so a getter that throws is refused naming its option (the
 * top-level `options` object names its keys bare: `repository`, not
 * `options.repository`) and a getter cannot answer differently later.
 * Only own properties count: an inherited key (one planted on
 * `Object.prototype`) is absent.
 */
export function optionsObject(value: unknown, field: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid(field, 'must be an object');
  const name = (key: string) => (field === 'options' ? key : `${field}.${key}`);
  // No prototype: a later `snapshot.onIssued` must not find one planted on Object.prototype.
  const snapshot: Record<string, unknown> = Object.create(null);
  for (const key of ownKeys(value, field)) {
    if (!allowed.includes(key)) throw invalid(`${field}.${key}`, 'is not a known option');
    const given = readField(value, key, name(key));
    if (given !== undefined) snapshot[key] = given;
  }
  // A class instance's methods (`hooks: new MyHooks()`) would be ignored without a word.
  if (classPrototype(value, field)) {
    for (const key of allowed) {
      if (!(key in snapshot) && has(value, key, name(key))) {
        throw invalid(name(key), 'is inherited (a class instance?): options are read from own properties only');
      }
    }
  }
  return snapshot;
}

/** Whether `value` inherits from something other than `Object.prototype` (a class instance). */
function classPrototype(value: object, field: string): boolean {
  try {
    const prototype = Object.getPrototypeOf(value);
    return prototype !== null && prototype !== Object.prototype;
  } catch (error) {
    throw invalid(field, 'could not be read (reading it threw)', error);
  }
}

function has(value: object, key: string, field: string): boolean {
  try {
    return key in value;
  } catch (error) {
    throw invalid(field, 'could not be read (reading it threw)', error);
  }
}

/** An optional nested options object: undefined when not given. */
export function nestedOptions(
  value: unknown,
  field: string,
  allowed: readonly string[],
): Record<string, unknown> | undefined {
  return value === undefined ? undefined : optionsObject(value, field, allowed);
}

/**
 * A list option read once into a plain copy: `length` and then each own
 * element (a hole reads as undefined) once, a getter or proxy trap that
 * throws refused naming `field` or `field[i]`. Not a list, or longer than
 * `max`, is refused with `refusal`; nothing is read past `max`.
 */
export function listSnapshot(value: unknown, field: string, refusal: string, max = Number.MAX_SAFE_INTEGER): unknown[] {
  let isList: boolean;
  try {
    isList = Array.isArray(value);
  } catch (error) {
    // A revoked proxy throws even here.
    throw invalid(field, 'could not be read (reading it threw)', error);
  }
  if (!isList) throw invalid(field, refusal);
  const length = readField(value as object, 'length', field) as number;
  if (length > max) throw invalid(field, refusal);
  const copy: unknown[] = [];
  for (let index = 0; index < length; index += 1) {
    copy.push(ownField(value as object, String(index), `${field}[${index}]`));
  }
  return copy;
}

/**
 * A map option (`{ [key]: value }`) read once into a prototype-less copy:
 * its own enumerable keys, then each value once, a throwing getter or trap
 * refused naming `field.key`.
 */
export function recordSnapshot(value: object, field: string): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  for (const key of ownKeys(value, field)) copy[key] = readField(value, key, `${field}.${key}`);
  return copy;
}

/** `value`, refusing `undefined` for an option without a default. */
export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw invalid(field, 'is required');
  return value;
}

/** A boolean switch; `'false'` from an environment variable is not one. */
export function booleanOption(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

/** An optional function (a clock, a callback, a hasher). */
export function functionOption<F extends (...args: never[]) => unknown>(value: unknown, field: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(field, 'must be a function');
  return value as F;
}

/** A whole number from `min` to `max`, or `fallback` when not given. */
export function integerOption(
  value: unknown,
  field: string,
  range: { readonly min: number; readonly max: number },
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < range.min || value > range.max) {
    const span =
      range.max === Number.MAX_SAFE_INTEGER ? `of at least ${range.min}` : `from ${range.min} to ${range.max}`;
    throw invalid(field, `must be a whole number ${span}`);
  }
  return value;
}

/** A duration option in milliseconds (`'30d'` or a number of ms), or `fallback` when not given. */
export function durationOption(value: unknown, field: string, fallback: string): number {
  return parseDuration(value === undefined ? fallback : value, field);
}

/** An object that has every one of `methods` (an adapter, a driver's pool, a codec). */
export function withMethods<T>(value: unknown, field: string, methods: readonly string[], what: string): T {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw invalid(field, `must be ${what}`);
  }
  for (const method of methods) {
    if (typeof readField(value, method, `${field}.${method}`) !== 'function') {
      throw invalid(field, `must be ${what} (it has no ${method} method)`);
    }
  }
  return value as T;
}

/** The methods every `TokenRepository` has (`close` is optional). */
const REPOSITORY_METHODS: readonly (keyof TokenRepository)[] = [
  'insert',
  'insertMaster',
  'findById',
  'findByName',
  'list',
  'update',
  'revoke',
  'revokeOwner',
  'touch',
  'purgeExpired',
  'insertClaim',
  'consumeClaim',
  'setPolicy',
  'policiesFor',
  'appendEvent',
  'listEvents',
  'pruneEvents',
  'findByLookupHash',
  'markExpiring',
];

/**
 * The optional capabilities of a `TokenRepository`: the service calls each
 * one when the store has it, so one that is there but is not a function
 * would fail at its first use instead of at start-up (or, for `touchSync`,
 * quietly fall back on every verification).
 */
const OPTIONAL_REPOSITORY_METHODS: readonly (keyof TokenRepository)[] = [
  'findByIdSync',
  'touchMany',
  'touchSync',
  'policiesWithVersion',
  'insertAtPolicyVersion',
  'close',
  'spend',
  'refillCredits',
  'findSession',
  'revokeSession',
  'pruneRevokedSessions',
  'runExclusive',
];

/**
 * A `TokenRepository` (catches `memoryRepository` passed uncalled, or a
 * promise of a store). An optional capability may be absent (undefined);
 * when present it must be a function.
 *
 * @throws {TokenError} `invalid_request` naming `field`, or `field.method` for an optional capability that is not a function.
 */
export function repositoryOption(value: unknown, field: string): TokenRepository {
  const repository = withMethods<TokenRepository>(
    required(value, field),
    field,
    REPOSITORY_METHODS,
    'a TokenRepository',
  );
  for (const method of OPTIONAL_REPOSITORY_METHODS) {
    const given = readField(repository, method, `${field}.${method}`);
    // Only undefined is absent: the service tests `=== undefined`, so a null would be called.
    if (given !== undefined && typeof given !== 'function') {
      throw invalid(`${field}.${method}`, 'must be a function when the store has it');
    }
  }
  return repository;
}
