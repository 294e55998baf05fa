/**
 * @internal Event ids in 16 bytes rather than a 26-character string (about
 * 56 bytes with its reference): a ULID in canonical form (Crockford base32,
 * uppercase, first character 0–7) is 128 bits, kept as four 32-bit words
 * and spelled again when read. Any other text is not turned into words, so
 * what is read back is always exactly what was written.
 */

import { takeParsedId } from '../../core/secret-block.js';
import { CROCKFORD_DIGITS, CROCKFORD_VALUES, packUlidDigits } from '../../core/ulid-digits.js';

const DIGIT_CODES = Uint8Array.from(CROCKFORD_DIGITS, (c) => c.charCodeAt(0));
/** Digit values by character code below 128; 0xff for a character that is not a digit. */
const VALUES = CROCKFORD_VALUES;

/** The 26 digit values of the text being read. */
const read = new Uint8Array(26);

/**
 * Writes the 128 bits of a canonical ULID into `words[offset…offset+3]`
 * (most significant first) and returns true; returns false for any other
 * text, having written none of the words.
 *
 * The digits are read in one loop that keeps no branch per character (a
 * code of 128 or more, or a value of 0xff, leaves bits above 31 in `bad`),
 * then put together in fixed shifts: every token id looked up goes through
 * here (issue 12).
 */
export function ulidToWords(text: string, words: Int32Array, offset: number): boolean {
  // The id of the token just parsed: its words are ready (the parse read its digits for the checksum).
  if (takeParsedId(text, words, offset)) return true;
  if (typeof text !== 'string' || text.length !== 26) return false;
  const d = read;
  let bad = 0;
  for (let i = 0; i < 26; i++) {
    const code = text.charCodeAt(i);
    const value = VALUES[code & 0x7f]!;
    bad |= (code & 0xff80) | value;
    d[i] = value;
  }
  // 26 digits of 5 bits make 130: the first digit carries only 3, so it is at most 7.
  if (bad > 31 || d[0]! > 7) return false;
  packUlidDigits(d, words, offset);
  return true;
}

/** Reused for the digits being spelled. */
const spelled = new Uint8Array(26);

/** The canonical ULID text of the words written by `ulidToWords`: one flat string. */
export function wordsToUlid(words: Int32Array, offset: number): string {
  // Read the 128 bits back 5 at a time, the first digit taking the top 3.
  let word = 0;
  let index = offset;
  let left = 0;
  for (let i = 0; i < 26; i++) {
    const need = i === 0 ? 3 : 5;
    let value: number;
    if (left >= need) {
      value = (word >>> (left - need)) & ((1 << need) - 1);
      left -= need;
    } else {
      const high = left === 0 ? 0 : word & ((1 << left) - 1);
      word = words[index++]!;
      const low = need - left;
      value = (high << low) | ((word >>> (32 - low)) & ((1 << low) - 1));
      left = 32 - low;
    }
    spelled[i] = DIGIT_CODES[value]!;
  }
  return textOf(spelled);
}

/**
 * The 26 character codes as a string. Written out rather than spread or
 * `apply`: this builds the flat string directly, without a list of
 * arguments (the id of every record read is spelled here).
 */
function textOf(c: Uint8Array): string {
  // biome-ignore format: the 26 codes read better on two lines than on 26
  return String.fromCharCode(
    c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!, c[7]!, c[8]!, c[9]!, c[10]!, c[11]!, c[12]!,
    c[13]!, c[14]!, c[15]!, c[16]!, c[17]!, c[18]!, c[19]!, c[20]!, c[21]!, c[22]!, c[23]!, c[24]!, c[25]!,
  );
}
