/**
 * The other factories read their options once, own properties only, like the
 * service: the JWT key set, token format and session codec, the SQLite
 * store, the PostgreSQL timeouts and the OpenTelemetry tracer. A getter that
 * throws is refused naming its field (the thrown error as `cause`), one that
 * answers differently on a second reading is read only once, and a key
 * planted on `Object.prototype` is no option.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { listSnapshot, optionsObject, recordSnapshot } from '../../src/core/options.js';
import { createKeySet, generateSigningKey, jwtFormat, jwtSessionCodec } from '../../src/jwt/index.js';
import { openTelemetryTracer } from '../../src/otel/index.js';
import { postgresTimeouts } from '../../src/stores/postgres/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { causedRejectionOf, refusalOf } from '../support/refusal.js';

const failure = new Error('getter failed');

function throwingAt<T extends object>(key: string, rest: T): T {
  return Object.defineProperty({ ...rest }, key, {
    enumerable: true,
    get() {
      throw failure;
    },
  });
}

const expected = (field: string) => ({ code: 'invalid_request', field, cause: failure });
const thrown = (call: () => unknown) => causedRejectionOf(Promise.resolve().then(call));

describe('core snapshots', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).b;
  });

  it('optionsObject reads own keys only, into a prototype-less copy', () => {
    Object.defineProperty(Object.prototype, 'b', { value: 'planted', configurable: true, writable: true });
    const snapshot = optionsObject({ a: 1 }, 'opts', ['a', 'b']);
    expect([snapshot.a, snapshot.b, Object.getPrototypeOf(snapshot)]).toEqual([1, undefined, null]);
  });

  it('optionsObject refuses an allowed key a class instance inherits, naming it', () => {
    class Options {
      get a() {
        return 1;
      }
    }
    expect(refusalOf(() => optionsObject(new Options(), 'opts', ['a']))).toEqual({
      code: 'invalid_request',
      field: 'opts.a',
    });
    expect(optionsObject(new Options(), 'opts', ['b'])).toEqual({});
  });

  it('listSnapshot copies length and elements once, holes as undefined, and refuses past max', () => {
    let reads = 0;
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case
    const list = Object.defineProperty(['a', , 'c'], '0', {
      get() {
        reads += 1;
        return `a${reads}`;
      },
    });
    expect(listSnapshot(list, 'l', 'must be a list')).toEqual(['a1', undefined, 'c']);
    expect(reads).toBe(1);
    expect(refusalOf(() => listSnapshot(['a', 'b'], 'l', 'must be a list', 1)).field).toBe('l');
    expect(refusalOf(() => listSnapshot('ab', 'l', 'must be a list')).field).toBe('l');
  });

  it('recordSnapshot copies own enumerable keys once, without a prototype', () => {
    const copy = recordSnapshot(JSON.parse('{"1":"x","__proto__":"y"}'), 'm');
    expect(Object.getPrototypeOf(copy)).toBeNull();
    expect(Object.keys(copy)).toEqual(['1', '__proto__']);
    expect(refusalOf(() => recordSnapshot(throwingAt('2', {}), 'm')).field).toBe('m.2');
  });
});

describe('JWT options', () => {
  it('a throwing getter in the key set options, a key input or the verification list is refused naming it', async () => {
    const signing = await generateSigningKey('HS256', { kid: 'k1' });
    const other = await generateSigningKey('HS256', { kid: 'k2' });
    expect(await causedRejectionOf(createKeySet(throwingAt('signing', { signing })))).toEqual(expected('signing'));
    expect(await causedRejectionOf(createKeySet({ signing: throwingAt('secret', signing) }))).toEqual(
      expected('signing.secret'),
    );
    const list = Object.defineProperty([other], '0', {
      get() {
        throw failure;
      },
    });
    expect(await causedRejectionOf(createKeySet({ signing, verification: list }))).toEqual(expected('verification[0]'));
    expect(await causedRejectionOf(createKeySet({ signing, verification: [throwingAt('kid', other)] }))).toEqual(
      expected('verification[0].kid'),
    );
  });

  it('a key whose alg getter answers HS256 once and EdDSA after is read once', async () => {
    const signing = await generateSigningKey('HS256', { kid: 'k1' });
    let reads = 0;
    const input = {
      ...signing,
      get alg() {
        reads += 1;
        return reads === 1 ? 'HS256' : 'EdDSA';
      },
    };
    const keys = await createKeySet({ signing: input as typeof signing });
    expect([keys.signing.alg, reads]).toEqual(['HS256', 1]);
  });

  it('the format and session codec refuse a throwing getter and take nothing inherited', async () => {
    const keys = await createKeySet({ signing: await generateSigningKey('HS256', { kid: 'k1' }) });
    const base = { keys, issuer: 'https://auth.example', audience: 'https://api.example' };
    expect(await thrown(() => jwtFormat(throwingAt('issuer', base)))).toEqual(expected('issuer'));
    expect(await thrown(() => jwtSessionCodec(throwingAt('audience', base)))).toEqual(expected('audience'));
    Object.defineProperty(Object.prototype, 'prefix', { value: 'bad prefix!', configurable: true, writable: true });
    try {
      expect(jwtFormat(base).looksLike('x')).toBe(false);
    } finally {
      delete (Object.prototype as Record<string, unknown>).prefix;
    }
  });
});

describe('store and tracer options', () => {
  it('SQLite: a throwing path getter is refused naming it', async () => {
    expect(await thrown(() => sqliteRepository(throwingAt('path', { path: ':memory:' })))).toEqual(expected('path'));
  });

  it('PostgreSQL timeouts: a throwing getter is refused, an inherited timeout is not taken', async () => {
    expect(await thrown(() => postgresTimeouts(throwingAt('lockTimeout', {})))).toEqual(expected('lockTimeout'));
    Object.defineProperty(Object.prototype, 'lockTimeout', { value: null, configurable: true, writable: true });
    try {
      expect(postgresTimeouts({}).lock_timeout).toBe(1000);
    } finally {
      delete (Object.prototype as Record<string, unknown>).lockTimeout;
    }
  });

  it('OpenTelemetry: a throwing attribute getter is refused naming it', async () => {
    const attributes = throwingAt('deployment.environment', {});
    expect(await thrown(() => openTelemetryTracer({ attributes }))).toEqual(
      expected('options.attributes.deployment.environment'),
    );
  });
});
