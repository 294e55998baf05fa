/**
 * @internal SHA-256 (FIPS 180-4) on 32-bit words: the compression function
 * and the message padding, nothing else.
 *
 * Why our own: the keyed hash of a token secret is two compressions, and
 * the general-purpose hashers spend more time around them (buffers, views,
 * byte copies, cleaning) than in them. Working on words lets the HMAC in
 * `hmac-sha256.ts` start from precomputed states and fill a block straight
 * from a string's character codes. Proven against the FIPS 180-4 vectors and
 * against @noble/hashes by property tests (test/core/sha256.test.ts).
 *
 * Conventions: a state is an `Int32Array(8)`; a block is the first 16
 * entries of an `Int32Array(64)` (`w`), each a big-endian 32-bit word; the
 * other 48 entries are scratch for the message schedule. Arithmetic is done
 * in doubles and wrapped with `| 0`, which is exact: every sum below has at
 * most five terms under 2^32.
 */

/** The round constants: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
// biome-ignore format: a table of constants, eight to a row
export const K = Int32Array.of(
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
);

/** The initial hash value H(0): the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
// biome-ignore format: a table of constants, eight to a row
const IV = Int32Array.of(
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
);

/** A fresh state holding the initial hash value. */
export function initialState(): Int32Array {
  return IV.slice();
}

/** A block buffer for `compress`: 16 message words and 48 schedule words. */
export function blockBuffer(): Int32Array {
  return new Int32Array(64);
}

/**
 * The compression function (FIPS 180-4 §6.2.2): folds the block in
 * `w[0..15]` into `state`. Overwrites `w[16..63]` with the message schedule
 * and leaves `w[0..15]` as they were.
 *
 * The 64 rounds run eight per turn of the loop, written out: instead of
 * moving the working variables one place on after each round (seven
 * copies), each round names them one place further on, and after eight
 * rounds they are back in place. A round adds T1 into the variable that
 * becomes `e` (the one named `d`) and makes the new `a` in the one that
 * held `h`. The whole schedule is made first, in `schedule`. Why this shape
 * and not another (a fully written-out compression is faster on one block
 * but not on the keyed hash, measured): docs/performance.md, "SHA-256
 * compression".
 */
export function compress(state: Int32Array, w: Int32Array): void {
  schedule(w);
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  let s = 0;
  let t1 = 0;
  for (let t = 0; t < 64; t += 8) {
    // A round: s = Σ1(e); T1 = h + K[t] + W[t] + Ch(e, f, g) + Σ1(e); s = Σ0(a); e' = d + T1;
    // a' = T1 + Σ0(a) + Maj(a, b, c). The terms that do not wait on e come first, which shortens the
    // chain of dependent additions. Ch(e, f, g) = (e ∧ f) ⊕ (¬e ∧ g) and Maj in forms with fewer operations.
    s = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    t1 = (h + K[t]! + w[t]! + (g ^ (e & (f ^ g))) + s) | 0;
    s = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    d = (d + t1) | 0;
    h = (t1 + s + ((a & b) | (c & (a | b)))) | 0;
    s = ((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7));
    t1 = (g + K[t + 1]! + w[t + 1]! + (f ^ (d & (e ^ f))) + s) | 0;
    s = ((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10));
    c = (c + t1) | 0;
    g = (t1 + s + ((h & a) | (b & (h | a)))) | 0;
    s = ((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7));
    t1 = (f + K[t + 2]! + w[t + 2]! + (e ^ (c & (d ^ e))) + s) | 0;
    s = ((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10));
    b = (b + t1) | 0;
    f = (t1 + s + ((g & h) | (a & (g | h)))) | 0;
    s = ((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7));
    t1 = (e + K[t + 3]! + w[t + 3]! + (d ^ (b & (c ^ d))) + s) | 0;
    s = ((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10));
    a = (a + t1) | 0;
    e = (t1 + s + ((f & g) | (h & (f | g)))) | 0;
    s = ((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7));
    t1 = (d + K[t + 4]! + w[t + 4]! + (c ^ (a & (b ^ c))) + s) | 0;
    s = ((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10));
    h = (h + t1) | 0;
    d = (t1 + s + ((e & f) | (g & (e | f)))) | 0;
    s = ((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7));
    t1 = (c + K[t + 5]! + w[t + 5]! + (b ^ (h & (a ^ b))) + s) | 0;
    s = ((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10));
    g = (g + t1) | 0;
    c = (t1 + s + ((d & e) | (f & (d | e)))) | 0;
    s = ((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7));
    t1 = (b + K[t + 6]! + w[t + 6]! + (a ^ (g & (h ^ a))) + s) | 0;
    s = ((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10));
    f = (f + t1) | 0;
    b = (t1 + s + ((c & d) | (e & (c | d)))) | 0;
    s = ((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7));
    t1 = (a + K[t + 7]! + w[t + 7]! + (h ^ (f & (g ^ h))) + s) | 0;
    s = ((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10));
    e = (e + t1) | 0;
    a = (t1 + s + ((b & c) | (d & (b | c)))) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/**
 * The message schedule (FIPS 180-4 §6.2.2 step 1) into `w[16..63]`:
 * W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16]. The last sixteen
 * words live in local variables (`w0`…`w15`, each holding the word at its
 * position modulo 16), so each new word costs one store and no loads.
 */
function schedule(w: Int32Array): void {
  let w0 = w[0]!;
  let w1 = w[1]!;
  let w2 = w[2]!;
  let w3 = w[3]!;
  let w4 = w[4]!;
  let w5 = w[5]!;
  let w6 = w[6]!;
  let w7 = w[7]!;
  let w8 = w[8]!;
  let w9 = w[9]!;
  let w10 = w[10]!;
  let w11 = w[11]!;
  let w12 = w[12]!;
  let w13 = w[13]!;
  let w14 = w[14]!;
  let w15 = w[15]!;
  let s = 0;
  // Stryker disable next-line EqualityOperator: equivalent, a fourth turn only writes past the end of the typed array
  for (let t = 16; t < 64; t += 16) {
    s = ((w1 >>> 7) | (w1 << 25)) ^ ((w1 >>> 18) | (w1 << 14)) ^ (w1 >>> 3);
    w0 = ((((w14 >>> 17) | (w14 << 15)) ^ ((w14 >>> 19) | (w14 << 13)) ^ (w14 >>> 10)) + w9 + s + w0) | 0;
    w[t] = w0;
    s = ((w2 >>> 7) | (w2 << 25)) ^ ((w2 >>> 18) | (w2 << 14)) ^ (w2 >>> 3);
    w1 = ((((w15 >>> 17) | (w15 << 15)) ^ ((w15 >>> 19) | (w15 << 13)) ^ (w15 >>> 10)) + w10 + s + w1) | 0;
    w[t + 1] = w1;
    s = ((w3 >>> 7) | (w3 << 25)) ^ ((w3 >>> 18) | (w3 << 14)) ^ (w3 >>> 3);
    w2 = ((((w0 >>> 17) | (w0 << 15)) ^ ((w0 >>> 19) | (w0 << 13)) ^ (w0 >>> 10)) + w11 + s + w2) | 0;
    w[t + 2] = w2;
    s = ((w4 >>> 7) | (w4 << 25)) ^ ((w4 >>> 18) | (w4 << 14)) ^ (w4 >>> 3);
    w3 = ((((w1 >>> 17) | (w1 << 15)) ^ ((w1 >>> 19) | (w1 << 13)) ^ (w1 >>> 10)) + w12 + s + w3) | 0;
    w[t + 3] = w3;
    s = ((w5 >>> 7) | (w5 << 25)) ^ ((w5 >>> 18) | (w5 << 14)) ^ (w5 >>> 3);
    w4 = ((((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)) + w13 + s + w4) | 0;
    w[t + 4] = w4;
    s = ((w6 >>> 7) | (w6 << 25)) ^ ((w6 >>> 18) | (w6 << 14)) ^ (w6 >>> 3);
    w5 = ((((w3 >>> 17) | (w3 << 15)) ^ ((w3 >>> 19) | (w3 << 13)) ^ (w3 >>> 10)) + w14 + s + w5) | 0;
    w[t + 5] = w5;
    s = ((w7 >>> 7) | (w7 << 25)) ^ ((w7 >>> 18) | (w7 << 14)) ^ (w7 >>> 3);
    w6 = ((((w4 >>> 17) | (w4 << 15)) ^ ((w4 >>> 19) | (w4 << 13)) ^ (w4 >>> 10)) + w15 + s + w6) | 0;
    w[t + 6] = w6;
    s = ((w8 >>> 7) | (w8 << 25)) ^ ((w8 >>> 18) | (w8 << 14)) ^ (w8 >>> 3);
    w7 = ((((w5 >>> 17) | (w5 << 15)) ^ ((w5 >>> 19) | (w5 << 13)) ^ (w5 >>> 10)) + w0 + s + w7) | 0;
    w[t + 7] = w7;
    s = ((w9 >>> 7) | (w9 << 25)) ^ ((w9 >>> 18) | (w9 << 14)) ^ (w9 >>> 3);
    w8 = ((((w6 >>> 17) | (w6 << 15)) ^ ((w6 >>> 19) | (w6 << 13)) ^ (w6 >>> 10)) + w1 + s + w8) | 0;
    w[t + 8] = w8;
    s = ((w10 >>> 7) | (w10 << 25)) ^ ((w10 >>> 18) | (w10 << 14)) ^ (w10 >>> 3);
    w9 = ((((w7 >>> 17) | (w7 << 15)) ^ ((w7 >>> 19) | (w7 << 13)) ^ (w7 >>> 10)) + w2 + s + w9) | 0;
    w[t + 9] = w9;
    s = ((w11 >>> 7) | (w11 << 25)) ^ ((w11 >>> 18) | (w11 << 14)) ^ (w11 >>> 3);
    w10 = ((((w8 >>> 17) | (w8 << 15)) ^ ((w8 >>> 19) | (w8 << 13)) ^ (w8 >>> 10)) + w3 + s + w10) | 0;
    w[t + 10] = w10;
    s = ((w12 >>> 7) | (w12 << 25)) ^ ((w12 >>> 18) | (w12 << 14)) ^ (w12 >>> 3);
    w11 = ((((w9 >>> 17) | (w9 << 15)) ^ ((w9 >>> 19) | (w9 << 13)) ^ (w9 >>> 10)) + w4 + s + w11) | 0;
    w[t + 11] = w11;
    s = ((w13 >>> 7) | (w13 << 25)) ^ ((w13 >>> 18) | (w13 << 14)) ^ (w13 >>> 3);
    w12 = ((((w10 >>> 17) | (w10 << 15)) ^ ((w10 >>> 19) | (w10 << 13)) ^ (w10 >>> 10)) + w5 + s + w12) | 0;
    w[t + 12] = w12;
    s = ((w14 >>> 7) | (w14 << 25)) ^ ((w14 >>> 18) | (w14 << 14)) ^ (w14 >>> 3);
    w13 = ((((w11 >>> 17) | (w11 << 15)) ^ ((w11 >>> 19) | (w11 << 13)) ^ (w11 >>> 10)) + w6 + s + w13) | 0;
    w[t + 13] = w13;
    s = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    w14 = ((((w12 >>> 17) | (w12 << 15)) ^ ((w12 >>> 19) | (w12 << 13)) ^ (w12 >>> 10)) + w7 + s + w14) | 0;
    w[t + 14] = w14;
    s = ((w0 >>> 7) | (w0 << 25)) ^ ((w0 >>> 18) | (w0 << 14)) ^ (w0 >>> 3);
    w15 = ((((w13 >>> 17) | (w13 << 15)) ^ ((w13 >>> 19) | (w13 << 13)) ^ (w13 >>> 10)) + w8 + s + w15) | 0;
    w[t + 15] = w15;
  }
}

/**
 * Pads and compresses the last block (FIPS 180-4 §5.1.1): `w[0..15]` hold
 * the message's final `used` bytes (0–63, the rest of the block zero), and
 * `total` is the message length in bytes, including blocks already
 * compressed. Appends the 0x80 byte and the 64-bit bit length, taking one
 * more block when the length does not fit after the last bytes.
 */
function finish(state: Int32Array, w: Int32Array, used: number, total: number): void {
  w[used >> 2] = w[used >> 2]! | (0x80 << (24 - ((used & 3) << 3)));
  if (used >= 56) {
    compress(state, w);
    w.fill(0, 0, 16);
  }
  // The bit length as two words; `total * 8` is exact in a double below 2^53.
  w[14] = Math.floor(total / 0x20000000);
  w[15] = (total * 8) | 0;
  compress(state, w);
}

/**
 * Hashes `bytes` into `state` as the rest of a message whose first
 * `before` bytes (a multiple of 64) are already compressed into it: all of
 * its full blocks, then the padded tail. `state` ends as the digest.
 */
export function finishBytes(state: Int32Array, w: Int32Array, bytes: Uint8Array, before: number): void {
  const length = bytes.length;
  let at = 0;
  for (; at + 64 <= length; at += 64) {
    // Stryker disable next-line EqualityOperator: equivalent, w[16] is schedule scratch that compress overwrites
    for (let j = 0; j < 16; j++) {
      const p = at + (j << 2);
      w[j] = (bytes[p]! << 24) | (bytes[p + 1]! << 16) | (bytes[p + 2]! << 8) | bytes[p + 3]!;
    }
    compress(state, w);
  }
  w.fill(0, 0, 16);
  const used = length - at;
  // Stryker disable next-line EqualityOperator: equivalent, bytes[length] is undefined and ORs in 0
  for (let k = 0; k < used; k++) w[k >> 2] = w[k >> 2]! | (bytes[at + k]! << (24 - ((k & 3) << 3)));
  finish(state, w, used, before + length);
}

/**
 * Like `finishBytes` for a string whose every character is ASCII (below
 * U+0080), so that its character codes are its UTF-8 bytes; no byte array
 * is made. Returns false as soon as it meets any other character, with
 * `state` and `w` spoiled: the caller starts again from its own copy of the
 * state with the string's UTF-8 bytes. A string of up to 55 characters (one
 * block with its padding, as a token secret is) is checked before anything
 * is compressed, so then that costs the caller one pass of reading.
 */
export function finishAscii(state: Int32Array, w: Int32Array, text: string, before: number): boolean {
  const length = text.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the long path finishes short strings alike (a fast path)
  if (length > 55) return finishLongAscii(state, w, text, before);
  // Whole words of four characters, then the last word with the remaining
  // 0–3 characters and the 0x80 byte, then zero words up to the length.
  // Reading character codes past the end of a string is slow: never done.
  const whole = length >> 2;
  let all = 0;
  let j = 0;
  for (; j < whole; j++) {
    const p = j << 2;
    const a = text.charCodeAt(p);
    const b = text.charCodeAt(p + 1);
    const c = text.charCodeAt(p + 2);
    const d = text.charCodeAt(p + 3);
    all |= a | b | c | d;
    w[j] = (a << 24) | (b << 16) | (c << 8) | d;
  }
  let last = 0x80 << (24 - ((length & 3) << 3));
  // Stryker disable next-line EqualityOperator: equivalent, charCodeAt(length) is NaN and ORs in 0
  for (let k = j << 2, shift = 24; k < length; k++, shift -= 8) {
    const code = text.charCodeAt(k);
    all |= code;
    last |= code << shift;
  }
  w[j++] = last;
  // Stryker disable next-line EqualityOperator: equivalent, w[14] is set next
  for (; j < 14; j++) w[j] = 0;
  if (all > 0x7f) return false;
  w[14] = Math.floor((before + length) / 0x20000000);
  w[15] = ((before + length) * 8) | 0;
  compress(state, w);
  return true;
}

/** `finishAscii` for strings longer than one block can finish. */
function finishLongAscii(state: Int32Array, w: Int32Array, text: string, before: number): boolean {
  const length = text.length;
  let at = 0;
  for (; at + 64 <= length; at += 64) {
    // Stryker disable next-line EqualityOperator: equivalent, w[16] is scratch, and characters past the block are read again next
    for (let j = 0; j < 16; j++) {
      const p = at + (j << 2);
      const a = text.charCodeAt(p);
      const b = text.charCodeAt(p + 1);
      const c = text.charCodeAt(p + 2);
      const d = text.charCodeAt(p + 3);
      if ((a | b | c | d) > 0x7f) return false;
      w[j] = (a << 24) | (b << 16) | (c << 8) | d;
    }
    compress(state, w);
  }
  w.fill(0, 0, 16);
  const used = length - at;
  // Stryker disable next-line EqualityOperator: equivalent, charCodeAt(length) is NaN: neither above 0x7f nor a bit
  for (let k = 0; k < used; k++) {
    const code = text.charCodeAt(at + k);
    if (code > 0x7f) return false;
    w[k >> 2] = w[k >> 2]! | (code << (24 - ((k & 3) << 3)));
  }
  finish(state, w, used, before + length);
  return true;
}

/** Writes the 8 words of `state` big-endian into `out` (32 bytes) at `offset`. */
export function writeDigest(state: Int32Array, out: Uint8Array, offset = 0): void {
  for (let i = 0; i < 8; i++) {
    const word = state[i]!;
    const p = offset + (i << 2);
    out[p] = word >>> 24;
    out[p + 1] = word >>> 16;
    out[p + 2] = word >>> 8;
    out[p + 3] = word;
  }
}

/** SHA-256 of `bytes`: a new 32-byte digest. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const state = initialState();
  finishBytes(state, blockBuffer(), bytes, 0);
  const out = new Uint8Array(32);
  writeDigest(state, out);
  return out;
}
