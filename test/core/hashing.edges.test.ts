/**
 * The pepper ring's edges (src/core/hashing.ts), against answers computed
 * here with node:crypto: which pepper option shapes and versions are
 * accepted (32 bytes at least, counted in UTF-8; versions non-negative
 * integers; the current one configured), that a custom hasher is really
 * called (with the secret's UTF-8 bytes, short, long, non-ASCII) and that
 * a MAC of any length but 32 bytes never verifies.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPepperRing, type KeyedHasherFactory, portableHasher } from '../../src/core/hashing.js';
import { fieldOf } from '../support/refusal.js';

const P1 = 'pepper-one-0123456789abcdefghijklmnop';
const P2 = 'pepper-two-0123456789abcdefghijklmnop';
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const hmacText = (pepper: string | Uint8Array, secret: string) =>
  createHmac('sha256', pepper).update(secret, 'utf8').digest('base64url');

describe('pepper option', () => {
  it.each([
    ['a 32-character string', 'p'.repeat(32), 'accepted'],
    ['a 31-character string', 'p'.repeat(31), 'pepper'],
    ['16 two-byte characters (32 bytes)', 'é'.repeat(16), 'accepted'],
    ['15 two-byte characters and one more (31 bytes)', `${'é'.repeat(15)}a`, 'pepper'],
    ['32 bytes', new Uint8Array(32), 'accepted'],
    ['31 bytes', new Uint8Array(31), 'pepper'],
    ['an empty string', '', 'pepper'],
    ['a number', 1234567890, 'pepper'],
    ['null', null, 'pepper'],
    ['undefined', undefined, 'pepper'],
    ['a set without peppers', { current: 1 }, 'pepper'],
    ['a set without current', { peppers: { 1: P1 } }, 'pepper'],
    ['a set whose current version is missing', { current: 2, peppers: { 1: P1 } }, 'pepper'],
    ['a set with a short pepper', { current: 1, peppers: { 1: P1, 2: 'short' } }, 'pepper'],
    ['a set with a pepper that is a number', { current: 1, peppers: { 1: P1, 2: 42 } }, 'pepper'],
    ['version 0', { current: 0, peppers: { 0: P1 } }, 'accepted'],
    ['version -1', { current: 1, peppers: { 1: P1, '-1': P2 } }, 'pepper'],
    ['version 1.5', { current: 1, peppers: { 1: P1, '1.5': P2 } }, 'pepper'],
    ['version x', { current: 1, peppers: { 1: P1, x: P2 } }, 'pepper'],
    ['version 2^53', { current: 1, peppers: { 1: P1, [2 ** 53]: P2 } }, 'pepper'],
    ['version 2^53 - 1', { current: 1, peppers: { 1: P1, [2 ** 53 - 1]: P2 } }, 'accepted'],
  ])('%s → %s', (_, pepper, expected) => {
    expect(fieldOf(() => createPepperRing(pepper, portableHasher))).toBe(expected);
  });

  it('lists every configured version and hashes under each with its own pepper', () => {
    const ring = createPepperRing({ current: 7, peppers: { 0: P1, 7: P2 } }, portableHasher);
    expect(ring.current).toBe(7);
    expect([...ring.versions].sort()).toEqual([0, 7]);
    expect(ring.hash('s', 0)).toBe(hmacText(P1, 's'));
    expect(ring.hash('s', 7)).toBe(hmacText(P2, 's'));
    expect(ring.hash('s', 1)).toBeNull();
    expect(ring.matches('s', 1, hmacText(P1, 's'))).toBe(false);
  });

  it('answers null / false for a pepper version it does not have, by text and by words', () => {
    for (const hasher of [
      portableHasher,
      (key: Uint8Array) => (message: Uint8Array) => createHmac('sha256', key).update(message).digest(),
    ]) {
      const ring = createPepperRing(P1, hasher);
      expect(ring.hash('secret', 2)).toBeNull();
      expect(ring.matches('secret', 2, hmacText(P1, 'secret'))).toBe(false);
      expect(ring.matchesWords('secret', 2, new Int32Array(8), 0)).toBe(false);
    }
  });

  it('takes a single pepper as version 1, string or bytes alike', () => {
    const bytes = new TextEncoder().encode(P1);
    for (const pepper of [P1, bytes]) {
      const ring = createPepperRing(pepper, portableHasher);
      expect(ring.current).toBe(1);
      expect(ring.versions).toEqual([1]);
      expect(ring.hash('secret', 1)).toBe(hmacText(P1, 'secret'));
    }
  });
});

describe('a custom hasher', () => {
  /** Not an HMAC: SHA-256 of key ‖ message, so an answer from the default hasher would differ. */
  const concatenating: KeyedHasherFactory = (key) => (message) =>
    createHash('sha256').update(key).update(message).digest();
  const expected = (secret: string) => createHash('sha256').update(P1).update(secret, 'utf8').digest('base64url');

  it.each([
    ['empty', ''],
    ['short ASCII', 'secret'],
    ['U+007F', 'a\u007f'],
    ['256 ASCII characters', 'x'.repeat(256)],
    ['257 ASCII characters', 'x'.repeat(257)],
    ['non-ASCII', 'sécret'],
    ['non-ASCII at the end of 256', `${'x'.repeat(255)}é`],
    ['a lone surrogate (U+FFFD)', 'a\ud800'],
  ])('is called with the UTF-8 bytes of the secret: %s', (_, secret) => {
    const ring = createPepperRing(P1, concatenating);
    expect(ring.hash(secret, 1)).toBe(expected(secret));
    expect(ring.matches(secret, 1, expected(secret))).toBe(true);
    expect(ring.matches(`${secret}!`, 1, expected(secret))).toBe(false);
  });

  it('after a long secret, a short one is still hashed alone (the reused buffer is cut to length)', () => {
    const ring = createPepperRing(P1, concatenating);
    ring.hash('y'.repeat(200), 1);
    expect(ring.hash('abc', 1)).toBe(expected('abc'));
  });

  // Outside review, issue 12: a hasher that hashes again inside its own call (say, it verifies
  // another token) must not find its input rewritten or zeroed when it reads it after.
  it('a hasher that hashes again inside its own call still hashes its own input', () => {
    let ring: ReturnType<typeof createPepperRing> | undefined;
    let depth = 0;
    const reentering: KeyedHasherFactory = (key) => (message) => {
      depth++;
      try {
        if (depth === 1) ring!.hash('other-secret-of-another-length', 1);
        return createHash('sha256').update(key).update(message).digest();
      } finally {
        depth--;
      }
    };
    ring = createPepperRing(P1, reentering);
    const handed: Uint8Array[] = [];
    const keeping: KeyedHasherFactory = (key) => {
      const inner = reentering(key);
      return (message) => {
        handed.push(message);
        return inner(message);
      };
    };
    ring = createPepperRing(P1, keeping);
    expect(ring.hash('secret', 1)).toBe(expected('secret'));
    // Every buffer the hasher was handed, the nested call's own encoding included, is zeroed after.
    expect(handed.length).toBeGreaterThanOrEqual(2);
    for (const message of handed) expect([...message].every((byte) => byte === 0)).toBe(true);
    expect(ring.matches('secret', 1, expected('secret'))).toBe(true);
    // And the shared buffer is free again afterwards.
    expect(ring.hash('abc', 1)).toBe(expected('abc'));
  });

  it('zeroes the encoding it hands the hasher for a secret that is not ASCII or is too long for the buffer', () => {
    const handed: Uint8Array[] = [];
    const keeping: KeyedHasherFactory = (key) => (message) => {
      handed.push(message);
      return createHash('sha256').update(key).update(message).digest();
    };
    const ring = createPepperRing(P1, keeping);
    for (const secret of ['sécret', 'x'.repeat(300)]) {
      expect(ring.hash(secret, 1)).toBe(expected(secret));
      const message = handed.at(-1)!;
      expect(message.length).toBeGreaterThan(0);
      expect([...message].every((byte) => byte === 0)).toBe(true);
    }
  });

  it('a MAC longer than 32 bytes never verifies, even when its first 32 bytes are right', () => {
    const long: KeyedHasherFactory = (key) => (message) => {
      const mac = createHmac('sha256', key).update(message).digest();
      return Uint8Array.from([...mac, 0]);
    };
    const ring = createPepperRing(P1, long);
    expect(ring.hash('secret', 1)).toBe(
      b64(Uint8Array.from([...createHmac('sha256', P1).update('secret').digest(), 0])),
    );
    expect(ring.matches('secret', 1, hmacText(P1, 'secret'))).toBe(false);
    expect(ring.matches('secret', 1, ring.hash('secret', 1)!)).toBe(false);
  });
});
