/**
 * @internal The secret of the token parsed last, as the SHA-256 block words
 * the keyed hash needs, so that its characters are read once per
 * verification rather than twice (issue 12: reading a string's characters
 * costs about 2 ns each here, and the parse must read them anyway for the
 * checksum).
 *
 * `parseOpaque` writes the words while it folds the secret into the CRC and
 * then names the secret string they spell (`readyFor`); `HmacSha256.updateText`
 * takes them instead of reading the string again when, and only when, it is
 * asked for that very string (`take`). The words are always those of
 * `readyFor`'s text, or `readyFor` is null: a parse clears it before
 * writing, and taking the words clears both. So a secret is held here only
 * between its parse and its keyed hash (or the next parse), never as a
 * cache of any answer.
 */

/** Words of a block holding an ASCII text of `SECRET_LENGTH` characters followed by the 0x80 byte (30 + 1 bytes: 8 words). */
export const SECRET_WORDS = 8;

/** One reused block: `words` spell `text` (big-endian, then 0x80 and zero bytes), or `text` is null. */
export const parsedSecret: { text: string | null; readonly words: Int32Array } = {
  text: null,
  words: new Int32Array(SECRET_WORDS),
};

/**
 * Copies the words of `text` into `w[0…7]` and returns true when they are
 * ready for exactly this string (the same characters), clearing them;
 * returns false, touching nothing, otherwise.
 */
export function takeParsedSecret(text: string, w: Int32Array): boolean {
  // `===` of strings compares characters: any string spelling the parsed secret may take its words.
  if (text !== parsedSecret.text) return false;
  const words = parsedSecret.words;
  parsedSecret.text = null;
  for (let i = 0; i < SECRET_WORDS; i++) {
    w[i] = words[i]!;
    words[i] = 0;
  }
  return true;
}
