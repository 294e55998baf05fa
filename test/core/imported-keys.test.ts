/**
 * Imported keys' rules without the service (src/core/imported-keys.ts),
 * against written answers: the `legacyPrefixes` bounds (1–20 prefixes of
 * 3–64 printable ASCII characters, distinct), overlap with the service's
 * own prefixes in both directions, the stored `sha256:<hex>` form of both
 * of Unkey's variants (digests computed here with node:crypto), and the
 * order of the lookup candidates.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPepperRing, portableHasher } from '../../src/core/hashing.js';
import {
  checkLegacyOverlap,
  importedHash,
  isImportedSha256,
  keyDigest,
  legacyPrefixesOption,
  legacyPrefixOf,
  lookupCandidates,
} from '../../src/core/imported-keys.js';
import { fieldOf } from '../support/refusal.js';

const prefixes = (n: number) => Array.from({ length: n }, (_, i) => `sk_${i}_`);

describe('legacyPrefixes option', () => {
  it.each([
    [undefined, 'accepted'],
    [[], 'legacy'],
    [prefixes(1), 'accepted'],
    [prefixes(20), 'accepted'],
    [prefixes(21), 'legacy'],
    ['sk_live_', 'legacy'],
    [{ 0: 'sk_live_' }, 'legacy'],
    [['abc'], 'accepted'],
    [['ab'], 'legacy[0]'],
    [['x'.repeat(64)], 'accepted'],
    [['x'.repeat(65)], 'legacy[0]'],
    [['!~x'], 'accepted'],
    [['sk live'], 'legacy[0]'],
    [['sk_\u007f'], 'legacy[0]'],
    [['sk_é'], 'legacy[0]'],
    [['sk_\n'], 'legacy[0]'],
    [[' sk_'], 'legacy[0]'],
    [['sk_ '], 'legacy[0]'],
    [['sk_live_', 5], 'legacy[1]'],
    // Not strings, though they print as valid prefixes.
    [[123456], 'legacy[0]'],
    [[['sk_live_']], 'legacy[0]'],
    [['sk_live_', 'pk_live_', 'sk_live_'], 'legacy[2]'],
  ])('%o → %s', (value, expected) => {
    expect(fieldOf(() => legacyPrefixesOption(value, 'legacy'))).toBe(expected);
  });

  it('answers the prefixes in order, frozen; none when the option is absent', () => {
    const answer = legacyPrefixesOption(['sk_live_', 'pk_test_'], 'legacy');
    expect(answer).toEqual(['sk_live_', 'pk_test_']);
    expect(Object.isFrozen(answer)).toBe(true);
    expect(legacyPrefixesOption(undefined, 'legacy')).toEqual([]);
  });
});

describe('overlap with the service’s own prefixes', () => {
  const reserved = [
    { text: 'acme_', what: 'the token prefix' },
    { text: 'vt_', what: 'verification tokens' },
  ];

  it.each([
    [['sk_live_'], 'accepted'],
    [['acme_old_'], 'legacy[0]'], // starts with a reserved prefix
    [['acm'], 'legacy[0]'], // a reserved prefix starts with it
    [['acme_'], 'legacy[0]'],
    [['sk_live_', 'vt_x'], 'legacy[1]'],
    [['acmex'], 'accepted'],
    [['vtx'], 'accepted'],
  ])('%o → %s', (list, expected) => {
    expect(fieldOf(() => checkLegacyOverlap(list, reserved, 'legacy'))).toBe(expected);
  });

  it('finds the first legacy prefix a string starts with, or none', () => {
    const list = ['sk_live_', 'sk_', 'pk_'];
    expect(legacyPrefixOf('sk_live_abc', list)).toBe('sk_live_');
    expect(legacyPrefixOf('sk_test_abc', list)).toBe('sk_');
    expect(legacyPrefixOf('pk_', list)).toBe('pk_');
    expect(legacyPrefixOf('xsk_live_', list)).toBeUndefined();
    expect(legacyPrefixOf('sk_live_', [])).toBeUndefined();
  });
});

describe('stored SHA-256 of an imported key', () => {
  const key = 'sk_live_0123456789abcdef';
  const digest = createHash('sha256').update(key).digest();
  const stored = `sha256:${digest.toString('hex')}`;

  it('keyDigest is sha256: then the lowercase hex of the SHA-256 of the UTF-8 key', () => {
    expect(keyDigest(key)).toBe(stored);
    expect(keyDigest('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(keyDigest('ключ')).toBe(`sha256:${createHash('sha256').update('ключ', 'utf8').digest('hex')}`);
    // Bytes below 16 keep their leading zero.
    expect(keyDigest('a')).toBe('sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
  });

  it.each([
    ['lowercase hex', digest.toString('hex'), 'sha256_hex'],
    ['uppercase hex', digest.toString('hex').toUpperCase(), 'sha256_hex'],
    ['padded base64', digest.toString('base64'), 'sha256_base64'],
    ['unpadded base64', digest.toString('base64').replace(/=+$/, ''), 'sha256_base64'],
    ['base64url', digest.toString('base64url'), 'sha256_base64'],
    ['padded base64url', `${digest.toString('base64url')}=`, 'sha256_base64'],
    ['base64 with two padding characters', `${digest.toString('base64url')}==`, 'sha256_base64'],
  ])('importedHash reads %s', (_, value, variant) => {
    expect(importedHash(value, variant, 'keys[0].hash')).toBe(stored);
  });

  it('reads base64 of digests that hold + and / (and - and _)', () => {
    // 0xfb 0xff … encodes to '+/' and '-_' in the two alphabets.
    const bytes = Buffer.alloc(32, 0xfb);
    bytes[1] = 0xff;
    expect(bytes.toString('base64')).toMatch(/[+/]/);
    expect(importedHash(bytes.toString('base64'), 'sha256_base64', 'h')).toBe(`sha256:${bytes.toString('hex')}`);
    expect(importedHash(bytes.toString('base64url'), 'sha256_base64', 'h')).toBe(`sha256:${bytes.toString('hex')}`);
  });

  const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const hex = digest.toString('hex');
  const b64 = digest.toString('base64');
  it.each([
    [hex.slice(1), 'sha256_hex', 'h.value'],
    [`${hex}0`, 'sha256_hex', 'h.value'],
    [`${hex.slice(1)}g`, 'sha256_hex', 'h.value'],
    [` ${hex.slice(1)}`, 'sha256_hex', 'h.value'],
    [`x${hex}`, 'sha256_hex', 'h.value'],
    [`${hex}x`, 'sha256_hex', 'h.value'],
    [b64, 'sha256_hex', 'h.value'],
    [hex, 'sha256_base64', 'h.value'],
    [`${b64}==`, 'sha256_base64', 'h.value'],
    // Padding is only ever at the end: an '=' inside is not dropped.
    [`${b64.slice(0, 10)}=${b64.slice(10, 43)}`, 'sha256_base64', 'h.value'],
    [b64.slice(1), 'sha256_base64', 'h.value'],
    [`A${b64.replace(/=+$/, '')}`, 'sha256_base64', 'h.value'],
    [`${b64.slice(0, 10)}*${b64.slice(11)}`, 'sha256_base64', 'h.value'],
    // The last digit carries 4 bits and 2 zero bits: other trailing bits are another text of the same bytes.
    [`${b64.slice(0, 42)}${STANDARD[STANDARD.indexOf(b64[42]!) | 1]}=`, 'sha256_base64', 'h.value'],
    [Buffer.alloc(31).toString('base64'), 'sha256_base64', 'h.value'],
    [Buffer.alloc(33).toString('base64'), 'sha256_base64', 'h.value'],
    [123, 'sha256_hex', 'h.value'],
    [null, 'sha256_base64', 'h.value'],
    [hex, 'sha256', 'h.variant'],
    [hex, 'SHA256_HEX', 'h.variant'],
    [hex, undefined, 'h.variant'],
  ])('importedHash(%j, %j) → %s', (value, variant, expected) => {
    expect(fieldOf(() => importedHash(value, variant, 'h'))).toBe(expected);
  });

  it('tells a stored SHA-256 from a keyed HMAC by its tag', () => {
    expect(isImportedSha256(stored)).toBe(true);
    expect(isImportedSha256('sha256:')).toBe(true);
    expect(isImportedSha256('SHA256:abc')).toBe(false);
    expect(isImportedSha256('abcsha256:')).toBe(false);
    expect(isImportedSha256(createHmac('sha256', 'k').update(stored).digest('base64url'))).toBe(false);
  });
});

describe('lookup candidates', () => {
  const p1 = 'pepper-one-0123456789abcdefghijklmnop';
  const p2 = 'pepper-two-0123456789abcdefghijklmnop';
  const p3 = 'pepper-three-0123456789abcdefghijklmn';
  const hmac = (pepper: string, text: string) => createHmac('sha256', pepper).update(text).digest('base64url');
  const digest = keyDigest('sk_live_x');

  it('are the SHA-256, then its HMAC under the current pepper, then under each other version', () => {
    const ring = createPepperRing({ current: 2, peppers: { 1: p1, 2: p2, 3: p3 } }, portableHasher);
    expect(lookupCandidates(digest, ring)).toEqual([digest, hmac(p2, digest), hmac(p1, digest), hmac(p3, digest)]);
  });

  it('with one pepper: the SHA-256 and one HMAC', () => {
    const ring = createPepperRing(p1, portableHasher);
    expect(lookupCandidates(digest, ring)).toEqual([digest, hmac(p1, digest)]);
  });
});
