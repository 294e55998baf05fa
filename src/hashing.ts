import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8 } from './encoding.js';
import { TokenError } from './errors.js';
import type { KeyedHasherFactory, PepperSet } from './service-types.js';

/**
 * HMAC-SHA-256 on @noble/hashes. The keyed state (the inner and outer pads)
 * is computed once per key and cloned per message, so each call costs only
 * the hashing of the message itself.
 */
export const nobleHasher: KeyedHasherFactory = (key) => {
  const keyed = hmac.create(sha256, key);
  return (message) => keyed.clone().update(message).digest();
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
  return {
    current: set.current,
    versions: [...keyed.keys()],
    hash(secret, version) {
      const mac = keyed.get(version);
      return mac === undefined ? null : toBase64Url(mac(utf8(secret)));
    },
  };
}
