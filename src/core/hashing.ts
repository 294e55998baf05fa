import { digestBytesMatchWords, digestMatchesText, digestMatchesWords } from './digest-text.js';
import { toBase64Url, utf8 } from './encoding.js';
import { TokenError } from './errors.js';
import { HmacSha256 } from './hmac-sha256.js';
import { writeDigest } from './sha256.js';

/** Versioned peppers: rotate by adding a new version and making it current. */
export interface PepperSet {
  readonly current: number;
  readonly peppers: Readonly<Record<number, string | Uint8Array>>;
}

/**
 * Computes HMAC-SHA-256 under a fixed key: called once per pepper version
 * with the pepper's bytes; the returned function is called on every issue
 * and verification with a message's bytes (the UTF-8 of a secret, lone
 * surrogates as U+FFFD) and returns the 32-byte MAC. It should reuse the
 * keyed state, must run synchronously, and must not keep `message`, whose
 * buffer the service reuses. A MAC of any other length never verifies.
 *
 * The default, `portableHasher`, is not called through this interface by
 * the service: it hashes secret strings directly (see `portableHasher`).
 */
export type KeyedHasherFactory = (key: Uint8Array) => (message: Uint8Array) => Uint8Array;

/**
 * The default hasher: HMAC-SHA-256 (RFC 2104) in portable code — no
 * `node:` module, no Web Crypto promise — on our own SHA-256 compression
 * (`sha256.ts`, tested against the FIPS 180-4 and RFC 4231 vectors and
 * against @noble/hashes). The inner and outer states are computed once per
 * key (keys longer than 64 bytes are hashed first); a message of up to 55
 * bytes then costs two compressions. Each call returns a new 32-byte array.
 *
 * Fast path, for this hasher only: as the service's `hasher`, it is not
 * called with bytes at all. The service hashes secret strings directly,
 * reading an ASCII secret's character codes straight into the block, or
 * taking the block words the opaque parse left for the secret it just read
 * (nothing allocated; other strings are UTF-8 encoded first, lone
 * surrogates as U+FFFD like `TextEncoder`), and compares the digest with
 * the stored base64url text without decoding it. A custom hasher, such as
 * `nodeHasher`, receives the secret's UTF-8 bytes instead. All give the
 * same stored hashes.
 *
 * @example
 * ```ts
 * import { portableHasher } from 'tokenward';
 * const key = new TextEncoder().encode(process.env.TOKEN_PEPPER);
 * const mac = portableHasher(key)(new TextEncoder().encode('message')); // 32 bytes
 * ```
 */
export const portableHasher: KeyedHasherFactory = (key) => {
  const mac = new HmacSha256(key);
  return (message) => {
    const out = new Uint8Array(32);
    writeDigest(mac.update(message), out);
    return out;
  };
};

/** Minimum pepper length in bytes: a pepper is a 256-bit key. */
export const MIN_PEPPER_BYTES = 32;

/** @internal Keyed hashing of secrets under versioned peppers. */
export interface PepperRing {
  /** The version new hashes are made with. */
  readonly current: number;
  /** Every configured version. */
  readonly versions: readonly number[];
  /**
   * The stored form of `secret` under pepper `version` — the unpadded
   * base64url text of HMAC-SHA-256(pepper, UTF-8 of `secret`), 43
   * characters — or null if that version is not configured.
   */
  hash(secret: string, version: number): string | null;
  /**
   * Whether `hash(secret, version) === stored`, in time that does not
   * depend on where they differ. The hot path of verification: it builds no
   * strings and does not decode `stored`.
   */
  matches(secret: string, version: number, stored: string): boolean;
  /**
   * `matches` against a stored hash kept as the digest's eight big-endian
   * 32-bit words, `words[at…at+7]` (see `digestTextToWords`), in time that
   * does not depend on where they differ. The memory store keeps hashes so
   * (issue 12): the digest is compared as it comes out of the compression,
   * with no text encoded or decoded.
   */
  matchesWords(secret: string, version: number, words: Int32Array, at: number): boolean;
}

/** The keyed hash of strings under one pepper version. */
interface KeyedText {
  hash(secret: string): string;
  matches(secret: string, stored: string): boolean;
  matchesWords(secret: string, words: Int32Array, at: number): boolean;
}

/** The default hasher's own path: strings go straight into the block (see `HmacSha256.updateText`). */
function portableText(key: Uint8Array): KeyedText {
  const mac = new HmacSha256(key);
  const digest = new Uint8Array(32);
  return {
    hash(secret) {
      writeDigest(mac.updateText(secret), digest);
      return toBase64Url(digest);
    },
    matches(secret, stored) {
      writeDigest(mac.updateText(secret), digest);
      return digestMatchesText(digest, stored);
    },
    matchesWords(secret, words, at) {
      return digestMatchesWords(mac.updateText(secret), words, at);
    },
  };
}

/**
 * The buffer a ring's plugged hashers are handed ASCII text in, and whether
 * a call is using it: a hasher that verifies or issues inside its own call
 * (re-entrancy) must not have its input rewritten or zeroed under it
 * (outside review, issue 12).
 */
interface Scratch {
  readonly bytes: Uint8Array;
  busy: boolean;
}

/** The hasher's answer for the UTF-8 encoding of `text`, zeroed once it has answered. */
function macOfEncoded(mac: (message: Uint8Array) => Uint8Array, text: string): Uint8Array {
  const message = utf8(text);
  try {
    return mac(message);
  } finally {
    message.fill(0);
  }
}

/**
 * Any other hasher sees UTF-8 bytes. An ASCII string is written into a
 * reused buffer (a hasher must not keep its input); others are encoded, as
 * is any text hashed while the buffer is in use by an outer call.
 */
function pluggedText(mac: (message: Uint8Array) => Uint8Array, buffer: Scratch): KeyedText {
  const scratch = buffer.bytes;
  const bytes = (text: string): Uint8Array => {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, encoding gives the same bytes (a fast path)
    if (text.length > scratch.length) return utf8(text);
    // Stryker disable next-line EqualityOperator: equivalent, the byte written past the text is cut off by subarray
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, encoding gives the same bytes
      if (code > 0x7f) return utf8(text);
      scratch[i] = code;
    }
    return scratch.subarray(0, text.length);
  };
  /**
   * The hasher's answer for `text`; whatever buffer it was handed is zeroed
   * again once it has answered (the shared one, or the text's own encoding),
   * so no secret stays in it.
   */
  const macOf = (text: string): Uint8Array => {
    // Stryker disable next-line ConditionalExpression: equivalent in answers, the encoded path hashes the same bytes and zeroes them (only slower)
    if (buffer.busy) return macOfEncoded(mac, text);
    const message = bytes(text);
    buffer.busy = true;
    try {
      return mac(message);
    } finally {
      // Stryker disable next-line BooleanLiteral: equivalent in answers, a buffer left busy sends later calls the encoded way (only slower)
      buffer.busy = false;
      // The buffer handed over: the shared one's view, or the text's own encoding.
      message.fill(0);
      // Up to the text's length: a string found not to be ASCII part-way has left its first characters too.
      // Stryker disable next-line MethodExpression: equivalent, `fill` stops at the buffer's end, so max zeroes the same bytes and more
      scratch.fill(0, 0, Math.min(text.length, scratch.length));
    }
  };
  return {
    hash(secret) {
      return toBase64Url(macOf(secret));
    },
    matches(secret, stored) {
      const digest = macOf(secret);
      return digest.length === 32 && digestMatchesText(digest, stored);
    },
    matchesWords(secret, words, at) {
      return digestBytesMatchWords(macOf(secret), words, at);
    },
  };
}

function pepperBytes(value: unknown, version: number): Uint8Array {
  const bytes = typeof value === 'string' ? utf8(value) : value instanceof Uint8Array ? value : null;
  if (bytes === null || bytes.length < MIN_PEPPER_BYTES) {
    throw new TokenError('invalid_request', `pepper version ${version} must be at least ${MIN_PEPPER_BYTES} bytes`, {
      field: 'pepper',
    });
  }
  return bytes;
}

/** @internal Builds the pepper ring from the service options. */
export function createPepperRing(pepper: unknown, hasher: KeyedHasherFactory): PepperRing {
  let set: PepperSet;
  if (typeof pepper === 'string' || pepper instanceof Uint8Array) {
    set = { current: 1, peppers: { 1: pepper } };
  } else if (typeof pepper === 'object' && pepper !== null && 'current' in pepper && 'peppers' in pepper) {
    set = pepper as PepperSet;
  } else {
    throw new TokenError('invalid_request', 'pepper is required: a secret of at least 32 bytes or a versioned set', {
      field: 'pepper',
    });
  }
  // Stryker disable next-line BooleanLiteral: equivalent in answers, a ring starting busy hashes every text the encoded way (only slower)
  const scratch: Scratch = { bytes: new Uint8Array(256), busy: false };
  const keyed = new Map<number, KeyedText>();
  for (const [key, value] of Object.entries(set.peppers)) {
    const version = Number(key);
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new TokenError('invalid_request', 'pepper versions must be non-negative integers', { field: 'pepper' });
    }
    const bytes = pepperBytes(value, version);
    // Stryker disable next-line ConditionalExpression: equivalent, the general path gives the same hashes (a fast path)
    keyed.set(version, hasher === portableHasher ? portableText(bytes) : pluggedText(hasher(bytes), scratch));
  }
  if (!keyed.has(set.current)) {
    throw new TokenError('invalid_request', 'the current pepper version is not among the peppers', { field: 'pepper' });
  }
  const current = set.current;
  const currentKeyed = keyed.get(current)!;
  // Nearly every check is under the current version: it skips the map (issue 12).
  // Stryker disable next-line ConditionalExpression: equivalent, the map holds the current version's keyed state too (a fast path)
  const keyedOf = (version: number): KeyedText | undefined => (version === current ? currentKeyed : keyed.get(version));
  return {
    current,
    versions: [...keyed.keys()],
    hash: (secret, version) => keyedOf(version)?.hash(secret) ?? null,
    matches: (secret, version, stored) => keyedOf(version)?.matches(secret, stored) ?? false,
    matchesWords: (secret, version, words, at) => keyedOf(version)?.matchesWords(secret, words, at) ?? false,
  };
}
