/** @internal Small text encodings used by token formats. */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Fixed-width base62 of an unsigned 32-bit integer (6 characters cover 2^32). */
export function base62Fixed(value: number, width: number): string {
  let out = '';
  let rest = value >>> 0;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/**
 * `length` uniformly random base62 characters. Bytes ≥ 248 are rejected so
 * that every character is equally likely (248 = 4 × 62).
 */
export function randomBase62(length: number, random: (n: number) => Uint8Array): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length + 8)) {
      if (out.length === length) break;
      if (byte < 248) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** The CRC-32 (IEEE, reflected) table, one entry per byte value. */
export const CRC32_TABLE: Uint32Array = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/**
 * CRC-32 (IEEE) of an ASCII string, or of its first `end` characters (no
 * slice needed on the verification path). Detects every change of a single
 * character, which is what a token checksum is for.
 */
export function crc32Ascii(text: string, end: number = text.length): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) crc = CRC32_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The value of each character of `alphabet` by its code below 128, -1 for any other code. */
function valuesOf(alphabet: string): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (const [value, c] of Array.from(alphabet).entries()) table[c.charCodeAt(0)] = value;
  return table;
}

const BASE62_VALUES = valuesOf(BASE62);

/**
 * The value of `width` base62 characters of `text` starting at `start`, or
 * -1 if any is not base62. The inverse of `base62Fixed`.
 */
export function base62Value(text: string, start: number, width: number): number {
  let value = 0;
  for (let i = start; i < start + width; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? BASE62_VALUES[code]! : -1;
    if (digit < 0) return -1;
    value = value * 62 + digit;
  }
  return value;
}

/** The base64url alphabet (RFC 4648 §5). */
export const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The character code of each base64url digit. */
export const B64URL_CODES: Uint8Array = Uint8Array.from(B64URL, (c) => c.charCodeAt(0));

/** The value of each base64url character code below 128, -1 for any other character. */
export const B64URL_VALUES: Int8Array = valuesOf(B64URL);

/** Reused for short texts, so encoding a digest allocates only its string. */
const scratchCodes = new Uint16Array(64);

/**
 * Unpadded base64url of bytes (RFC 4648 §5; no Buffer: the core runs
 * everywhere). The string is made in one piece from its character codes,
 * so it is flat, not a rope of concatenations.
 */
export function toBase64Url(bytes: Uint8Array): string {
  const length = Math.ceil((bytes.length * 4) / 3);
  const codes = length <= scratchCodes.length ? scratchCodes.subarray(0, length) : new Uint16Array(length);
  let j = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    codes[j++] = B64URL_CODES[n >>> 18]!;
    codes[j++] = B64URL_CODES[(n >>> 12) & 63]!;
    codes[j++] = B64URL_CODES[(n >>> 6) & 63]!;
    codes[j++] = B64URL_CODES[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    codes[j++] = B64URL_CODES[n >>> 18]!;
    codes[j++] = B64URL_CODES[(n >>> 12) & 63]!;
    if (rest === 2) codes[j++] = B64URL_CODES[(n >>> 6) & 63]!;
  }
  return textOfCodes(codes);
}

/** The string of UTF-16 code units `codes`, made in slices small enough for `apply`. */
function textOfCodes(codes: Uint16Array): string {
  const SLICE = 8192;
  if (codes.length <= SLICE) return String.fromCharCode.apply(null, codes as unknown as number[]);
  let out = '';
  for (let at = 0; at < codes.length; at += SLICE) {
    out += String.fromCharCode.apply(null, codes.subarray(at, at + SLICE) as unknown as number[]);
  }
  return out;
}

/**
 * The bytes of unpadded base64url text, or null when `text` is not the one
 * canonical encoding of some bytes: a character outside the alphabet,
 * padding, a length of 1 mod 4, or unused bits that are not zero.
 */
export function fromBase64Url(text: string): Uint8Array | null {
  const rest = text.length % 4;
  if (rest === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let j = 0;
  let bits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? B64URL_VALUES[code]! : -1;
    if (digit < 0) return null;
    value = (value << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (value >>> bits) & 0xff;
    }
  }
  // The bits left over must be zero, so that one text stands for one byte string.
  return (value & ((1 << bits) - 1)) === 0 ? out : null;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Compares two strings in time that depends only on their lengths, not on
 * where they differ.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
