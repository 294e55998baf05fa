/**
 * @internal Keys imported from another system (`importTokens`, issue 13):
 * their configured legacy prefixes, the SHA-256 the other system stored,
 * and the hashes an imported key's string is looked up by.
 *
 * An imported key keeps its original string, so it has no tokenward
 * checksum and no embedded id. It is recognized by a configured legacy
 * prefix (the one exception to "garbage is rejected without touching
 * storage") and found by an indexed lookup of its hash: the SHA-256 the
 * other system stored (`sha256:<hex>`), or, after its first successful
 * verification, the keyed HMAC (of that SHA-256) that replaced it.
 */
import { fromBase64Url, utf8 } from './encoding.js';
import { invalid } from './errors.js';
import type { PepperRing } from './hashing.js';
import { listSnapshot } from './options.js';
import { sha256 } from './sha256.js';

/** The tag of a stored SHA-256: `sha256:` then 64 lowercase hex digits. */
const SHA256_TAG = 'sha256:';

/**
 * Printable ASCII without spaces, at least 3 characters: what a legacy
 * prefix may hold. A shorter one (`a`, `sk`) would send a large share of
 * all strings, garbage included, to the imported-key lookup in storage.
 */
const PREFIX_TEXT = /^[\x21-\x7e]{3,64}$/;

/**
 * Checks the `legacyPrefixes` option: a list of 1 to 20 distinct prefixes,
 * each 3-64 printable ASCII characters without spaces.
 *
 * @throws {TokenError} `invalid_request` naming `field` or `field[i]`.
 */
export function legacyPrefixesOption(value: unknown, field: string): readonly string[] {
  if (value === undefined) return [];
  const refusal = 'must be a list of 1 to 20 prefixes';
  const list = listSnapshot(value, field, refusal, 20);
  if (list.length === 0) throw invalid(field, refusal);
  const seen = new Set<string>();
  list.forEach((prefix: unknown, index) => {
    if (typeof prefix !== 'string' || !PREFIX_TEXT.test(prefix)) {
      throw invalid(`${field}[${index}]`, 'must be 3-64 printable ASCII characters without spaces');
    }
    if (seen.has(prefix)) throw invalid(`${field}[${index}]`, 'is listed twice');
    seen.add(prefix);
  });
  return Object.freeze([...seen]);
}

/**
 * Refuses a legacy prefix that overlaps one of `reserved` (the service's
 * token prefix `<prefix>_`, its verification tokens): when either is a
 * prefix of the other, the service's own strings — a mistyped token, any
 * garbage that starts like one — would be looked up as imported keys.
 *
 * @throws {TokenError} `invalid_request` naming `field[i]`.
 */
export function checkLegacyOverlap(
  prefixes: readonly string[],
  reserved: readonly { readonly text: string; readonly what: string }[],
  field: string,
): void {
  prefixes.forEach((prefix, index) => {
    for (const { text, what } of reserved) {
      if (prefix.startsWith(text) || text.startsWith(prefix)) {
        throw invalid(`${field}[${index}]`, `must not overlap ${what}: neither may start with the other`);
      }
    }
  });
}

/** The legacy prefix `token` starts with, or undefined. */
export function legacyPrefixOf(token: string, prefixes: readonly string[]): string | undefined {
  for (const prefix of prefixes) if (token.startsWith(prefix)) return prefix;
  return undefined;
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** How another system wrote the SHA-256 of a whole key (Unkey's variant names). */
export type ImportedHashVariant = 'sha256_hex' | 'sha256_base64';

/**
 * The stored form of an imported key's SHA-256: `sha256:<hex>`, from 64
 * hex digits (`sha256_hex`, either case) or base64 of the 32 bytes
 * (`sha256_base64`: standard or URL-safe alphabet, padding optional).
 *
 * @throws {TokenError} `invalid_request` naming `field.value` or `field.variant`.
 */
export function importedHash(value: unknown, variant: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(`${field}.value`, 'must be a string');
  if (variant === 'sha256_hex') {
    if (!/^[0-9a-fA-F]{64}$/.test(value)) throw invalid(`${field}.value`, 'must be 64 hex digits');
    return SHA256_TAG + value.toLowerCase();
  }
  if (variant === 'sha256_base64') {
    const unpadded = value
      .replace(/={1,2}$/, '')
      .replaceAll('+', '-')
      .replaceAll('/', '_');
    // 43 base64 digits are exactly 32 bytes (and 4 bits that must be zero); any other length is not a SHA-256.
    const bytes = unpadded.length === 43 ? fromBase64Url(unpadded) : null;
    if (bytes === null) {
      throw invalid(`${field}.value`, 'must be the base64 of 32 bytes (a SHA-256)');
    }
    return SHA256_TAG + hex(bytes);
  }
  throw invalid(`${field}.variant`, "must be 'sha256_hex' or 'sha256_base64'");
}

/** True for a stored SHA-256 (a key imported and not yet verified), false for a keyed HMAC. */
export function isImportedSha256(lookupHash: string): boolean {
  return lookupHash.startsWith(SHA256_TAG);
}

/** The stored form of the SHA-256 of a key string: what `importedHash` makes of the other system's. */
export function keyDigest(token: string): string {
  return SHA256_TAG + hex(sha256(utf8(token)));
}

/**
 * Every hash an imported key may be stored under, from its SHA-256 (as
 * `keyDigest` or `importedHash` give it): the SHA-256 itself, and the keyed
 * HMAC of it under each configured pepper version (current first), which
 * replaces it at the key's first verification. Keying the SHA-256 rather
 * than the string lets an import recognize a key imported before, whether
 * or not it has been used since.
 */
export function lookupCandidates(digest: string, peppers: PepperRing): string[] {
  const candidates = [digest, peppers.hash(digest, peppers.current)!];
  for (const version of peppers.versions) {
    if (version !== peppers.current) candidates.push(peppers.hash(digest, version)!);
  }
  return candidates;
}
