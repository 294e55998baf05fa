import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base62Fixed, crc32Ascii, randomBase62 } from '../../src/core/encoding.js';
import { looksLikeToken, opaqueFormat, redact } from '../../src/core/format.js';
import type { StoredTokenType } from '../../src/core/types.js';

const ID = '01JD3Z6Q9X8K7M5N4P3R2S1T0V';
const SECRET = `${'a'.repeat(10) + 'B'.repeat(10)}0123456789`;
const material = (type: StoredTokenType = 'personal') => ({
  id: ID,
  secret: SECRET,
  type,
  tenant: 'acme',
  owner: 'alice',
  issuedAt: 0,
  expiresAt: null,
});

describe('CRC-32 and base62 (published vectors)', () => {
  it('matches the standard CRC-32 check values', () => {
    expect(crc32Ascii('123456789')).toBe(0xcbf43926);
    expect(crc32Ascii('')).toBe(0);
    expect(crc32Ascii('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
  });

  it('encodes fixed-width base62', () => {
    expect(base62Fixed(0, 6)).toBe('000000');
    expect(base62Fixed(61, 6)).toBe('00000z');
    expect(base62Fixed(62, 6)).toBe('000010');
    expect(base62Fixed(0xffffffff, 6)).toBe('4gfFC3');
  });

  it('draws uniform base62 characters and rejects biased bytes', () => {
    let calls = 0;
    // Every byte ≥ 248 must be skipped, or 0–7 would be favoured.
    const random = (n: number) => {
      calls++;
      return new Uint8Array(n).map((_, i) => (i % 2 === 0 ? 255 : 61));
    };
    expect(randomBase62(10, random)).toBe('z'.repeat(10));
    // 18 bytes per draw, half of them rejected: a second draw completes the string.
    expect(calls).toBe(2);
  });
});

describe('opaque format', () => {
  const format = opaqueFormat('acme');

  it('encodes <prefix>_<type code>_<id><secret><checksum> and parses it back', () => {
    for (const [type, code] of [
      ['personal', 'p'],
      ['administrative', 'a'],
      ['master', 'm'],
      ['limited', 'l'],
    ] as const) {
      const token = format.encode(material(type));
      expect(token).toMatch(new RegExp(`^acme_${code}_${ID}${SECRET}[0-9A-Za-z]{6}$`));
      expect(token.length).toBeLessThanOrEqual(100);
      expect(format.parse(token)).toEqual({ id: ID, secret: SECRET, type });
      expect(looksLikeToken(token)).toBe(true);
    }
  });

  it('stays within 100 URL- and header-safe characters with the longest prefix', () => {
    const token = opaqueFormat('a'.repeat(20)).encode(material());
    expect(token.length).toBeLessThanOrEqual(100);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('refuses bad prefixes', () => {
    for (const prefix of ['', 'ACME', 'ac_me', 'a'.repeat(21), 'ac-me']) {
      expect(() => opaqueFormat(prefix)).toThrow(
        expect.objectContaining({ code: 'invalid_request', details: { field: 'prefix' } }),
      );
    }
  });

  it('rejects a token with another prefix', () => {
    const other = opaqueFormat('other').encode(material());
    expect(format.parse(other)).toBeNull();
    expect(looksLikeToken(other)).toBe(true);
  });

  it('rejects every single-character change by its checksum (property)', () => {
    const token = format.encode(material());
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-.~';
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...alphabet), (index, replacement) => {
        fc.pre(token[index] !== replacement);
        const changed = token.slice(0, index) + replacement + token.slice(index + 1);
        expect(format.parse(changed)).toBeNull();
        expect(looksLikeToken(changed)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    '',
    'acme',
    'acme_p_',
    `acme_x_${ID}${SECRET}000000`,
    `acme_p_${ID.toLowerCase()}${SECRET}000000`,
    `acme_p_${ID}${SECRET}`,
    `acme_p_${ID}${SECRET}0000000`,
    `Bearer acme_p_${ID}${SECRET}000000`,
    '\u0000'.repeat(90),
    'é'.repeat(90),
    'x'.repeat(10_000),
  ])('rejects junk %#', (junk) => {
    expect(format.parse(junk)).toBeNull();
    expect(looksLikeToken(junk)).toBe(false);
  });
});

describe('redact', () => {
  const token = opaqueFormat('acme').encode(material());

  it('hides the secret and checksum but keeps prefix, type and id', () => {
    const line = `request failed for ${token}, retrying`;
    const redacted = redact(line);
    expect(redacted).toBe(`request failed for acme_p_${ID}…[redacted], retrying`);
    expect(redacted).not.toContain(SECRET);
  });

  it('redacts every token in a text and leaves other text alone', () => {
    const two = `${token} and ${token}`;
    expect(redact(two).includes(SECRET)).toBe(false);
    expect(redact('nothing secret here')).toBe('nothing secret here');
    expect(redact(42 as unknown as string)).toBe('');
  });
});

describe('base62 checksum decoding', () => {
  it('inverts base62Fixed for every 32-bit value (property)', async () => {
    const { base62Value } = await import('../../src/core/encoding.js');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        expect(base62Value(`xx${base62Fixed(value, 6)}`, 2, 6)).toBe(value);
      }),
    );
    expect(base62Value('zzzzzz', 0, 6)).toBeGreaterThan(0xffffffff);
    expect(base62Value('abc-ef', 0, 6)).toBe(-1);
  });
});
