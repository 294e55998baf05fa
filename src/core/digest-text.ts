/**
 * @internal The stored form of a keyed hash: the 43-character unpadded
 * base64url text of a 32-byte digest (RFC 4648 §5), written and compared
 * without building intermediate strings or arrays.
 */
import { B64URL } from './encoding.js';

/** Characters in the text of a 32-byte digest: ⌈256 / 6⌉. */
export const DIGEST_TEXT_LENGTH = 43;

/** The character code of each base64url digit. */
const DIGITS = Uint8Array.from(B64URL, (c) => c.charCodeAt(0));

/**
 * Writes the character codes of the text of `digest` (32 bytes) into
 * `codes` (43 entries): ten groups of three bytes make four digits each,
 * the last two bytes make three (the third with two zero bits).
 */
function digestCodes(digest: Uint8Array, codes: Uint16Array): void {
  let j = 0;
  for (let i = 0; i < 30; i += 3) {
    const n = (digest[i]! << 16) | (digest[i + 1]! << 8) | digest[i + 2]!;
    codes[j] = DIGITS[n >>> 18]!;
    codes[j + 1] = DIGITS[(n >>> 12) & 63]!;
    codes[j + 2] = DIGITS[(n >>> 6) & 63]!;
    codes[j + 3] = DIGITS[n & 63]!;
    j += 4;
  }
  const n = (digest[30]! << 16) | (digest[31]! << 8);
  codes[40] = DIGITS[n >>> 18]!;
  codes[41] = DIGITS[(n >>> 12) & 63]!;
  codes[42] = DIGITS[(n >>> 6) & 63]!;
}

const scratchCodes = new Uint16Array(DIGEST_TEXT_LENGTH);

/**
 * The text of a 32-byte digest, as one flat string (made in one piece from
 * its character codes, so it is not a rope of 43 concatenations).
 */
export function digestText(digest: Uint8Array): string {
  digestCodes(digest, scratchCodes);
  return String.fromCharCode.apply(null, scratchCodes as unknown as number[]);
}

/**
 * Whether `stored` is exactly the text of `digest` (32 bytes), in time that
 * depends only on `stored.length`: the digest is encoded digit by digit and
 * every character is compared, with no early exit. `stored` is not decoded,
 * so a stored text in another alphabet, with padding, with other trailing
 * bits or of another length never matches — the answer is the same as
 * `digestText(digest) === stored`.
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
