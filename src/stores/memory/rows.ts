/**
 * @internal The memory repository's rows: one row per stored token, kept in
 * columns rather than as one object per token (issue 12).
 *
 * A frozen object of a record's 19 fields costs 176 bytes before its
 * strings, and every time in it is a 16-byte boxed number; a row here is
 * 8 references (64 bytes), 4 times as raw doubles (32 bytes), 14 32-bit
 * integers (56 bytes, the token id and its first event's id among them)
 * and the stored hash as the digest's 8 words (32 bytes, where its
 * 43-character text was a string of 64 bytes and a reference), in chunks of
 * `CHUNK` rows so that growing never copies and leaves at most one chunk
 * unused. `table.ts` turns a row back into a `TokenRecord` on every read.
 *
 * Times are epoch milliseconds, with NaN for null (no stored time is NaN).
 */

/** Rows per chunk. */
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
/** The offset of a slot within its chunk: `slot & IN_CHUNK`. */
export const IN_CHUNK = CHUNK - 1;

/** The reference columns of a row. */
export const REF = {
  name: 0,
  grants: 1,
  createdBy: 2,
  /** The fields no column holds (see `table.ts`), frozen, or null. */
  rest: 3,
  /** The first event's type, operation, detail and actor (see `events.ts`), or null. */
  eventShape: 4,
  /**
   * The token id's text, flat: verification hands out this one string for
   * the row rather than the slice of each token string, so the last-used
   * bookkeeping's map finds it by identity with its hash already computed
   * (a map lookup by a new string costs about 0.1 µs of hashing and
   * comparing; issue 12). Reads no longer spell the id from its words.
   */
  id: 5,
  /**
   * The token's tenant and owner, the namespace's internalized strings
   * (`namespaces.ts`), never changed after the insert. Copied into the row
   * although the namespace holds them: verification reads them from the
   * row it has in hand instead of from the namespace object, two dependent
   * cache misses fewer per verification at a million tokens (the namespace
   * list, then the namespace; issue 12, round 4). 16 bytes a token.
   */
  tenant: 6,
  owner: 7,
} as const;
export const REFS = 8;

/**
 * Words of the hash column per row: the stored secret hash as the digest's
 * eight big-endian 32-bit words (`digestTextToWords`), all zero when the
 * row's hash is not a digest's text (it is then kept in the row's rest).
 * Eight words are 32 bytes, so a row's hash never straddles a cache line.
 */
export const HASH_WORDS = 8;

/** The time columns of a row. */
export const TIME = {
  createdAt: 0,
  expiresAt: 1,
  revokedAt: 2,
  lastUsedAt: 3,
} as const;
export const TIMES = 4;

/** The integer columns of a row. */
export const INT = {
  /** The row's namespace, by its number (`namespaces.ts`). */
  namespace: 0,
  /** `TYPE_CODES` index of the type. */
  type: 1,
  pepperVersion: 2,
  version: 3,
  /** The next row of the same namespace, newest first; -1 at the end. */
  chain: 4,
  /** The first event's `at` minus `createdAt`; `NO_EVENT` when the row holds no event (`events.ts`). */
  eventAt: 5,
  /** The token id as four 32-bit words (`ulid-words.ts`, `id-index.ts`). */
  id: 6,
  /** The first event's id as four 32-bit words. */
  eventId: 10,
} as const;
export const INTS = 14;

/** The `eventAt` column of a row without an event. */
export const NO_EVENT = -0x80000000;

/** One chunk of rows: row `o` of it has its columns at `o * REFS`, `o * TIMES`, `o * INTS` and `o * HASH_WORDS`. */
export interface Chunk {
  readonly refs: unknown[];
  readonly times: Float64Array;
  readonly ints: Int32Array;
  readonly hashes: Int32Array;
}

function emptyInts(rows: number): Int32Array {
  const ints = new Int32Array(rows * INTS);
  for (let i = INT.eventAt; i < ints.length; i += INTS) ints[i] = NO_EVENT;
  return ints;
}

function newChunk(): Chunk {
  return {
    refs: new Array<unknown>(CHUNK * REFS).fill(null),
    times: new Float64Array(CHUNK * TIMES).fill(Number.NaN),
    ints: emptyInts(CHUNK),
    hashes: new Int32Array(CHUNK * HASH_WORDS),
  };
}

/** A store of rows addressed by slot number; freed slots are reused. */
export class Rows {
  private readonly chunks: Chunk[] = [];
  private readonly free: number[] = [];
  private next = 0;

  /** A fresh row: references null, times NaN, integers 0. */
  allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const slot = this.next++;
    if (slot >>> CHUNK_BITS === this.chunks.length) this.chunks.push(newChunk());
    return slot;
  }

  /** Clears a row and makes its slot available again. */
  release(slot: number): void {
    const chunk = this.chunks[slot >>> CHUNK_BITS]!;
    const at = slot & IN_CHUNK;
    chunk.refs.fill(null, at * REFS, at * REFS + REFS);
    chunk.times.fill(Number.NaN, at * TIMES, at * TIMES + TIMES);
    chunk.ints.fill(0, at * INTS, at * INTS + INTS);
    chunk.ints[at * INTS + INT.eventAt] = NO_EVENT;
    // Stryker disable next-line all: equivalent, `write` sets every word of a row's hash before it is read (tidiness)
    chunk.hashes.fill(0, at * HASH_WORDS, at * HASH_WORDS + HASH_WORDS);
    this.free.push(slot);
  }

  /** One past the highest slot ever used: slots below it are rows or free. */
  get extent(): number {
    return this.next;
  }

  ref(slot: number, column: number): unknown {
    return this.chunks[slot >>> CHUNK_BITS]!.refs[(slot & IN_CHUNK) * REFS + column];
  }

  setRef(slot: number, column: number, value: unknown): void {
    this.chunks[slot >>> CHUNK_BITS]!.refs[(slot & IN_CHUNK) * REFS + column] = value;
  }

  /** A time column: epoch milliseconds, or NaN for null. */
  time(slot: number, column: number): number {
    return this.chunks[slot >>> CHUNK_BITS]!.times[(slot & IN_CHUNK) * TIMES + column]!;
  }

  setTime(slot: number, column: number, value: number | null): void {
    this.chunks[slot >>> CHUNK_BITS]!.times[(slot & IN_CHUNK) * TIMES + column] = value ?? Number.NaN;
  }

  int(slot: number, column: number): number {
    return this.chunks[slot >>> CHUNK_BITS]!.ints[(slot & IN_CHUNK) * INTS + column]!;
  }

  setInt(slot: number, column: number, value: number): void {
    this.chunks[slot >>> CHUNK_BITS]!.ints[(slot & IN_CHUNK) * INTS + column] = value;
  }

  /** The chunk of a row, for readers that take many of its columns at once (offset `slot & IN_CHUNK`). */
  chunk(slot: number): Chunk {
    return this.chunks[slot >>> CHUNK_BITS]!;
  }
}

/** A time column's value as the record field: null for NaN. */
export function timeOrNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** Whether an integer field fits its 32-bit column exactly (others go to the row's rest). */
export function fitsInt(value: unknown): value is number {
  return typeof value === 'number' && (value | 0) === value && !Object.is(value, -0);
}

/** Whether a time field fits its column: null, or a number that is not NaN. */
export function fitsTime(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && !Number.isNaN(value));
}
