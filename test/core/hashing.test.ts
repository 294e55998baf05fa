import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPepperRing, nobleHasher } from '../../src/hashing.js';
import { nodeHasher } from '../../src/node/index.js';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const text = (s: string) => new TextEncoder().encode(s);

// RFC 4231 test cases 1 and 2 (HMAC-SHA-256).
const VECTORS = [
  {
    key: new Uint8Array(20).fill(0x0b),
    data: text('Hi There'),
    mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    key: text('Jefe'),
    data: text('what do ya want for nothing?'),
    mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
];

describe('keyed hashers', () => {
  it.each(VECTORS)('match RFC 4231 vectors (%#)', ({ key, data, mac }) => {
    expect(hex(nobleHasher(key)(data))).toBe(mac);
    expect(hex(nodeHasher(key)(data))).toBe(mac);
  });

  it('reuse the keyed state without carrying anything between messages (property)', () => {
    const noble = nobleHasher(text('k'.repeat(32)));
    const native = nodeHasher(text('k'.repeat(32)));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
        expect(hex(noble(message))).toBe(hex(native(message)));
        expect(hex(noble(message))).toBe(hex(noble(message)));
      }),
    );
  });
});

describe('pepper ring', () => {
  const p1 = 'pepper-one-0123456789abcdefghijklmnop';
  const p2 = 'pepper-two-0123456789abcdefghijklmnop';

  it('hashes under each configured version and knows no others', () => {
    const ring = createPepperRing({ current: 2, peppers: { 1: p1, 2: p2 } }, nobleHasher);
    expect(ring.current).toBe(2);
    expect(ring.hash('secret', 1)).not.toBe(ring.hash('secret', 2));
    expect(ring.hash('secret', 3)).toBeNull();
    expect(ring.hash('secret', 2)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createPepperRing(p1, nobleHasher).hash('secret', 1)).toBe(ring.hash('secret', 1));
  });
});

describe('pepper ring matching', () => {
  const ring = createPepperRing('pepper-one-0123456789abcdefghijklmnop', nobleHasher);

  it('matches exactly the hash it made, for ASCII and non-ASCII secrets (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 400 }), (a, b) => {
        const stored = ring.hash(a, 1)!;
        expect(ring.matches(a, 1, stored)).toBe(true);
        expect(ring.matches(b, 1, stored)).toBe(a === b);
        expect(ring.matches(a, 2, stored)).toBe(false);
      }),
    );
  });

  it.each(['', 'short', '!'.repeat(43), `${'A'.repeat(42)}é`, 'A'.repeat(44)])(
    'never matches a malformed stored hash %j',
    (stored) => {
      expect(ring.matches('secret', 1, stored)).toBe(false);
    },
  );
});
