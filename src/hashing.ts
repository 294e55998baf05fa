import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8 } from './encoding.js';
import { TokenError } from './errors.js';
import type { KeyedHasherFactory, PepperSet } from './service-types.js';

/**
 * HMAC-SHA-256 on @noble/hashes. The keyed state (the inner and outer pads)
 * is computed once per key; each message copies it into one reused scratch
 * instance (`_cloneInto`), so a call allocates only its 32-byte result.
 * Safe because the returned function runs to completion synchronously.
 */
export const nobleHasher: KeyedHasherFactory = (key) => {
  const keyed = hmac.create(sha256, key);
  const scratch = keyed.clone();
  return (message) => {
    keyed._cloneInto(scratch);
    scratch.update(message);
    const out = new Uint8Array(32);
    scratch.digestInto(out);
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
  /** base64url HMAC of `secret` under pepper `version`, or null if that version is not configured. */
  hash(secret: string, version: number): string | null;
  /**
   * Whether `secret` hashes to `stored` (a base64url HMAC) under `version`,
   * in time independent of where they differ. The hot path of verification:
   * it compares bytes and builds no strings.
   */
  matches(secret: string, version: number, stored: string): boolean;
}

const B64URL_VALUES = (() => {
  const table = new Int16Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/** The 43-character base64url form of a 32-byte digest, decoded into `out`; false if malformed. */
function decodeDigest(text: string, out: Uint8Array): boolean {
  if (text.length !== 43) return false;
  let bits = 0;
  let value = 0;
  let index = 0;
  for (let i = 0; i < 43; i++) {
    const code = text.charCodeAt(i);
    const sextet = code < 128 ? B64URL_VALUES[code]! : -1;
    if (sextet < 0) return false;
    value = (value << 6) | sextet;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >>> bits) & 0xff;
    }
  }
  return index === 32;
}

/**
 * Writes an ASCII string's bytes into `scratch` without allocating; other
 * strings are UTF-8 encoded. The hashers copy their input, so reuse is safe.
 */
function messageBytes(text: string, scratch: Uint8Array): Uint8Array {
  if (text.length > scratch.length) return utf8(text);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return utf8(text);
    scratch[i] = code;
  }
  return scratch.subarray(0, text.length);
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
  const keyed = new Map<number, (message: Uint8Array) => Uint8Array>();
  for (const [key, value] of Object.entries(set.peppers)) {
    const version = Number(key);
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new TokenError('invalid_request', 'pepper versions must be non-negative integers', { field: 'pepper' });
    }
    keyed.set(version, hasher(pepperBytes(value, version)));
  }
  if (!keyed.has(set.current)) {
    throw new TokenError('invalid_request', 'the current pepper version is not among the peppers', { field: 'pepper' });
  }
  const scratch = new Uint8Array(256);
  const expected = new Uint8Array(32);
  return {
    current: set.current,
    versions: [...keyed.keys()],
    hash(secret, version) {
      const mac = keyed.get(version);
      return mac === undefined ? null : toBase64Url(mac(messageBytes(secret, scratch)));
    },
    matches(secret, version, stored) {
      const mac = keyed.get(version);
      if (mac === undefined || !decodeDigest(stored, expected)) return false;
      const actual = mac(messageBytes(secret, scratch));
      if (actual.length !== 32) return false;
      let diff = 0;
      for (let i = 0; i < 32; i++) diff |= actual[i]! ^ expected[i]!;
      return diff === 0;
    },
  };
}
