/**
 * `tokenward/node`: Node-only helpers. The core stays runtime-agnostic; on
 * Node, pass `nodeHasher` to use OpenSSL's HMAC instead of the portable one.
 *
 * @example
 * ```ts
 * import { createTokenService } from 'tokenward';
 * import { nodeHasher } from 'tokenward/node';
 * const tokens = createTokenService({ repository, pepper, hasher: nodeHasher });
 * ```
 *
 * @packageDocumentation
 */
import { createHmac } from 'node:crypto';
import type { KeyedHasherFactory } from '../core/hashing.js';

/**
 * HMAC-SHA-256 on `node:crypto` (OpenSSL), for deployments that must hash
 * with it (a FIPS policy, say). The key is copied once; each message is a
 * native HMAC. Its hashes equal the default hasher's, so a service can
 * switch between them; for a token secret the default is faster, since a
 * `createHmac` call costs more than the two SHA-256 compressions it saves
 * (figures in docs/performance.md).
 */
export const nodeHasher: KeyedHasherFactory = (key) => {
  const ownKey = Uint8Array.from(key);
  return (message) => {
    const digest = createHmac('sha256', ownKey).update(message).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  };
};
