import { createHash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockBuffer, compress, finishAscii, initialState, sha256, writeDigest } from '../../src/core/sha256.js';

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

/**
 * FIPS 180-4 §6.2.2 as the standard writes it, one round at a time with the
 * working variables shifted after each, on unsigned words: the reference
 * for the unrolled `compress`. Returns the new state and the schedule.
 */
function referenceCompress(
  state: readonly number[],
  block: readonly number[],
): { state: number[]; schedule: number[] } {
  const rotr = (x: number, n: number) => ((x >>> n) | (x << (32 - n))) >>> 0;
  const add = (...terms: number[]) => terms.reduce((sum, term) => (sum + term) >>> 0, 0);
  const schedule = block.map((word) => word >>> 0);
  for (let t = 16; t < 64; t++) {
    const x = schedule[t - 15]!;
    const y = schedule[t - 2]!;
    const sigma0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3);
    const sigma1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
    schedule.push(add(sigma1, schedule[t - 7]!, sigma0, schedule[t - 16]!));
  }
  let [a, b, c, d, e, f, g, h] = state.map((word) => word >>> 0) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  for (let t = 0; t < 64; t++) {
    const t1 = add(
      h,
      rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25),
      ((e & f) ^ (~e & g)) >>> 0,
      ROUND_CONSTANTS[t]!,
      schedule[t]!,
    );
    const t2 = add(rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22), ((a & b) ^ (a & c) ^ (b & c)) >>> 0);
    [h, g, f, e, d, c, b, a] = [g, f, e, add(d, t1), c, b, a, add(t1, t2)];
  }
  const next = [a, b, c, d, e, f, g, h].map((word, i) => add(state[i]! >>> 0, word));
  return { state: next, schedule };
}

// FIPS 180-4 §4.2.2, written out again here so that a wrong constant in the source cannot hide.
// biome-ignore format: a table of constants, eight to a row
const ROUND_CONSTANTS = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

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

describe('the compression function', () => {
  const word = fc.integer({ min: -0x80000000, max: 0x7fffffff });

  it('equals FIPS 180-4 written round by round, for any state and block, and keeps the block (property)', () => {
    // Every round and every schedule word of the unrolled code is checked, not only through a digest.
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 8, maxLength: 8 }),
        fc.array(word, { minLength: 16, maxLength: 16 }),
        (start, block) => {
          const state = Int32Array.from(start);
          const w = blockBuffer();
          w.set(block);
          compress(state, w);
          const expected = referenceCompress(start, block);
          expect(Array.from(state, (x) => x >>> 0)).toEqual(expected.state);
          expect(Array.from(w.subarray(0, 16))).toEqual(block);
          expect(Array.from(w.subarray(16), (x) => x >>> 0)).toEqual(expected.schedule.slice(16));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('equals FIPS 180-4 on blocks of all ones, all zeros and single bits (every carry and rotation edge)', () => {
    const blocks = [
      new Array<number>(16).fill(-1),
      new Array<number>(16).fill(0),
      ...Array.from({ length: 32 }, (_, bit) => Array.from({ length: 16 }, (_, i) => (i === bit % 16 ? 1 << bit : 0))),
    ];
    for (const block of blocks) {
      for (const start of [Array.from(initialState()), new Array<number>(8).fill(-1), new Array<number>(8).fill(0)]) {
        const state = Int32Array.from(start);
        const w = blockBuffer();
        w.set(block);
        compress(state, w);
        expect(Array.from(state, (x) => x >>> 0)).toEqual(referenceCompress(start, block).state);
      }
    }
  });
});
