/**
 * The small encodings of src/core/encoding.ts against written answers
 * (issue 15): base62 values worked out by hand (and by Python), published
 * CRC-32 check values, a scripted random source for `randomBase62`, the
 * first character code past ASCII, and equal-length strings for
 * `constantTimeEqual`.
 */
import { describe, expect, it } from 'vitest';
import {
  base62Fixed,
  base62Value,
  CRC32_TABLE,
  constantTimeEqual,
  crc32Ascii,
  fromBase64Url,
  randomBase62,
  toBase64Url,
} from '../../src/core/encoding.js';

describe('base62Fixed and base62Value', () => {
  it.each<[number, number, string]>([
    [0, 6, '000000'],
    [9, 1, '9'],
    [10, 1, 'A'],
    [35, 1, 'Z'],
    [36, 1, 'a'],
    [61, 2, '0z'],
    [62, 2, '10'],
    [3843, 2, 'zz'],
    [123_456_789, 6, '08M0kX'],
    [2 ** 32 - 1, 6, '4gfFC3'],
  ])('%s in %s characters is %s, and back', (value, width, text) => {
    expect(base62Fixed(value, width)).toBe(text);
    expect(base62Value(`__${text}__`, 2, width)).toBe(value);
  });

  it('keeps the low digits when the width is too small, and reads a 32-bit value as unsigned', () => {
    expect(base62Fixed(3844, 2)).toBe('00');
    expect(base62Fixed(2 ** 32 - 1, 3)).toBe('FC3');
    expect(base62Fixed(-1, 6)).toBe('4gfFC3');
  });

  it.each<[string, string]>([
    ['a dash', '0-'],
    ['an underscore', '_0'],
    ['DEL', '0\x7f'],
    ['the first code past ASCII', '0\u0080'],
    ['a letter past ASCII', 'é0'],
    ['past the end of the text', '0'],
  ])('is -1 for %s', (_what, text) => {
    expect(base62Value(text, 0, 2)).toBe(-1);
  });
});

describe('randomBase62', () => {
  /** A random source that answers the scripted bytes, cycling, `n` at a time. */
  function scripted(bytes: number[]) {
    let at = 0;
    const asked: number[] = [];
    const random = (n: number): Uint8Array => {
      asked.push(n);
      return Uint8Array.from({ length: n }, () => bytes[at++ % bytes.length]!);
    };
    return { random, asked };
  }

  it('maps bytes below 248 to base62 by their remainder, and skips 248 and above', () => {
    const { random } = scripted([0, 61, 62, 247, 248, 255, 123]);
    // 0 → '0', 61 → 'z', 62 → '0', 247 → 247 % 62 = 61 → 'z', 248 and 255 skipped, 123 % 62 = 61 → 'z'.
    expect(randomBase62(5, random)).toBe('0z0zz');
  });

  it('asks again until it has enough characters', () => {
    const { random, asked } = scripted([255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 7]);
    expect(randomBase62(3, random)).toBe('777');
    expect(asked.length).toBeGreaterThan(1);
    for (const n of asked) expect(n).toBeGreaterThanOrEqual(3);
  });

  it('answers the length asked for, short or long', () => {
    for (const length of [0, 1, 4, 22, 100]) {
      const { random } = scripted([5, 250, 66]);
      const text = randomBase62(length, random);
      expect(text).toBe('54'.repeat(length).slice(0, length));
    }
  });
});

describe('crc32Ascii', () => {
  it.each<[string, number]>([
    ['', 0],
    ['a', 0xe8b7be43],
    ['123456789', 0xcbf43926],
    ['tw_acme', 0x0daf2b07],
  ])('of %j is the published CRC-32', (text, crc) => {
    expect(crc32Ascii(text)).toBe(crc);
  });

  it('of the first characters only, when told where to stop', () => {
    expect(crc32Ascii('123456789tail', 9)).toBe(0xcbf43926);
    expect(crc32Ascii('abc', 0)).toBe(0);
  });

  it('uses the reflected IEEE table', () => {
    expect([CRC32_TABLE[0], CRC32_TABLE[1], CRC32_TABLE[128], CRC32_TABLE[255]]).toEqual([
      0, 0x77073096, 0xedb88320, 0x2d02ef8d,
    ]);
    expect(CRC32_TABLE).toHaveLength(256);
  });
});

describe('base64url at its edges', () => {
  it.each<[string, number[]]>([
    ['', []],
    ['AA', [0]],
    ['_w', [255]],
    ['AAA', [0, 0]],
    ['__8', [255, 255]],
    ['AAAA', [0, 0, 0]],
    ['____', [255, 255, 255]],
    ['-_-_', [251, 255, 191]],
    ['AQID', [1, 2, 3]],
    ['AQIDBA', [1, 2, 3, 4]],
  ])('%j is %j', (text, bytes) => {
    expect(toBase64Url(Uint8Array.from(bytes))).toBe(text);
    expect(fromBase64Url(text)).toEqual(Uint8Array.from(bytes));
  });

  it.each([['AAA\u0080'], ['\u0080AAA'], ['AA\x7f'], ['AA+A'], ['AA/A'], ['AA=A'], ['A'], ['AAAAA'], ['AB'], ['AAB']])(
    'refuses %j',
    (text) => {
      expect(fromBase64Url(text)).toBeNull();
    },
  );

  it('encodes texts longer than its scratch space, and more than one slice of codes', () => {
    // 3 000 000 bytes are 4 000 000 codes: more arguments than one call of String.fromCharCode
    // takes on any usual stack (a worker thread's included).
    for (const size of [47, 48, 49, 6143, 6144, 6145, 12_288, 3_000_000]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
      expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    }
  });
});

describe('constantTimeEqual on equal lengths and on prefixes', () => {
  it.each<[string, string, boolean]>([
    ['', '', true],
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'xbc', false],
    ['ab', 'ba', false],
    ['a', 'b', false],
    ['ab', 'abc', false],
    ['abc', 'ab', false],
    ['', 'a', false],
    ['\u0100', '\u0000', false],
  ])('%j and %j: %s', (a, b, equal) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
  });
});
