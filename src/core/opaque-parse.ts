/**
 * @internal Parsing an opaque token string on the verification path: the
 * shape and the checksum in one pass over the characters.
 *
 * It accepts exactly what `TOKEN_SHAPE` with the service's prefix accepts
 * and whose checksum is valid — `<prefix>_<type code>_<id><secret><checksum>`
 * with a Crockford base32 id and base62 secret and checksum — without a
 * regular expression and its capture groups: each character is checked
 * against its class and folded into the CRC-32 as it is read, and the last
 * six are read as the base62 number the CRC must equal. test/core/format.test.ts
 * holds it equal to the pattern and the CRC by fast-check. On the way it
 * leaves the secret's block words and the id's words for the keyed hash
 * and the store (`secret-block.ts`), so they need not read the characters
 * again.
 */
import { CRC32_TABLE as CRC } from './encoding.js';
import type { ParsedToken } from './format-types.js';
import { clearParsedSecret, parsedId, parsedSecret } from './secret-block.js';
import { CHECKSUM_LENGTH, ID_LENGTH, SECRET_LENGTH } from './token-shape.js';
import type { StoredTokenType } from './types.js';
import { CROCKFORD_VALUES, packUlidDigits } from './ulid-digits.js';

/** 1 for a base62 digit (the secret's and the checksum's alphabet) by character code below 128, else 0. */
const BASE62 = (() => {
  const classes = new Uint8Array(128);
  for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') classes[c.charCodeAt(0)] = 1;
  return classes;
})();

/** Base62 digit values (the checksum's alphabet), for the characters BASE62 marks. */
const BASE62_DIGITS = (() => {
  const digits = new Uint8Array(128);
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  // Stryker disable next-line EqualityOperator: equivalent, charCodeAt(length) is NaN, an index a typed array ignores
  for (let i = 0; i < alphabet.length; i++) digits[alphabet.charCodeAt(i)] = i;
  return digits;
})();

const UNDERSCORE = 0x5f;
/** What the folding steps return when a character is out of place: no CRC (an unsigned 32-bit value) is negative. */
// Stryker disable next-line UnaryOperator: equivalent but for a running CRC of exactly 1 (a chance of 2^-32 per token), which would refuse a valid token, never accept one
const FAILED = -1;

/**
 * The CRC-32 tables for four bytes at a time ("slicing by 4"): `SLICES[k * 256 + b]`
 * is the CRC step of byte `b` followed by `k` zero bytes, so four bytes
 * fold in four independent lookups rather than four dependent steps.
 */
const SLICES = (() => {
  const slices = new Int32Array(4 * 256);
  // Stryker disable next-line EqualityOperator: equivalent, a write past the end of a typed array is ignored
  for (let b = 0; b < 256; b++) slices[b] = CRC[b]!;
  // Stryker disable next-line EqualityOperator: equivalent, a fifth slice would write past the end of the typed array
  for (let k = 1; k < 4; k++) {
    // Stryker disable next-line EqualityOperator: equivalent, entry 256 of a slice is the next slice's first, written again by that slice
    for (let b = 0; b < 256; b++) {
      const previous = slices[(k - 1) * 256 + b]!;
      slices[k * 256 + b] = (previous >>> 8) ^ CRC[previous & 0xff]!;
    }
  }
  return slices;
})();

/** The CRC after four more bytes, given as one little-endian word `bytes`: four independent lookups. */
function crcStep4(crc: number, bytes: number): number {
  const x = crc ^ bytes;
  return (
    SLICES[768 + (x & 0xff)]! ^
    SLICES[512 + ((x >>> 8) & 0xff)]! ^
    SLICES[256 + ((x >>> 16) & 0xff)]! ^
    SLICES[x >>> 24]!
  );
}

/** Crockford base32 digit values (`ulid-digits.ts`), read for the id's class and its words at once. */
const VALUES = CROCKFORD_VALUES;

/** The digit values of the id being parsed. */
const DIGITS_READ = new Uint8Array(ID_LENGTH);

/**
 * The id's 26 digits (`DIGITS_READ`) as the four 32-bit words of its 128
 * bits, most significant first, into `parsedId.words`; false, writing
 * nothing, when the first digit is above 7 (130 bits: not a ULID).
 */
function idWords(): boolean {
  if (DIGITS_READ[0]! > 7) return false;
  packUlidDigits(DIGITS_READ, parsedId.words, 0);
  return true;
}

/**
 * Folds the 26 characters of the id at `from` into the running CRC `crc`
 * (unsigned), or returns FAILED when one is not a Crockford base32 digit.
 * Their digit values go to `DIGITS_READ` on the way, for `idWords`. Four
 * characters at a time (slicing by 4), then one by one.
 */
function foldId(token: string, from: number, crc: number): number {
  const digits = DIGITS_READ;
  let i = 0;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the loop one character at a time below folds the same CRC and digits (a fast path)
  for (; i + 4 <= ID_LENGTH; i += 4) {
    const c0 = token.charCodeAt(from + i);
    const c1 = token.charCodeAt(from + i + 1);
    const c2 = token.charCodeAt(from + i + 2);
    const c3 = token.charCodeAt(from + i + 3);
    // Codes of 128 or more first: VALUES has 128 entries, and a read past them is undefined, which `|` takes as 0.
    if ((c0 | c1 | c2 | c3) >= 128) return FAILED;
    const v0 = VALUES[c0]!;
    const v1 = VALUES[c1]!;
    const v2 = VALUES[c2]!;
    const v3 = VALUES[c3]!;
    if ((v0 | v1 | v2 | v3) > 31) return FAILED;
    digits[i] = v0;
    digits[i + 1] = v1;
    digits[i + 2] = v2;
    digits[i + 3] = v3;
    crc = crcStep4(crc, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  for (; i < ID_LENGTH; i++) {
    const code = token.charCodeAt(from + i);
    const value = VALUES[code & 0x7f]!;
    if ((code & 0xff80) !== 0 || value > 31) return FAILED;
    digits[i] = value;
    crc = CRC[(crc ^ code) & 0xff]! ^ (crc >>> 8);
  }
  return crc >>> 0;
}

/**
 * Folds the secret's characters at `from` into the running CRC `crc`
 * (unsigned), or returns FAILED when one is not base62; it also writes the
 * characters into `parsedSecret.words` as the keyed hash's block wants
 * them: big-endian words of four characters, then the 0x80 byte that ends
 * the message (see `secret-block.ts`). The caller names the secret there
 * once the whole token has passed.
 */
function foldSecret(token: string, from: number, crc: number): number {
  const words = parsedSecret.words;
  const to = from + SECRET_LENGTH;
  let i = from;
  let j = 0;
  // Whole words of four characters; `!==` keeps the bound exact (a `<` would have an equivalent `<=` twin).
  for (; j !== SECRET_LENGTH >> 2; j++, i += 4) {
    const c0 = token.charCodeAt(i);
    const c1 = token.charCodeAt(i + 1);
    const c2 = token.charCodeAt(i + 2);
    const c3 = token.charCodeAt(i + 3);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, BASE62 has 128 entries and a read past them is undefined, whose `&` is 0: the character fails its class anyway
    if ((c0 | c1 | c2 | c3) >= 128 || (BASE62[c0]! & BASE62[c1]! & BASE62[c2]! & BASE62[c3]!) === 0) {
      return FAILED;
    }
    words[j] = (c0 << 24) | (c1 << 16) | (c2 << 8) | c3;
    crc = crcStep4(crc, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
  }
  let last = 0;
  let shift = 24;
  for (; i < to; i++, shift -= 8) {
    const code = token.charCodeAt(i);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, BASE62[128 or more] is undefined, not 1: the character fails its class anyway
    if (code >= 128 || BASE62[code] !== 1) return FAILED;
    last |= code << shift;
    crc = CRC[(crc ^ code) & 0xff]! ^ (crc >>> 8);
  }
  words[j] = last | (0x80 << shift);
  return crc >>> 0;
}

/** The running CRC of `text`'s characters (ASCII), from the CRC's initial value. */
function crcOf(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return crc >>> 0;
}

/**
 * The running CRC after `<prefix>_<type code>_`, or FAILED when the prefix
 * or a separator differs. The CRC of `<prefix>_` is the same for every
 * token of a format, so it comes in `afterPrefix`; the prefix's characters
 * come as numbers in `codes` (reading a typed array is far cheaper than
 * reading a string).
 */
function foldHead(token: string, codes: Uint8Array, afterPrefix: number): number {
  const length = codes.length;
  for (let i = 0; i < length; i++) if (token.charCodeAt(i) !== codes[i]) return FAILED;
  if (token.charCodeAt(length) !== UNDERSCORE || token.charCodeAt(length + 2) !== UNDERSCORE) return FAILED;
  const crc = CRC[(afterPrefix ^ token.charCodeAt(length + 1)) & 0xff]! ^ (afterPrefix >>> 8);
  return (CRC[(crc ^ UNDERSCORE) & 0xff]! ^ (crc >>> 8)) >>> 0;
}

/** The stored token type of a type code (`TYPE_CODES`), or null. */
function typeOfCode(code: number): StoredTokenType | null {
  switch (code) {
    case 0x61: // a
      return 'administrative';
    case 0x70: // p
      return 'personal';
    case 0x6d: // m
      return 'master';
    case 0x6c: // l
      return 'limited';
    default:
      return null;
  }
}

/** The value of the base62 checksum ending `token`, or FAILED when a character is not base62. */
function checksumValue(token: string, from: number): number {
  let value = 0;
  for (let i = from; i < from + CHECKSUM_LENGTH; i++) {
    const code = token.charCodeAt(i);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, BASE62[128 or more] is undefined, not 1: the character fails its class anyway
    if (code >= 128 || BASE62[code] !== 1) return FAILED;
    value = value * 62 + BASE62_DIGITS[code]!;
  }
  return value;
}

/**
 * The parse of tokens with `prefix` (a valid token prefix): a function from
 * a string to its parsed token, or null (see the module comment).
 */
export function opaqueParser(prefix: string): (token: string) => ParsedToken | null {
  const codes = Uint8Array.from(prefix, (c) => c.charCodeAt(0));
  const afterPrefix = crcOf(`${prefix}_`);
  const idAt = prefix.length + 3;
  const secretAt = idAt + ID_LENGTH;
  const checksumAt = secretAt + SECRET_LENGTH;
  const length = checksumAt + CHECKSUM_LENGTH;
  return (token) => {
    // The words of the secret parsed last go with any new string, refused or not (secret-block.ts).
    // A secret parsed before and never taken (a direct call of parse) is zeroed first.
    if (parsedSecret.text !== null) clearParsedSecret();
    parsedId.text = null;
    if (token.length !== length) return null;
    const type = typeOfCode(token.charCodeAt(prefix.length + 1));
    if (type === null) return null;
    let crc = foldHead(token, codes, afterPrefix);
    if (crc !== FAILED) crc = foldId(token, idAt, crc);
    if (crc !== FAILED) crc = foldSecret(token, secretAt, crc);
    // The checksum is the finished CRC (its bits inverted); six base62 digits can exceed 2^32 and then never match.
    if (crc === FAILED || checksumValue(token, checksumAt) !== (crc ^ 0xffffffff) >>> 0) {
      // The secret's words may be written, in part or whole: a refused string leaves none of them.
      clearParsedSecret();
      return null;
    }
    const secret = token.slice(secretAt, checksumAt);
    parsedSecret.text = secret;
    const id = token.slice(idAt, secretAt);
    if (idWords()) parsedId.text = id;
    return { id, secret, type };
  };
}
