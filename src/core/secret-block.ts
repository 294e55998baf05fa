/**
 * @internal What the parse of the token parsed last leaves for the next
 * steps of its verification, so that each character of a token is read
 * once (issue 12: reading a string's characters costs about 2 ns each
 * here, and the parse must read them all anyway for the checksum).
 *
 * - `parsedSecret`: the secret as the SHA-256 block words the keyed hash
 *   needs. `HmacSha256.updateText` takes them (`takeParsedSecret`) instead
 *   of reading the string again when, and only when, it is asked for a
 *   string with exactly those characters. The words always spell
 *   `parsedSecret.text`, or that is null: every parse clears it before
 *   writing, and taking the words zeroes them and clears it. So a secret is
 *   held here only between its parse and its keyed hash (or the next
 *   parse), never as a cache of any answer.
 * - `parsedId`: the id as its ULID's four words, for the memory store's
 *   lookup (`takeParsedId`), taken once as well.
 *
 * `verify` forgets both when its synchronous part ends (`forgetParsed`),
 * whatever its answer: a refusal before the hash (an unknown id), a custom
 * hasher that never takes the words, or a store that never asks for the
 * id's words leaves nothing behind the call. Only a direct call of an
 * opaque format's `parse` outside `verify` leaves them until the next
 * parse or verification.
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
  // Nothing is ready when the name is null (never taken for a null text).
  // Stryker disable next-line ConditionalExpression: equivalent, the keyed hash only ever asks for a string, which never equals null
  if (parsedSecret.text === null || text !== parsedSecret.text) return false;
  const words = parsedSecret.words;
  parsedSecret.text = null;
  for (let i = 0; i < SECRET_WORDS; i++) {
    w[i] = words[i]!;
    words[i] = 0;
  }
  return true;
}

/**
 * The id of the token parsed last, as the four 32-bit words of its 128 bits
 * (most significant first; the memory store's form of an id), or `text`
 * null. Written by `opaqueParser`'s parse from the digits it reads for the
 * checksum, for ids that are ULIDs (first digit 0–7). Taken once, like the
 * secret: the id is a slice of the token string, which holds the secret
 * too, so it is not kept past its lookup.
 */
export const parsedId: { text: string | null; readonly words: Int32Array } = {
  text: null,
  words: new Int32Array(4),
};

/**
 * Copies the words of `text` into `words[offset…offset+3]`, clears them and
 * returns true when they are ready for exactly this string (the same
 * characters); returns false, touching nothing, otherwise.
 */
export function takeParsedId(text: string, words: Int32Array, offset: number): boolean {
  // Nothing is ready when the name is null: a store's id that is not a string (null) must not take stale words.
  if (parsedId.text === null || text !== parsedId.text) return false;
  const ready = parsedId.words;
  parsedId.text = null;
  words[offset] = ready[0]!;
  words[offset + 1] = ready[1]!;
  words[offset + 2] = ready[2]!;
  words[offset + 3] = ready[3]!;
  return true;
}

/**
 * Forgets what the last parse left: the secret's words (zeroed) and the
 * id's name, which is a slice of the whole token string. `verify` calls it
 * when its synchronous part ends, whatever the answer, so no part of a
 * token outlives the call that read it here (issue 12: secrets are never
 * cached); a verification that waits on its store then hashes the secret
 * from its string.
 */
export function forgetParsed(): void {
  parsedId.text = null;
  // The words are zero whenever the name is null (every step that drops the name zeroes them).
  // Stryker disable next-line ConditionalExpression: equivalent, with the name null the words are already zero (a saving, not a check)
  if (parsedSecret.text !== null) clearParsedSecret();
}

/**
 * Drops the secret's name and zeroes its words (a loop: for eight words far
 * cheaper than `fill`). Called by the parse before it writes and when it
 * refuses a string part-way, so words never outlive their name.
 */
export function clearParsedSecret(): void {
  parsedSecret.text = null;
  const words = parsedSecret.words;
  // Stryker disable next-line EqualityOperator: equivalent, a write past the end of a typed array is ignored
  for (let i = 0; i < SECRET_WORDS; i++) words[i] = 0;
}
