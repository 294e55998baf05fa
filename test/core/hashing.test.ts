import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyedHasherFactory } from '../../src/core/hashing.js';
import { createPepperRing, type PepperRing, portableHasher } from '../../src/core/hashing.js';
import { nodeHasher } from '../../src/node/index.js';
import { RFC4231 } from '../support/hmac-vectors.js';
import { arbUtf16String } from './arbitraries.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const text = (s: string) => new TextEncoder().encode(s);

/** A custom hasher through the plug-in point: noble's public one-shot HMAC. */
const customHasher: KeyedHasherFactory = (key) => (message) => hmac(sha256, key, message);

const HASHERS = [
  { name: 'portableHasher (default)', hasher: portableHasher },
  { name: 'nodeHasher', hasher: nodeHasher },
  { name: 'a custom hasher', hasher: customHasher },
];

describe('keyed hashers', () => {
  it.each(RFC4231)('match RFC 4231 test case $case', ({ key, data, mac }) => {
    expect(hex(portableHasher(key)(data)).slice(0, mac.length)).toBe(mac);
    expect(hex(nodeHasher(key)(data)).slice(0, mac.length)).toBe(mac);
  });

  it('agree for any key and message, and carry nothing between messages (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), (key, message) => {
        const portable = portableHasher(key);
        const expected = hex(nodeHasher(key)(message));
        expect(hex(portable(message))).toBe(expected);
        portable(Uint8Array.of(1, 2, 3));
        expect(hex(portable(message))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('return a new array on every call', () => {
    const mac = portableHasher(text('k'.repeat(32)));
    const first = mac(text('one'));
    const copy = hex(first);
    mac(text('two'));
    expect(hex(first)).toBe(copy);
  });
});

describe('pepper ring', () => {
  const p1 = 'pepper-one-0123456789abcdefghijklmnop';
  const p2 = 'pepper-two-0123456789abcdefghijklmnop';

  it('hashes under each configured version and knows no others', () => {
    const ring = createPepperRing({ current: 2, peppers: { 1: p1, 2: p2 } }, portableHasher);
    expect(ring.current).toBe(2);
    expect(ring.hash('secret', 1)).not.toBe(ring.hash('secret', 2));
    expect(ring.hash('secret', 3)).toBeNull();
    expect(ring.hash('secret', 2)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createPepperRing(p1, portableHasher).hash('secret', 1)).toBe(ring.hash('secret', 1));
  });

  it('stores the base64url HMAC of the UTF-8 secret, the same under every hasher (property)', () => {
    const rings = HASHERS.map(({ hasher }) => createPepperRing(p1, hasher));
    fc.assert(
      fc.property(arbUtf16String, (secret) => {
        const expected = Buffer.from(hmac(sha256, text(p1), text(secret))).toString('base64url');
        for (const ring of rings) expect(ring.hash(secret, 1)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});

/** Ways a stored hash can differ from the right one; `apply` makes the variant from the right hash. */
type Variant =
  | { kind: 'same' }
  | { kind: 'tampered'; at: number; code: number }
  | { kind: 'truncated'; length: number }
  | { kind: 'extended'; tail: string }
  | { kind: 'standard alphabet' }
  | { kind: 'padded' }
  | { kind: 'other trailing bits'; bits: number }
  | { kind: 'hex' };

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function apply(variant: Variant, hash: string): string {
  switch (variant.kind) {
    case 'same':
      return hash;
    case 'tampered':
      return hash.slice(0, variant.at) + String.fromCharCode(variant.code) + hash.slice(variant.at + 1);
    case 'truncated':
      return hash.slice(0, variant.length);
    case 'extended':
      return hash + variant.tail;
    case 'standard alphabet':
      return hash.replaceAll('-', '+').replaceAll('_', '/');
    case 'padded':
      return `${hash}=`;
    case 'other trailing bits': {
      // The last digit carries 4 digest bits and 2 zero bits; set the zero bits.
      const last = B64URL.indexOf(hash[42]!);
      return hash.slice(0, 42) + B64URL[last | variant.bits];
    }
    case 'hex':
      return Buffer.from(hash, 'base64url').toString('hex');
  }
}

const arbVariant: fc.Arbitrary<Variant> = fc.oneof(
  fc.constant({ kind: 'same' as const }),
  fc.record({
    kind: fc.constant('tampered' as const),
    at: fc.nat(42),
    code: fc.oneof(fc.constantFrom(...B64URL.split('').map((c) => c.charCodeAt(0))), fc.nat(0xffff)),
  }),
  fc.record({ kind: fc.constant('truncated' as const), length: fc.nat(42) }),
  fc.record({ kind: fc.constant('extended' as const), tail: fc.string({ minLength: 1, maxLength: 3 }) }),
  fc.constant({ kind: 'standard alphabet' as const }),
  fc.constant({ kind: 'padded' as const }),
  fc.record({ kind: fc.constant('other trailing bits' as const), bits: fc.integer({ min: 1, max: 3 }) }),
  fc.constant({ kind: 'hex' as const }),
);

describe.each(HASHERS)('pepper ring matching, $name', ({ hasher }) => {
  const ring: PepperRing = createPepperRing(
    { current: 1, peppers: { 1: 'pepper-one-0123456789abcdefghijklmnop', 2: 'pepper-two-0123456789abcdefghijklmnop' } },
    hasher,
  );

  it('answers exactly as hash-then-compare for right, tampered, truncated, re-encoded and other-version hashes (property)', () => {
    fc.assert(
      fc.property(arbUtf16String, arbUtf16String, arbVariant, (secret, other, variant) => {
        for (const source of [ring.hash(secret, 1)!, ring.hash(secret, 2)!, ring.hash(other, 1)!]) {
          const stored = apply(variant, source);
          expect(ring.matches(secret, 1, stored)).toBe(ring.hash(secret, 1) === stored);
        }
        expect(ring.matches(secret, 3, ring.hash(secret, 1)!)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it.each(['', 'short', '!'.repeat(43), `${'A'.repeat(42)}é`, 'A'.repeat(44)])(
    'never matches a malformed stored hash %j',
    (stored) => {
      expect(ring.matches('secret', 1, stored)).toBe(false);
    },
  );
});

describe('a custom hasher with a digest of another length', () => {
  it('never matches, so a misconfigured hasher fails closed', () => {
    const short: KeyedHasherFactory = (key) => (message) => hmac(sha256, key, message).subarray(0, 20);
    const ring = createPepperRing('pepper-one-0123456789abcdefghijklmnop', short);
    const stored = ring.hash('secret', 1)!;
    expect(ring.matches('secret', 1, stored)).toBe(false);
  });
});
