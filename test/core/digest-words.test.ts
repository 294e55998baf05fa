/**
 * Stored hashes as digest words (issue 12, round 3): the memory store keeps
 * a stored hash as the digest's eight big-endian 32-bit words and verify
 * compares the HMAC state with them (`matchesWords`). The words stand for
 * exactly one text — the canonical base64url of 32 bytes — and every
 * comparison answers as the text comparison does, under the default
 * hasher's string path and under a custom hasher's byte path alike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  digestBytesMatchWords,
  digestMatchesWords,
  digestTextToWords,
  digestWordsToText,
} from '../../src/core/digest-text.js';
import { toBase64Url } from '../../src/core/encoding.js';
import { createPepperRing, portableHasher } from '../../src/core/hashing.js';
import { nodeHasher } from '../../src/node/index.js';

const arbDigest = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Big-endian words of 32 bytes, written the plain way. */
function wordsOf(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, 32);
  return Int32Array.from({ length: 8 }, (_, i) => view.getInt32(4 * i, false));
}

describe('digestTextToWords / digestWordsToText', () => {
  it('turn the text of any 32 bytes into its big-endian words and back, at any offset', () => {
    fc.assert(
      fc.property(arbDigest, fc.nat(8), (bytes, at) => {
        const text = toBase64Url(bytes);
        const words = new Int32Array(at + 8 + 3).fill(7);
        expect(digestTextToWords(text, words, at)).toBe(true);
        expect([...words.subarray(at, at + 8)]).toEqual([...wordsOf(bytes)]);
        // Nothing around the eight words is written.
        expect([...words.subarray(0, at), ...words.subarray(at + 8)]).toEqual(new Array(at + 3).fill(7));
        expect(digestWordsToText(words, at)).toBe(text);
      }),
    );
  });

  it.each([
    ['one character short', (text: string) => text.slice(0, 42)],
    ['one character long', (text: string) => `${text}A`],
    ['padded', (text: string) => `${text}=`],
    ['standard base64 digits', (text: string) => `+${text.slice(1)}`],
    ['a character outside ASCII', (text: string) => `é${text.slice(1)}`],
    ['nonzero unused bits at the end', (text: string) => `${text.slice(0, 42)}B`],
    ['empty', () => ''],
  ])('refuse a text that is not the canonical text of 32 bytes (%s), writing nothing', (_label, change) => {
    const text = change(toBase64Url(new Uint8Array(32)));
    const words = new Int32Array(8).fill(5);
    expect(digestTextToWords(text, words, 0)).toBe(false);
    expect([...words]).toEqual(new Array(8).fill(5));
  });

  it('refuse what is not a string', () => {
    expect(digestTextToWords(null as unknown as string, new Int32Array(8), 0)).toBe(false);
  });
});

describe('digestMatchesWords / digestBytesMatchWords', () => {
  it('answer equality of the digest with the stored words, wherever they differ', () => {
    fc.assert(
      fc.property(arbDigest, fc.nat(31), fc.integer({ min: 0, max: 255 }), (bytes, at, value) => {
        const stored = new Int32Array(12);
        stored.set(wordsOf(bytes), 3);
        const other = Uint8Array.from(bytes);
        other[at] = value;
        const same = other[at] === bytes[at];
        expect(digestMatchesWords(wordsOf(other), stored, 3)).toBe(same);
        expect(digestBytesMatchWords(other, stored, 3)).toBe(same);
      }),
    );
  });

  it('never match a custom hasher answer that is not 32 bytes', () => {
    const stored = new Int32Array(8);
    expect(digestBytesMatchWords(new Uint8Array(31), stored, 0)).toBe(false);
    expect(digestBytesMatchWords(new Uint8Array(33), stored, 0)).toBe(false);
    expect(digestBytesMatchWords(new Uint8Array(32), stored, 0)).toBe(true);
  });
});

describe('PepperRing.matchesWords', () => {
  const PEPPERS = {
    current: 2,
    peppers: { 1: 'words-pepper-one-0123456789abcdefghijkl', 2: 'words-pepper-two-0123456789abcdefghijkl' },
  };
  const rings = [
    ['the default hasher (string path)', createPepperRing(PEPPERS, portableHasher)],
    ['nodeHasher (byte path)', createPepperRing(PEPPERS, nodeHasher)],
    ['the default hasher through the plug-in interface', createPepperRing(PEPPERS, (key) => portableHasher(key))],
  ] as const;

  it.each(rings)('answers as matches against the text, under %s', (_label, ring) => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80, unit: 'binary' }),
        fc.string({ maxLength: 80, unit: 'binary' }),
        fc.constantFrom(1, 2),
        fc.constantFrom(1, 2, 3),
        (secret, other, hashedUnder, askedUnder) => {
          const stored = ring.hash(secret, hashedUnder)!;
          const words = new Int32Array(16);
          expect(digestTextToWords(stored, words, 5)).toBe(true);
          for (const candidate of [secret, other]) {
            const expected = ring.matches(candidate, askedUnder, stored);
            expect(ring.matchesWords(candidate, askedUnder, words, 5)).toBe(expected);
            if (candidate === secret && askedUnder === hashedUnder) expect(expected).toBe(true);
          }
        },
      ),
    );
  });
});
