/**
 * @internal Event ids in 16 bytes rather than a 26-character string (about
 * 56 bytes with its reference): a ULID in canonical form (Crockford base32,
 * uppercase, first character 0–7) is 128 bits, kept as four 32-bit words
 * and spelled again when read. Any other text is not turned into words, so
 * what is read back is always exactly what was written.
 */

const DIGITS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DIGIT_CODES = Uint8Array.from(DIGITS, (c) => c.charCodeAt(0));
const VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < DIGITS.length; i++) values[DIGITS.charCodeAt(i)] = i;
  return values;
})();

/** The value of the base32 digit at `at`, or -1. */
function digit(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code < 128 ? VALUES[code]! : -1;
}

/**
 * Writes the 128 bits of a canonical ULID into `words[offset…offset+3]`
 * (most significant first) and returns true; returns false for any other
 * text, having written some of the words or none.
 */
export function ulidToWords(text: string, words: Int32Array, offset: number): boolean {
  if (typeof text !== 'string' || text.length !== 26) return false;
  const first = digit(text, 0);
  if (first < 0 || first > 7) return false;
  // 26 digits of 5 bits: 3 bits of the first, then 125 bits, taken 32 at a time.
  let word = first;
  let bits = 3;
  let out = offset;
  for (let i = 1; i < 26; i++) {
    const value = digit(text, i);
    if (value < 0) return false;
    const room = 32 - bits;
    if (room >= 5) {
      word = (word << 5) | value;
      bits += 5;
      if (bits === 32) {
        words[out++] = word;
        word = 0;
        bits = 0;
      }
    } else {
      words[out++] = (word << room) | (value >>> (5 - room));
      word = value & ((1 << (5 - room)) - 1);
      bits = 5 - room;
    }
  }
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
