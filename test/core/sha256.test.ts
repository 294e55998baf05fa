import { createHash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockBuffer, finishAscii, initialState, sha256, writeDigest } from '../../src/core/sha256.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const ascii = (text: string) => new TextEncoder().encode(text);

/** Our SHA-256 of an ASCII string through the character-code path. */
function sha256Ascii(text: string): string {
  const state = initialState();
  expect(finishAscii(state, blockBuffer(), text, 0)).toBe(true);
  const out = new Uint8Array(32);
  writeDigest(state, out);
  return hex(out);
}

// FIPS 180-4 examples (NIST CSRC "Examples with Intermediate Values", SHA-256)
// and the long-message vector of FIPS 180-2 Appendix B.3.
const FIPS_VECTORS: readonly { name: string; message: string; digest: string }[] = [
  { name: 'empty', message: '', digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { name: "'abc'", message: 'abc', digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  {
    name: '448 bits (two blocks)',
    message: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  },
  {
    name: '896 bits',
    message:
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    digest: 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  },
  {
    name: 'one million times a',
    message: 'a'.repeat(1_000_000),
    digest: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  },
];

describe('SHA-256 (FIPS 180-4)', () => {
  it.each(FIPS_VECTORS)('matches the published digest: $name', ({ message, digest }) => {
    expect(hex(sha256(ascii(message)))).toBe(digest);
    expect(sha256Ascii(message)).toBe(digest);
  });

  it('pads every length from 0 to 200 bytes right (the 55/56 and 64-byte boundaries included)', () => {
    // Each length through both paths, against OpenSSL: one byte short of the
    // length field (55), the length field pushed into a second block (56–63),
    // exact blocks (64, 128, 192) and everything around them.
    for (let length = 0; length <= 200; length++) {
      const text = Array.from({ length }, (_, i) => String.fromCharCode(0x20 + ((i * 7) % 95))).join('');
      const expected = createHash('sha256').update(text).digest('hex');
      expect(hex(sha256(ascii(text))), `length ${length}`).toBe(expected);
      expect(sha256Ascii(text), `length ${length}`).toBe(expected);
    }
  });

  it('equals @noble/hashes for any bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (message) => {
        expect(hex(sha256(message))).toBe(hex(nobleSha256(message)));
      }),
      { numRuns: 500 },
    );
  });

  it('equals @noble/hashes for any ASCII string read by character code (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 300 }), (text) => {
        expect(sha256Ascii(text)).toBe(hex(nobleSha256(ascii(text))));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses, rather than misreads, a string with any character past U+007F', () => {
    for (const text of ['é', `${'a'.repeat(30)}\u0080`, `${'a'.repeat(54)}\uffff`, `${'a'.repeat(100)}\ud800`]) {
      expect(finishAscii(initialState(), blockBuffer(), text, 0)).toBe(false);
    }
  });

  it('refuses a character past U+007F at every place of a string longer than one block can finish', () => {
    // Longer than 55 characters: the character is in a full block (0–63, 64–127) or in the tail.
    for (const length of [56, 63, 64, 65, 100, 128, 130]) {
      for (let at = 0; at < length; at++) {
        for (const char of ['\u0080', 'é', '\ud800']) {
          const text = `${'a'.repeat(at)}${char}${'a'.repeat(length - at - 1)}`;
          expect(finishAscii(initialState(), blockBuffer(), text, 0), `${length} at ${at}`).toBe(false);
        }
      }
    }
  });

  it('reads U+007F, the last ASCII character, at every place of strings of 1 to 130 characters', () => {
    for (const length of [1, 4, 55, 56, 63, 64, 65, 100, 130]) {
      for (let at = 0; at < length; at++) {
        const text = `${'b'.repeat(at)}\u007f${'b'.repeat(length - at - 1)}`;
        const expected = createHash('sha256').update(text).digest('hex');
        expect(sha256Ascii(text), `${length} at ${at}`).toBe(expected);
      }
    }
  });

  it('writes exactly the 32 digest bytes at the offset given, big-endian, and nothing around them', () => {
    const state = initialState();
    expect(finishAscii(state, blockBuffer(), 'abc', 0)).toBe(true);
    const out = new Uint8Array(40).fill(0xaa);
    writeDigest(state, out, 4);
    expect(hex(out)).toBe(`aaaaaaaa${FIPS_VECTORS[1]!.digest}aaaaaaaa`);
  });
});
