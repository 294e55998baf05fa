/**
 * The shields of src/service/shield.ts against written answers (issue 15):
 * which keys a shielded copy has, that it reads properties through and keeps
 * `this`, and that a synchronous throw (of the target or of a custom hasher)
 * becomes `unavailable` while a `TokenError` passes unchanged.
 */
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { outage, shielded, shieldedHasher } from '../../src/service/shield.js';
import { refusalOf } from '../support/refusal.js';

class BaseStore {
  calls = 0;
  find(id: string): string {
    this.calls += 1;
    return `base:${id}`;
  }
  get label(): string {
    return 'base label';
  }
  close(): void {
    throw new Error('driver said: SELECT secret_hash');
  }
}

class Store extends BaseStore {
  override find(id: string): string {
    this.calls += 1;
    return `own:${id}`;
  }
  refuse(): never {
    throw new TokenError('conflict', 'already changed');
  }
}

describe('shielded', () => {
  it('copies own and inherited methods and properties, and nothing of Object.prototype', () => {
    const copy = shielded(new Store(), 'token storage');
    expect(Reflect.ownKeys(copy).sort()).toEqual(['calls', 'close', 'find', 'label', 'refuse']);
    // Enumerable, as the store's own were: spreading or listing the copy sees every one.
    expect(Object.keys(copy).sort()).toEqual(['calls', 'close', 'find', 'label', 'refuse']);
    expect(Object.hasOwn(copy, 'constructor')).toBe(false);
    expect(Object.hasOwn(copy, 'hasOwnProperty')).toBe(false);
  });

  it('calls the most derived method on the target, with the target as this', () => {
    const store = new Store();
    const copy = shielded(store, 'token storage');
    expect(copy.find('a')).toBe('own:a');
    expect(store.calls).toBe(1);
  });

  it('reads properties through: a change on the target shows on the copy', () => {
    const store = new Store();
    const copy = shielded(store, 'token storage');
    store.calls = 7;
    expect(copy.calls).toBe(7);
    expect(copy.label).toBe('base label');
  });

  it('keeps an own property that shadows an inherited accessor, read from the target', () => {
    const target = Object.create({
      get mode(): string {
        return 'inherited';
      },
    }) as { mode: string };
    Object.defineProperty(target, 'mode', { value: 'own', enumerable: true });
    expect(shielded(target, 'the directory').mode).toBe('own');
  });

  it('turns a synchronous throw into unavailable naming the part, the original as cause', () => {
    const copy = shielded(new Store(), 'the directory store');
    let caught: unknown;
    try {
      copy.close();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TokenError);
    const error = caught as TokenError;
    expect(error.code).toBe('unavailable');
    expect(error.message).toBe('the directory store is unavailable');
    expect((error.cause as Error).message).toBe('driver said: SELECT secret_hash');
  });

  it('lets a TokenError through unchanged', () => {
    const copy = shielded(new Store(), 'token storage');
    expect(refusalOf(() => copy.refuse())).toEqual({ code: 'conflict', field: undefined });
  });

  it('copies an object without prototype', () => {
    const bare = Object.assign(Object.create(null) as { find(): string }, { find: () => 'found' });
    expect(shielded(bare, 'token storage').find()).toBe('found');
  });

  it.each([
    [[], 0],
    [['a'], 1],
    [['a', undefined], 2],
    [['a', 'b', 'c'], 3],
    [['a', 'b', 'c', 'd'], 4],
    [['a', 'b', 'c', 'd', 'e'], 5],
  ] as [unknown[], number][])('passes %j on as they are, with the count the caller gave (%i)', (args, count) => {
    // A driver may tell an argument left out from one given as undefined (a rest list, `arguments.length`).
    const target = {
      seen: (...given: unknown[]): unknown[] => given,
    };
    const copy = shielded(target, 'token storage');
    const seen = copy.seen(...args);
    expect(seen).toHaveLength(count);
    expect(seen).toEqual(args);
  });

  it('leaves absent methods absent', () => {
    const copy = shielded({ find: () => 1 } as { find(): number; spend?: () => void }, 'token storage');
    expect(copy.spend).toBeUndefined();
    expect('spend' in copy).toBe(false);
  });
});

describe('outage', () => {
  it('wraps anything but a TokenError, and returns a TokenError itself', () => {
    const original = new TokenError('forbidden', 'no');
    expect(outage(original, 'x')).toBe(original);
    const wrapped = outage('plain string', 'the hasher');
    expect([wrapped.code, wrapped.message, wrapped.cause]).toEqual([
      'unavailable',
      'the hasher is unavailable',
      'plain string',
    ]);
  });
});

describe('shieldedHasher', () => {
  const bytes = new Uint8Array([1, 2, 3]);

  it('passes keys and messages through to a working hasher', () => {
    const keys: Uint8Array[] = [];
    const hasher = shieldedHasher((key) => {
      keys.push(key);
      return (message) => new Uint8Array([...key, ...message]);
    });
    expect([...hasher(new Uint8Array([9]))(bytes)]).toEqual([9, 1, 2, 3]);
    expect(keys).toHaveLength(1);
  });

  it('answers unavailable when keying throws, and when hashing throws', () => {
    const keying = shieldedHasher(() => {
      throw new Error('no key');
    });
    expect(refusalOf(() => keying(bytes))).toEqual({ code: 'unavailable', field: undefined });
    expect(() => keying(bytes)).toThrow('the hasher is unavailable');
    const hashing = shieldedHasher(() => () => {
      throw new RangeError('bad length');
    });
    const keyed = hashing(bytes);
    expect(refusalOf(() => keyed(bytes))).toEqual({ code: 'unavailable', field: undefined });
    expect(() => keyed(bytes)).toThrow('the hasher is unavailable');
  });
});
