/**
 * @internal Last-used bookkeeping: takes `lastUsedAt` writes off the
 * verification path (issue 9, findings 2 and 3).
 *
 * `verify` only notes a use here, synchronously and without touching the
 * repository. The writes go out later, batched, on a timer of their own, so
 * a store that is slow or locked (a SQLite file another process is writing)
 * never delays a verification or blocks the event loop on its behalf.
 *
 * At most one write per `touchInterval` per token per process: the ids
 * written recently are remembered for one interval, so a verification whose
 * read started before the previous write landed (and so still sees the old
 * `lastUsedAt`) does not write again, however long the store takes.
 *
 * A store that writes in place (`touchSync`: the memory store) needs none
 * of this (issue 12): its use is written at once, in the row verification
 * has just read, and the stored `lastUsedAt` alone keeps it to once per
 * interval. The maps above cost up to six lookups per verification, each a
 * cache miss among 100,000 ids; the write costs one column store. A
 * `touchSync` that throws hands that use to the batched bookkeeping.
 */
import type { TokenRepository, TokenUse } from '../core/repository.js';
import type { TokenRecord } from '../core/types.js';

/**
 * How many token ids the bookkeeping remembers at most, both for the
 * once-per-interval rule and for writes waiting to go out. Past it the
 * oldest remembered id is forgotten (its stored `lastUsedAt` still throttles
 * it) and new uses wait for room. About 90 bytes of heap per id (measured)
 * plus the id string: 10–15 MB at the limit.
 */
export const USE_TRACKING_LIMIT = 100_000;
/** The shortest time between two batches, in ms: at most 10 batches a second. */
export const USE_FLUSH_WINDOW_MS = 100;
/** The most uses one repository call writes. */
export const USE_BATCH_LIMIT = 500;
/** Waits before each retry of a failed batch, in ms; a use that fails them all is dropped. */
export const USE_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000];

interface PendingUse {
  at: number;
  /** Failed writes so far. */
  failures: number;
}

/** What the service keeps of a use recorder. */
export interface UseRecorder {
  /** Notes a verified use. Never calls the repository and never throws. */
  note(record: TokenRecord, at: number): void;
  /** Writes every pending use now (tests, shutdown); stops at the first failure. Never rejects. */
  flush(): Promise<void>;
  /** How many ids are remembered and how many uses wait to be written. */
  size(): { readonly remembered: number; readonly pending: number };
}

/**
 * Creates the bookkeeping of one service. `interval` is `touchInterval` in
 * ms. Uses go to `repository.touchSync` when the store has it, else (and
 * whenever it throws) to batches written off the verification path.
 */
export function createUseRecorder(
  repository: TokenRepository,
  interval: number,
  limit: number = USE_TRACKING_LIMIT,
): UseRecorder {
  const batched = new Recorder(repository, interval, limit);
  return repository.touchSync === undefined ? batched : new InPlaceUses(repository, interval, batched);
}

/** Uses written in place by the store's `touchSync`; the batches only take those it throws on. */
class InPlaceUses implements UseRecorder {
  constructor(
    private readonly repository: TokenRepository,
    private readonly interval: number,
    private readonly batched: Recorder,
  ) {}

  note(record: TokenRecord, at: number): void {
    // The stored `lastUsedAt` is the throttle: once written, the row says so to the next verification.
    if (record.lastUsedAt !== null && at - record.lastUsedAt < this.interval) return;
    try {
      this.repository.touchSync!(record.id, at);
    } catch {
      // Bookkeeping never fails a verification: the use goes out with the batches instead.
      this.batched.note(record, at);
    }
  }

  flush(): Promise<void> {
    return this.batched.flush();
  }

  size(): { readonly remembered: number; readonly pending: number } {
    return this.batched.size();
  }
}

/** Writes `batch`; returns how many uses (in order) were written before a failure. */
async function writeUses(repository: TokenRepository, batch: readonly TokenUse[]): Promise<number> {
  if (repository.touchMany !== undefined) {
    try {
      await repository.touchMany(batch);
      return batch.length;
    } catch {
      return 0;
    }
  }
  for (let i = 0; i < batch.length; i++) {
    try {
      // A store that throws synchronously is caught here too.
      await repository.touch(batch[i]!.id, batch[i]!.at);
    } catch {
      return i;
    }
  }
  return batch.length;
}

class Recorder implements UseRecorder {
  /** Id → the instant before which it is not written again. Insertion order is (nearly) time order. */
  private readonly remembered = new Map<string, number>();
  private readonly pending = new Map<string, PendingUse>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private lastBatch = Number.NEGATIVE_INFINITY;
  private failedBatches = 0;
  /** The latest use noted: the clock the remembered instants are compared with. */
  private latest = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly repository: TokenRepository,
    private readonly interval: number,
    private readonly limit: number,
  ) {}

  note(record: TokenRecord, at: number): void {
    if (record.lastUsedAt !== null && at - record.lastUsedAt < this.interval) return;
    this.latest = Math.max(this.latest, at);
    const until = this.remembered.get(record.id);
    if (until !== undefined && at < until) return;
    // Re-inserted at the end, so the map stays ordered by time and the oldest id comes first.
    this.remembered.delete(record.id);
    this.remembered.set(record.id, at + this.interval);
    if (this.remembered.size > this.limit) this.remembered.delete(this.remembered.keys().next().value!);
    const waiting = this.pending.get(record.id);
    if (waiting !== undefined) waiting.at = Math.max(waiting.at, at);
    else if (this.pending.size < this.limit) this.pending.set(record.id, { at, failures: 0 });
    this.schedule();
  }

  async flush(): Promise<void> {
    if (this.running !== null) await this.running;
    while (this.pending.size > 0) {
      await this.runBatch();
      if (this.failedBatches > 0) return;
    }
  }

  size(): { readonly remembered: number; readonly pending: number } {
    return { remembered: this.remembered.size, pending: this.pending.size };
  }

  private schedule(): void {
    if (this.timer !== null || this.running !== null || this.pending.size === 0) return;
    const wait =
      this.failedBatches > 0
        ? USE_RETRY_DELAYS_MS[Math.min(this.failedBatches, USE_RETRY_DELAYS_MS.length) - 1]!
        : Math.max(0, this.lastBatch + USE_FLUSH_WINDOW_MS - Date.now());
    this.timer = setTimeout(() => void this.runBatch(), wait);
    // Bookkeeping never keeps a process alive (Node's timers have `unref`; others need not).
    (this.timer as { unref?: () => void }).unref?.();
  }

  private runBatch(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.running ??= this.writeBatch().finally(() => {
      this.running = null;
      this.lastBatch = Date.now();
      this.schedule();
    });
    return this.running;
  }

  private async writeBatch(): Promise<void> {
    const batch: TokenUse[] = [];
    const states: PendingUse[] = [];
    for (const [id, use] of this.pending) {
      if (batch.length === USE_BATCH_LIMIT) break;
      batch.push({ id, at: use.at });
      states.push(use);
    }
    for (const { id } of batch) this.pending.delete(id);
    const written = await writeUses(this.repository, batch);
    this.failedBatches = written < batch.length ? this.failedBatches + 1 : 0;
    this.forgetExpired();
    for (let i = written; i < batch.length; i++) this.retry(batch[i]!, states[i]!);
  }

  /** Puts a failed use back, unless it has failed every retry: then the next use of the token writes again. */
  private retry(use: TokenUse, state: PendingUse): void {
    const newer = this.pending.get(use.id);
    if (newer !== undefined) {
      newer.failures = Math.max(newer.failures, state.failures + 1);
      return;
    }
    if (state.failures + 1 > USE_RETRY_DELAYS_MS.length || this.pending.size >= this.limit) {
      this.remembered.delete(use.id);
      return;
    }
    this.pending.set(use.id, { at: use.at, failures: state.failures + 1 });
  }

  /** Drops remembered ids whose interval is over, oldest first, off the verification path. */
  private forgetExpired(): void {
    for (const [id, until] of this.remembered) {
      if (until > this.latest) return;
      this.remembered.delete(id);
    }
  }
}
