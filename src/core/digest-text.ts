/**
 * @internal The stored form of a keyed hash is the 43-character unpadded
 * base64url text of a 32-byte digest (RFC 4648 §5; written by
 * `toBase64Url`). Here it is compared with a digest on the verification
 * path without building the digest's text.
 */
import { B64URL_CODES as DIGITS } from './encoding.js';

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
