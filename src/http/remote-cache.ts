/** @internal The remote verifier's bounded cache of platform answers, and its keys. */
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8 } from '../core/encoding.js';
import type { Principal } from '../core/principal-types.js';

/**
 * What the verifier keeps of a token, as its cache key and to match local
 * verification tokens: the base64url text of its SHA-256, never the token.
 */
export function tokenDigest(token: string): string {
  return toBase64Url(sha256(utf8(token)));
}

/** One answer of the platform, kept until `until` (epoch ms). */
export interface CachedAnswer {
  /** null: the platform said "not active". */
  readonly principal: Principal | null;
  readonly until: number;
}

/** A bounded map that forgets its least recently used entries. */
export class BoundedCache {
  private readonly entries = new Map<string, CachedAnswer>();
  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The entry of `key` if it is still valid at `now`; a hit becomes the most recently used. */
  get(key: string, now: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.until <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedAnswer): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
