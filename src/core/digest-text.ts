/**
 * @internal The stored form of a keyed hash is the 43-character unpadded
 * base64url text of a 32-byte digest (RFC 4648 §5; written by
 * `toBase64Url`). Here it is compared with a digest on the verification
 * path without building the digest's text; and a store that keeps the
 * digest as eight 32-bit words instead (the memory store, issue 12) turns
 * the text into words and back, and compares a digest with its words.
 */
import { B64URL_CODES as DIGITS, fromBase64Url, toBase64Url } from './encoding.js';

/** Characters in the text of a 32-byte digest: ⌈256 / 6⌉. */
export const DIGEST_TEXT_LENGTH = 43;

/**
 * Whether `stored` is exactly the text of `digest` (32 bytes), in time that
 * depends only on `stored.length`: the digest is encoded digit by digit and
 * every character is compared, with no early exit. `stored` is not decoded,
 * so a stored text in another alphabet, with padding, with other trailing
 * bits or of another length never matches — the answer is the same as
 * `toBase64Url(digest) === stored`.
 */
export function digestMatchesText(digest: Uint8Array, stored: string): boolean {
  if (stored.length !== DIGEST_TEXT_LENGTH) return false;
  let diff = 0;
  let j = 0;
  for (let i = 0; i < 30; i += 3) {
    const n = (digest[i]! << 16) | (digest[i + 1]! << 8) | digest[i + 2]!;
    diff |=
      (stored.charCodeAt(j) ^ DIGITS[n >>> 18]!) |
      (stored.charCodeAt(j + 1) ^ DIGITS[(n >>> 12) & 63]!) |
      (stored.charCodeAt(j + 2) ^ DIGITS[(n >>> 6) & 63]!) |
      (stored.charCodeAt(j + 3) ^ DIGITS[n & 63]!);
    j += 4;
  }
  const n = (digest[30]! << 16) | (digest[31]! << 8);
  diff |=
    (stored.charCodeAt(40) ^ DIGITS[n >>> 18]!) |
    (stored.charCodeAt(41) ^ DIGITS[(n >>> 12) & 63]!) |
    (stored.charCodeAt(42) ^ DIGITS[(n >>> 6) & 63]!);
  return diff === 0;
}

/** Reused by the conversions between the text and the words: a digest's bytes. */
const scratch = new Uint8Array(32);

/**
 * Writes the 32-byte digest whose stored text is `stored` into
 * `words[at…at+7]` as eight big-endian 32-bit words (the form the SHA-256
 * state has) and returns true; returns false, writing nothing, for any
 * text that is not exactly `toBase64Url` of 32 bytes (another length or
 * alphabet, padding, nonzero trailing bits: `fromBase64Url` takes only
 * the canonical text). So a stored hash kept as words spells back to the
 * very text it was given (`digestWordsToText`).
 */
export function digestTextToWords(stored: string, words: Int32Array, at: number): boolean {
  if (typeof stored !== 'string') return false;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, any other length decodes to another number of bytes (a fast path)
  if (stored.length !== DIGEST_TEXT_LENGTH) return false;
  const bytes = fromBase64Url(stored);
  // Canonical text of 43 characters always decodes to 32 bytes.
  if (bytes === null) return false;
  for (let i = 0; i < 8; i++) {
    words[at + i] = (bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!;
  }
  return true;
}

/** The stored text of the digest in `words[at…at+7]` (big-endian words): one flat 43-character string. */
export function digestWordsToText(words: Int32Array, at: number): string {
  // `!==`, not `<`: a ninth turn would only write past the end of the scratch, an equivalent mutant.
  for (let i = 0; i !== 8; i++) {
    const word = words[at + i]!;
    scratch[4 * i] = word >>> 24;
    scratch[4 * i + 1] = word >>> 16;
    scratch[4 * i + 2] = word >>> 8;
    scratch[4 * i + 3] = word;
  }
  return toBase64Url(scratch);
}

/**
 * Whether the digest `digest` (eight big-endian words, as `HmacSha256`
 * leaves it) equals the one in `words[at…at+7]`, in time that does not
 * depend on where they differ: every word is compared, no early exit.
 */
export function digestMatchesWords(digest: Int32Array, words: Int32Array, at: number): boolean {
  let diff = 0;
  for (let i = 0; i < 8; i++) diff |= digest[i]! ^ words[at + i]!;
  return diff === 0;
}

/** `digestMatchesWords` for a digest given as 32 bytes (a custom hasher's answer); any other length never matches. */
export function digestBytesMatchWords(digest: Uint8Array, words: Int32Array, at: number): boolean {
  if (digest.length !== 32) return false;
  let diff = 0;
  for (let i = 0; i < 8; i++) {
    const word = (digest[4 * i]! << 24) | (digest[4 * i + 1]! << 16) | (digest[4 * i + 2]! << 8) | digest[4 * i + 3]!;
    diff |= word ^ words[at + i]!;
  }
  return diff === 0;
}
