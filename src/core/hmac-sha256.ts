/**
 * @internal HMAC-SHA-256 (RFC 2104) under one fixed key, on the compression
 * function of `sha256.ts`.
 *
 * HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m)), where K' is the key
 * zero-padded to one block (hashed first when longer than a block). Both
 * padded keys fill exactly one block, so their compressions are done once
 * here and kept as the inner and outer states; a message then costs the
 * compressions of its own blocks plus one for the outer hash — two for a
 * token secret. The key itself is not kept.
 */
import { utf8 } from './encoding.js';
import { SECRET_WORDS, takeParsedSecret } from './secret-block.js';
import { blockBuffer, compress, finishAscii, finishBytes, initialState, sha256 } from './sha256.js';

const BLOCK_BYTES = 64;
const IPAD = 0x36363636;
const OPAD = 0x5c5c5c5c;

/** The state after compressing the padded key XOR `pad`, a byte repeated in all four lanes of a word. */
function padState(key: Uint8Array, pad: number, w: Int32Array): Int32Array {
  w.fill(0, 0, 16);
  // Stryker disable next-line EqualityOperator: equivalent, key[key.length] is undefined and ORs in 0 (docs/testing.md)
  for (let i = 0; i < key.length; i++) w[i >> 2] = w[i >> 2]! | (key[i]! << (24 - ((i & 3) << 3)));
  // Stryker disable next-line EqualityOperator: equivalent, w[16] is schedule scratch that compress overwrites
  for (let j = 0; j < 16; j++) w[j] = w[j]! ^ pad;
  const state = initialState();
  compress(state, w);
  return state;
}

/**
 * HMAC-SHA-256 under a fixed key. One instance owns its scratch buffers, so
 * it serves one caller at a time; every method runs to completion
 * synchronously, which makes that any number of callers on one thread.
 */
export class HmacSha256 {
  readonly #inner: Int32Array;
  readonly #outer: Int32Array;
  readonly #w = blockBuffer();
  /** The digest of the last message, as 8 big-endian words. Valid until the next call. */
  readonly digest = new Int32Array(8);

  /** `key`: any length (RFC 2104: longer than a block is hashed first). It is not kept. */
  constructor(key: Uint8Array) {
    const block = key.length > BLOCK_BYTES ? sha256(key) : key;
    this.#inner = padState(block, IPAD, this.#w);
    this.#outer = padState(block, OPAD, this.#w);
    // The padded key is derived from the pepper: do not leave it in scratch.
    this.#w.fill(0);
  }

  /** HMAC of `message` into `digest`. */
  update(message: Uint8Array): Int32Array {
    finishBytes(this.#startInner(), this.#w, message, BLOCK_BYTES);
    return this.#finishOuter();
  }

  /**
   * HMAC of the UTF-8 bytes of `text` into `digest`. Lone surrogates count
   * as U+FFFD, as `TextEncoder` has it. An ASCII string is read straight
   * from its character codes into the block (for a token secret: one block,
   * nothing allocated); any other string is encoded first. The secret of
   * the token parsed last is not read at all: its block words are taken
   * from the parse (`secret-block.ts`).
   */
  updateText(text: string): Int32Array {
    const w = this.#w;
    // Stryker disable next-line BlockStatement: equivalent, the string's own characters give the same block (a fast path)
    if (takeParsedSecret(text, w)) {
      // The parse has put the secret's characters and the 0x80 byte in w[0…7] (secret-block.ts).
      // Stryker disable next-line EqualityOperator: equivalent, w[15] is set next
      for (let i = SECRET_WORDS; i < 15; i++) w[i] = 0;
      w[15] = (BLOCK_BYTES + text.length) * 8;
      compress(this.#startInner(), w);
      return this.#finishOuter();
    }
    // Stryker disable next-line ConditionalExpression: equivalent, the encoded path gives the same digest (a fast path)
    if (!finishAscii(this.#startInner(), w, text, BLOCK_BYTES)) {
      finishBytes(this.#startInner(), w, utf8(text), BLOCK_BYTES);
    }
    return this.#finishOuter();
  }

  /**
   * The outer hash over the inner digest in `digest`: one block of the 8
   * digest words, 0x80 and the bit length 768. Short loops rather than
   * `set`/`fill`: for eight words they are several times cheaper.
   */
  #finishOuter(): Int32Array {
    const state = this.digest;
    const outer = this.#outer;
    const w = this.#w;
    // Stryker disable next-line EqualityOperator: equivalent, index 8 writes w[8] (set next) and state[8] (dropped)
    for (let i = 0; i < 8; i++) {
      w[i] = state[i]!;
      state[i] = outer[i]!;
    }
    w[8] = 0x80000000;
    // Stryker disable next-line EqualityOperator: equivalent, w[15] is set next
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (BLOCK_BYTES + 32) * 8;
    compress(state, w);
    return state;
  }

  /** Starts `digest` from the inner state. */
  #startInner(): Int32Array {
    const state = this.digest;
    const inner = this.#inner;
    // Stryker disable next-line EqualityOperator: equivalent, state[8] is past the end, and a typed array drops the write
    for (let i = 0; i < 8; i++) state[i] = inner[i]!;
    return state;
  }
}
