import { createHmac } from 'node:crypto';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha256 } from '../../src/core/hmac-sha256.js';
import { writeDigest } from '../../src/core/sha256.js';
import { RFC4231 } from '../support/hmac-vectors.js';
import { arbUtf16String } from './arbitraries.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytesOf = (text: string) => new TextEncoder().encode(text);
const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);

function digestHex(words: Int32Array): string {
  const out = new Uint8Array(32);
  writeDigest(words, out);
  return hex(out);
}

describe('HMAC-SHA-256', () => {
  it.each(RFC4231)('matches RFC 4231 test case $case', ({ key, data, mac }) => {
    const keyed = new HmacSha256(key);
    expect(digestHex(keyed.update(data)).slice(0, mac.length)).toBe(mac);
    // The same key again, after another message: nothing carries over.
    keyed.update(filled(100, 1));
    expect(digestHex(keyed.update(data)).slice(0, mac.length)).toBe(mac);
  });

  it('uses a key of up to one block (64 bytes) as it is and hashes a longer one first (RFC 2104 §2)', () => {
    // Against OpenSSL, key lengths around the block size; a key of exactly 64 bytes is not hashed.
    for (const length of [0, 1, 32, 55, 56, 63, 64, 65, 100, 128, 129]) {
      const key = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
      const expected = createHmac('sha256', key).update('message').digest('hex');
      expect(digestHex(new HmacSha256(key).update(bytesOf('message'))), `key of ${length} bytes`).toBe(expected);
    }
  });

  it('equals @noble/hashes for any key and message bytes, keys longer than a block included (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), (key, message) => {
        expect(digestHex(new HmacSha256(key).update(message))).toBe(hex(hmac(sha256, key, message)));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes any string as its UTF-8 bytes, lone surrogates as U+FFFD like TextEncoder (property)', () => {
    const key = bytesOf('k'.repeat(32));
    const keyed = new HmacSha256(key);
    fc.assert(
      fc.property(arbUtf16String, (text) => {
        expect(digestHex(keyed.updateText(text))).toBe(hex(hmac(sha256, key, new TextEncoder().encode(text))));
      }),
      { numRuns: 1000 },
    );
  });

  it('encodes a lone surrogate as EF BF BD and a surrogate pair as one four-byte character', () => {
    const key = bytesOf('k'.repeat(32));
    const keyed = new HmacSha256(key);
    const replacement = Uint8Array.of(0xef, 0xbf, 0xbd);
    expect(digestHex(keyed.updateText('\ud800'))).toBe(hex(hmac(sha256, key, replacement)));
    expect(digestHex(keyed.updateText('\udfff'))).toBe(hex(hmac(sha256, key, replacement)));
    expect(digestHex(keyed.updateText('\ud83d\ude00'))).toBe(
      hex(hmac(sha256, key, Uint8Array.of(0xf0, 0x9f, 0x98, 0x80))),
    );
  });
});
