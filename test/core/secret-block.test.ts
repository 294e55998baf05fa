/**
 * The secret read once (issue 12, src/core/secret-block.ts): the opaque
 * parse writes the secret's block words as it folds the checksum, and the
 * keyed hash takes them instead of reading the string again. Speed never
 * buys a weaker check: the keyed hash of a parsed secret equals the keyed
 * hash of the same characters in a string of their own (and @noble/hashes'
 * HMAC) for every token, however parses and hashes interleave; the words
 * are taken only by a string with the parsed secret's characters, and no
 * secret stays behind once taken or once another string was parsed. The
 * id is read once the same way: its ULID words are left for the memory
 * store's lookup, equal to the 128-bit number the id spells.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { opaqueFormat } from '../../src/core/format.js';
import { HmacSha256 } from '../../src/core/hmac-sha256.js';
import { parsedId, parsedSecret, SECRET_WORDS, takeParsedId, takeParsedSecret } from '../../src/core/secret-block.js';
import { writeDigest } from '../../src/core/sha256.js';
import type { StoredTokenType } from '../../src/core/types.js';

const KEY = new TextEncoder().encode('secret-block-pepper-0123456789abcdef');
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TYPES: StoredTokenType[] = ['personal', 'limited', 'administrative', 'master'];
const PREFIXES = ['acme', 'a', 'x'.repeat(20), 'tw2'];

const arbMaterial = fc.record({
  prefix: fc.constantFrom(...PREFIXES),
  id: fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 26, maxLength: 26 }),
  secret: fc.string({ unit: fc.constantFrom(...BASE62), minLength: 30, maxLength: 30 }),
  type: fc.constantFrom(...TYPES),
});

function tokenOf(material: { prefix: string; id: string; secret: string; type: StoredTokenType }): string {
  const { prefix, ...rest } = material;
  return opaqueFormat(prefix).encode({ ...rest, tenant: 't', owner: null, issuedAt: 0, expiresAt: null });
}

/** The same characters in a string of their own (not the parse's slice of the token). */
const copyOf = (text: string): string => Array.from(text).join('');

function macHex(mac: HmacSha256, text: string): string {
  const out = new Uint8Array(32);
  writeDigest(mac.updateText(text), out);
  return Buffer.from(out).toString('hex');
}

const nobleHex = (text: string): string =>
  Buffer.from(hmac(sha256, KEY, new TextEncoder().encode(text))).toString('hex');

/** The words `finishAscii` would write for a 30-character ASCII text: big-endian, then 0x80. */
function expectedWords(text: string): number[] {
  const bytes = [...Array.from(text, (c) => c.charCodeAt(0)), 0x80, 0];
  return Array.from(
    { length: SECRET_WORDS },
    (_, i) => (bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!,
  );
}

describe('the secret read once by the parse', () => {
  it('leaves the parsed secret and its block words, for every prefix and type (property)', () => {
    fc.assert(
      fc.property(arbMaterial, (material) => {
        const parsed = opaqueFormat(material.prefix).parse(tokenOf(material));
        expect(parsed?.secret).toBe(material.secret);
        expect(parsedSecret.text).toBe(material.secret);
        expect(Array.from(parsedSecret.words)).toEqual(expectedWords(material.secret));
      }),
    );
  });

  it('hashes a parsed secret as the same characters in their own string and as @noble/hashes (property)', () => {
    const mac = new HmacSha256(KEY);
    fc.assert(
      fc.property(arbMaterial, (material) => {
        const parsed = opaqueFormat(material.prefix).parse(tokenOf(material))!;
        const fast = macHex(mac, parsed.secret);
        // Taken: the second hash of the same string reads its characters.
        expect(parsedSecret.text).toBeNull();
        expect(macHex(mac, parsed.secret)).toBe(fast);
        expect(macHex(mac, copyOf(material.secret))).toBe(fast);
        expect(fast).toBe(nobleHex(material.secret));
      }),
    );
  });

  it('answers right however parses, refused strings and hashes interleave (property)', () => {
    const mac = new HmacSha256(KEY);
    const format = opaqueFormat('acme');
    const arbStep = fc.oneof(
      fc.record({ parse: arbMaterial.map((m) => tokenOf({ ...m, prefix: 'acme' })) }),
      // A token changed at one place: refused by the checksum or a class, or by the prefix or length.
      fc.record({
        tamper: arbMaterial.map((m) => tokenOf({ ...m, prefix: 'acme' })),
        at: fc.nat(),
        char: fc.constantFrom('0', 'z', '_', '!', 'é', 'I'),
      }),
      fc.record({ hash: fc.nat() }),
      fc.record({ hashText: fc.string({ unit: fc.constantFrom(...BASE62), minLength: 0, maxLength: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 30 }), (steps) => {
        const secrets: string[] = [];
        for (const step of steps) {
          if ('parse' in step) {
            secrets.push(format.parse(step.parse)!.secret);
          } else if ('tamper' in step) {
            const at = step.at % step.tamper.length;
            const changed = step.tamper.slice(0, at) + step.char + step.tamper.slice(at + 1);
            const parsed = format.parse(changed);
            if (parsed === null) expect(parsedSecret.text).toBeNull();
            else secrets.push(parsed.secret);
          } else {
            const text = 'hash' in step ? (secrets[step.hash % Math.max(1, secrets.length)] ?? '') : step.hashText;
            expect(macHex(mac, text)).toBe(nobleHex(text));
          }
          // Whatever happened, words that are ready spell the secret they are ready for.
          const ready = parsedSecret.text;
          if (ready !== null) expect(Array.from(parsedSecret.words)).toEqual(expectedWords(ready));
        }
      }),
    );
  });

  it('is cleared by a refused string, so a hash never takes the words of an earlier token', () => {
    const format = opaqueFormat('acme');
    const token = tokenOf({ prefix: 'acme', id: '0'.repeat(26), secret: 'a'.repeat(30), type: 'personal' });
    const parsed = format.parse(token)!;
    expect(parsedSecret.text).toBe(parsed.secret);
    // The same token with its last secret character changed: the checksum refuses it.
    const tampered = `${token.slice(0, token.length - 7)}b${token.slice(token.length - 6)}`;
    expect(format.parse(tampered)).toBeNull();
    expect(parsedSecret.text).toBeNull();
    const mac = new HmacSha256(KEY);
    expect(macHex(mac, parsed.secret)).toBe(nobleHex('a'.repeat(30)));
  });

  it('gives its words only to a string of the same characters, and keeps nothing once taken', () => {
    const format = opaqueFormat('acme');
    const secret = `${'Z'.repeat(29)}9`;
    format.parse(tokenOf({ prefix: 'acme', id: '7'.repeat(26), secret, type: 'master' }));
    const w = new Int32Array(64).fill(-1);
    expect(takeParsedSecret(`${'Z'.repeat(29)}8`, w)).toBe(false);
    expect(takeParsedSecret(secret.slice(0, 29), w)).toBe(false);
    expect(Array.from(w.subarray(0, 16))).toEqual(new Array(16).fill(-1));
    expect(takeParsedSecret(copyOf(secret), w)).toBe(true);
    expect(Array.from(w.subarray(0, SECRET_WORDS))).toEqual(expectedWords(secret));
    // Words past the secret's block are the caller's to set.
    expect(Array.from(w.subarray(SECRET_WORDS, 16))).toEqual(new Array(16 - SECRET_WORDS).fill(-1));
    expect(parsedSecret.text).toBeNull();
    expect(Array.from(parsedSecret.words)).toEqual(new Array(SECRET_WORDS).fill(0));
    expect(takeParsedSecret(secret, w)).toBe(false);
  });
});

/** The id's 128 bits as four big-endian words, by BigInt: null when the id spells more than 128 bits. */
function referenceIdWords(id: string): number[] | null {
  let value = 0n;
  for (const c of id) value = value * 32n + BigInt(CROCKFORD.indexOf(c));
  if (value >> 128n !== 0n) return null;
  return [96n, 64n, 32n, 0n].map((shift) => Number(BigInt.asIntN(32, value >> shift)));
}

describe('the id read once by the parse', () => {
  it('leaves the id as its ULID words, and nothing for an id past 128 bits (property)', () => {
    fc.assert(
      fc.property(arbMaterial, (material) => {
        const parsed = opaqueFormat(material.prefix).parse(tokenOf(material))!;
        const expected = referenceIdWords(material.id);
        if (expected === null) {
          expect(parsedId.text).toBeNull();
          expect(takeParsedId(parsed.id, new Int32Array(4), 0)).toBe(false);
        } else {
          expect(parsedId.text).toBe(material.id);
          const words = new Int32Array(6).fill(-1);
          expect(takeParsedId(copyOf(parsed.id), words, 1)).toBe(true);
          expect(Array.from(words)).toEqual([-1, ...expected, -1]);
          // Taken once: the id is a slice of the token, which holds the secret too.
          expect(parsedId.text).toBeNull();
          expect(takeParsedId(parsed.id, words, 1)).toBe(false);
        }
      }),
    );
  });

  it('has the first digit decide: 7 is a ULID, 8 is not', () => {
    const format = opaqueFormat('acme');
    const secret = 'S'.repeat(30);
    format.parse(tokenOf({ prefix: 'acme', id: `7${'Z'.repeat(25)}`, secret, type: 'personal' }));
    expect(Array.from(parsedId.words)).toEqual([-1, -1, -1, -1]);
    format.parse(tokenOf({ prefix: 'acme', id: `8${'0'.repeat(25)}`, secret, type: 'personal' }));
    expect(parsedId.text).toBeNull();
  });

  it('is cleared by any other string, and given only to the same characters', () => {
    const format = opaqueFormat('acme');
    const id = '01JD0000000000000000000000';
    format.parse(tokenOf({ prefix: 'acme', id, secret: 'q'.repeat(30), type: 'limited' }));
    const words = new Int32Array(4);
    expect(takeParsedId('01JD0000000000000000000001', words, 0)).toBe(false);
    expect(Array.from(words)).toEqual([0, 0, 0, 0]);
    expect(takeParsedId(copyOf(id), words, 0)).toBe(true);
    expect(Array.from(words)).toEqual(referenceIdWords(id));
    expect(parsedId.text).toBeNull();
    for (const other of ['', 'acme_p_', `${'x'.repeat(69)}`, `acme_x_${id}${'q'.repeat(36)}`]) {
      format.parse(tokenOf({ prefix: 'acme', id, secret: 'q'.repeat(30), type: 'limited' }));
      expect(format.parse(other)).toBeNull();
      expect(parsedId.text).toBeNull();
    }
  });
});
