/**
 * The option checks every factory shares (src/core/options.ts) against
 * written answers (issue 15): what each accepts and returns, what each
 * refuses and the field it names, and the bounds of whole numbers at their
 * edges.
 */
import { describe, expect, it } from 'vitest';
import {
  booleanOption,
  durationOption,
  functionOption,
  integerOption,
  nestedOptions,
  optionsObject,
  repositoryOption,
  required,
  withMethods,
} from '../../src/core/options.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { refusalOf } from '../support/refusal.js';

const DAY = 86_400_000;

/** What `call` throws, as `{ code, field }`, or `'ok'` when it returns. */
const outcome = (call: () => unknown) => {
  try {
    call();
    return 'ok';
  } catch {
    return refusalOf(call);
  }
};
const refused = (field: string) => ({ code: 'invalid_request', field });

describe('optionsObject and nestedOptions', () => {
  it.each<[string, unknown, unknown]>([
    ['a plain object with known keys', { a: 1 }, 'ok'],
    ['an empty object', {}, 'ok'],
    ['undefined', undefined, refused('opts')],
    ['null', null, refused('opts')],
    ['an array', [], refused('opts')],
    ['a string', 'a', refused('opts')],
    ['an unknown key', { a: 1, c: 2 }, refused('opts.c')],
  ])('optionsObject: %s', (_what, value, expected) => {
    expect(outcome(() => optionsObject(value, 'opts', ['a', 'b']))).toEqual(expected);
  });

  it('answers a snapshot of the allowed keys given, each read once', () => {
    const given = { a: 1 };
    expect(optionsObject(given, 'opts', ['a', 'b'])).toEqual(given);
    expect(nestedOptions(given, 'opts', ['a'])).toEqual(given);
    let reads = 0;
    const counted = {
      get a() {
        reads += 1;
        return reads;
      },
    };
    const snapshot = optionsObject(counted, 'opts', ['a']);
    expect([snapshot.a, snapshot.a, reads]).toEqual([1, 1, 1]);
  });

  it.each<[string, unknown, unknown]>([
    ['undefined (not given)', undefined, 'ok'],
    ['null', null, refused('cache')],
    ['a number', 5, refused('cache')],
    ['an unknown key', { size: 1 }, refused('cache.size')],
  ])('nestedOptions: %s', (_what, value, expected) => {
    expect(outcome(() => nestedOptions(value, 'cache', ['ttl']))).toEqual(expected);
  });

  it('nestedOptions answers undefined when not given', () => {
    expect(nestedOptions(undefined, 'cache', ['ttl'])).toBeUndefined();
  });
});

describe('required, booleanOption, functionOption', () => {
  it('required refuses only undefined', () => {
    expect(refusalOf(() => required(undefined, 'pool'))).toEqual(refused('pool'));
    for (const value of [null, 0, '', false]) expect(required(value, 'pool')).toBe(value);
  });

  it.each<[unknown, boolean, unknown]>([
    [undefined, true, true],
    [undefined, false, false],
    [true, false, true],
    [false, true, false],
  ])('booleanOption(%s, fallback %s) is %s', (value, fallback, expected) => {
    expect(booleanOption(value, 'flag', fallback)).toBe(expected);
  });

  it.each([['false'], [0], [1], [null], ['true']])('booleanOption refuses %j', (value) => {
    expect(refusalOf(() => booleanOption(value, 'flag', true))).toEqual(refused('flag'));
  });

  it('functionOption takes a function or nothing', () => {
    const clock = () => 1;
    expect(functionOption(clock, 'clock')).toBe(clock);
    expect(functionOption(undefined, 'clock')).toBeUndefined();
    for (const value of [null, 1, 'now', {}])
      expect(refusalOf(() => functionOption(value, 'clock'))).toEqual(refused('clock'));
  });
});

describe('integerOption', () => {
  const range = { min: 1, max: 10 };

  it.each<[unknown, unknown]>([
    [undefined, 7],
    [1, 1],
    [10, 10],
    [5, 5],
    [0, refused('n')],
    [11, refused('n')],
    [-1, refused('n')],
    [1.5, refused('n')],
    [Number.NaN, refused('n')],
    [Number.POSITIVE_INFINITY, refused('n')],
    ['5', refused('n')],
    [null, refused('n')],
  ])('%s in 1..10 (fallback 7) is %j', (value, expected) => {
    let got: unknown;
    try {
      got = integerOption(value, 'n', range, 7);
    } catch {
      got = refusalOf(() => integerOption(value, 'n', range, 7));
    }
    expect(got).toEqual(expected);
  });

  it('refuses a whole number beyond the safe range even without an upper bound', () => {
    const open = { min: 0, max: Number.MAX_SAFE_INTEGER };
    expect(integerOption(Number.MAX_SAFE_INTEGER, 'n', open, 0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(refusalOf(() => integerOption(2 ** 53, 'n', open, 0))).toEqual(refused('n'));
  });

  it('words the range it expects: "of at least" without an upper bound, "from … to" with one', () => {
    expect(() => integerOption(0, 'n', { min: 1, max: Number.MAX_SAFE_INTEGER }, 1)).toThrow(
      'n must be a whole number of at least 1',
    );
    expect(() => integerOption(0, 'n', range, 1)).toThrow('n must be a whole number from 1 to 10');
  });
});

describe('durationOption', () => {
  it('takes the fallback when not given, and the value when given', () => {
    expect(durationOption(undefined, 'ttl', '30d')).toBe(30 * DAY);
    expect(durationOption('1d', 'ttl', '30d')).toBe(DAY);
    expect(durationOption(5000, 'ttl', '30d')).toBe(5000);
  });

  it('refuses what is not a duration, naming the field', () => {
    expect(refusalOf(() => durationOption('soon', 'ttl', '30d'))).toEqual(refused('ttl'));
    expect(refusalOf(() => durationOption(null, 'ttl', '30d'))).toEqual(refused('ttl'));
  });
});

describe('withMethods and repositoryOption', () => {
  const methods = ['query', 'end'];
  const fn = Object.assign(() => 0, { query: () => 0, end: () => 0 });

  it.each<[string, unknown, unknown]>([
    ['an object with every method', { query: () => 0, end: () => 0 }, 'ok'],
    ['a function with every method', fn, 'ok'],
    ['null', null, refused('pool')],
    ['undefined', undefined, refused('pool')],
    ['a string', 'pool', refused('pool')],
    ['a number', 3, refused('pool')],
    ['a missing method', { query: () => 0 }, refused('pool')],
    ['a method that is not a function', { query: () => 0, end: true }, refused('pool')],
    ['the first method missing', { end: () => 0 }, refused('pool')],
  ])('withMethods: %s', (_what, value, expected) => {
    expect(outcome(() => withMethods(value, 'pool', methods, 'a pool'))).toEqual(expected);
  });

  it('answers the value it was given', () => {
    expect(withMethods(fn, 'pool', methods, 'a pool')).toBe(fn);
    const repository = memoryRepository();
    expect(repositoryOption(repository, 'repository')).toBe(repository);
  });

  /** Every method of a `TokenRepository`, written out (`close` is optional). */
  const REPOSITORY_METHODS = [
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

  it.each(REPOSITORY_METHODS)('repositoryOption refuses a store without %s', (method) => {
    const store: Record<string, unknown> = Object.fromEntries(REPOSITORY_METHODS.map((name) => [name, () => null]));
    expect(repositoryOption(store, 'repository')).toBe(store);
    delete store[method];
    expect(refusalOf(() => repositoryOption(store, 'repository'))).toEqual(refused('repository'));
  });

  /** The optional capabilities, written out: absent (undefined) is fine, anything else must be a function. */
  const OPTIONAL_METHODS = [
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

  it.each(OPTIONAL_METHODS)('repositoryOption refuses an optional %s that is not a function', (method) => {
    const store: Record<string, unknown> = Object.fromEntries(REPOSITORY_METHODS.map((name) => [name, () => null]));
    for (const absent of [undefined, () => null]) {
      store[method] = absent;
      expect(repositoryOption(store, 'repository')).toBe(store);
    }
    // null too: the service takes only undefined for absent, and would call a null.
    for (const wrong of [null, true, 1, 'touch', {}]) {
      store[method] = wrong;
      expect(refusalOf(() => repositoryOption(store, 'repository'))).toEqual(refused(`repository.${method}`));
    }
  });

  it('repositoryOption refuses nothing given, the factory uncalled and a promise', () => {
    for (const value of [undefined, memoryRepository, Promise.resolve(memoryRepository())]) {
      expect(refusalOf(() => repositoryOption(value, 'store'))).toEqual(refused('store'));
    }
  });
});
