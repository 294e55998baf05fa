/**
 * base64url is written once (src/core/encoding.ts) and serves the stored
 * hashes, page cursors and the remote verifier's keys: its encoder agrees
 * with Node's, and its decoder takes back exactly the canonical texts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { B64URL, constantTimeEqual, fromBase64Url, toBase64Url } from '../../src/core/encoding.js';
import { decodeCursor, encodeCursor } from '../../src/stores/shared/paging.js';

const b64urlText = fc.string({ unit: fc.constantFrom(...B64URL.split('')), maxLength: 120 });

describe('base64url', () => {
  it('encodes as Node does (RFC 4648 §5, unpadded), for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      }),
    );
    // Longer than one slice of String.fromCharCode.apply.
    const big = new Uint8Array(40_000).map((_, i) => i * 7);
    expect(toBase64Url(big)).toBe(Buffer.from(big).toString('base64url'));
  });

  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
  });

  it('decodes only canonical text: one text per byte string', () => {
    fc.assert(
      fc.property(fc.oneof(b64urlText, fc.string({ maxLength: 40 })), (text) => {
        const canonical = toBase64Url(Buffer.from(text, 'base64url')) === text;
        expect(fromBase64Url(text) !== null).toBe(canonical);
      }),
      { numRuns: 2000 },
    );
    for (const text of ['A', 'AB=', 'AB==', 'AB', 'AQ', 'a+b/', 'ab c', 'é']) {
      expect(fromBase64Url(text) !== null, text).toBe(text === 'AQ');
    }
  });

  it('page cursors survive the trip, and other spellings of one are refused', () => {
    const key = { time: 1_750_000_000_000, id: '01JD3Z6Q9X8K7M5N4P3R2S1T0V' };
    const cursor = encodeCursor(key);
    expect(decodeCursor(cursor)).toEqual(key);
    const last = B64URL.indexOf(cursor.at(-1)!);
    const respelled = cursor.slice(0, -1) + B64URL[last | 1];
    if (respelled !== cursor)
      expect(() => decodeCursor(respelled)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('constantTimeEqual', () => {
  it('is string equality', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a)).toBe(true);
      }),
    );
  });
});
