import { monotonicFactory } from 'ulid';

/**
 * @internal ULIDs from a monotonic factory fed by a pooled random source:
 * one `random(1024)` call serves 256 draws, instead of one call per draw as
 * `ulid()`'s default source does.
 */
export function createIdFactory(random: (length: number) => Uint8Array, now: () => number): () => string {
  let pool = new Uint32Array(0);
  let next = 0;
  const prng = (): number => {
    if (next >= pool.length) {
      const bytes = random(1024);
      // Copy into a fresh buffer: a view of the caller's bytes may be unaligned.
      pool = new Uint32Array(bytes.slice(0, bytes.length - (bytes.length % 4)).buffer);
      next = 0;
    }
    return pool[next++]! / 4294967296;
  };
  const factory = monotonicFactory(prng);
  return () => factory(now());
}
