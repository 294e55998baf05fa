/** @internal The Crockford base32 digits of a ULID, in value order (uppercase, no I L O U). */
export const CROCKFORD_DIGITS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** @internal Crockford base32 digit values by character code below 128; 0xff for any other character. */
export const CROCKFORD_VALUES: Uint8Array = (() => {
  const values = new Uint8Array(128).fill(0xff);
  // Stryker disable next-line EqualityOperator: equivalent, charCodeAt(32) is NaN, an index a typed array ignores
  for (let i = 0; i < CROCKFORD_DIGITS.length; i++) values[CROCKFORD_DIGITS.charCodeAt(i)] = i;
  return values;
})();

/**
 * @internal A canonical ULID's 26 Crockford base32 digit values (the first
 * at most 7) packed as the four 32-bit words of its 128 bits, most
 * significant first. Shared by the token parse, which reads an id's digits
 * for its checksum anyway (`opaque-parse.ts`), and the memory store, which
 * keeps ids as words (`stores/memory/ulid-words.ts`): one packing, so the
 * words a parse leaves are the store's by construction.
 */
export function packUlidDigits(d: Uint8Array, words: Int32Array, offset: number): void {
  words[offset] =
    (d[0]! << 29) | (d[1]! << 24) | (d[2]! << 19) | (d[3]! << 14) | (d[4]! << 9) | (d[5]! << 4) | (d[6]! >>> 1);
  words[offset + 1] =
    ((d[6]! & 1) << 31) |
    (d[7]! << 26) |
    (d[8]! << 21) |
    (d[9]! << 16) |
    (d[10]! << 11) |
    (d[11]! << 6) |
    (d[12]! << 1) |
    (d[13]! >>> 4);
  words[offset + 2] =
    ((d[13]! & 15) << 28) |
    (d[14]! << 23) |
    (d[15]! << 18) |
    (d[16]! << 13) |
    (d[17]! << 8) |
    (d[18]! << 3) |
    (d[19]! >>> 2);
  words[offset + 3] =
    ((d[19]! & 3) << 30) | (d[20]! << 25) | (d[21]! << 20) | (d[22]! << 15) | (d[23]! << 10) | (d[24]! << 5) | d[25]!;
}
