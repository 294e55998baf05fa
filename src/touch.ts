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
 */
import type { TokenRepository, TokenUse } from './repository.js';
import type { TokenRecord } from './types.js';

/**
 * How many token ids the bookkeeping remembers at most, both for the
 * once-per-interval rule and for writes waiting to go out. Past it the
 * oldest remembered id is forgotten (its stored `lastUsedAt` still throttles
 * it) and new uses wait for room. About 100 bytes per id.
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
  /** Writes every pending use now (tests, shutdown). Never rejects. */
  flush(): Promise<void>;
  /** How many ids are remembered and how many uses wait to be written. */
  size(): { readonly remembered: number; readonly pending: number };
}

/** Creates the bookkeeping of one service. `interval` is `touchInterval` in ms. */
export function createUseRecorder(
  repository: TokenRepository,
  interval: number,
  limit: number = USE_TRACKING_LIMIT,
): UseRecorder {
  /** Id → the instant before which it is not written again. Insertion order is (nearly) time order. */
  const remembered = new Map<string, number>();
  const pending = new Map<string, PendingUse>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let lastFlush = Number.NEGATIVE_INFINITY;
  let failedBatches = 0;
  /** The latest use noted: the clock the remembered instants are compared with. */
  let latest = Number.NEGATIVE_INFINITY;

  const note = (record: TokenRecord, at: number): void => {
    if (record.lastUsedAt !== null && at - record.lastUsedAt < interval) return;
    latest = Math.max(latest, at);
    const until = remembered.get(record.id);
    if (until !== undefined && at < until) return;
    // Re-inserted at the end, so the map stays ordered by time and the oldest id comes first.
    remembered.delete(record.id);
    remembered.set(record.id, at + interval);
    if (remembered.size > limit) remembered.delete(remembered.keys().next().value!);
    const waiting = pending.get(record.id);
    if (waiting !== undefined) waiting.at = Math.max(waiting.at, at);
    else if (pending.size < limit) pending.set(record.id, { at, failures: 0 });
    schedule();
  };

  const schedule = (): void => {
    if (timer !== null || running !== null || pending.size === 0) return;
    const wait =
      failedBatches > 0
        ? USE_RETRY_DELAYS_MS[Math.min(failedBatches, USE_RETRY_DELAYS_MS.length) - 1]!
        : Math.max(0, lastFlush + USE_FLUSH_WINDOW_MS - Date.now());
    timer = setTimeout(() => void runBatch(), wait);
    // Bookkeeping never keeps a process alive (Node's timers have `unref`; others need not).
    (timer as { unref?: () => void }).unref?.();
  };

  const runBatch = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (running !== null) return running;
    running = writeBatch().finally(() => {
      running = null;
      lastFlush = Date.now();
      schedule();
    });
    return running;
  };

  const writeBatch = async (): Promise<void> => {
    const batch: TokenUse[] = [];
    const states: PendingUse[] = [];
    for (const [id, use] of pending) {
      if (batch.length === USE_BATCH_LIMIT) break;
      batch.push({ id, at: use.at });
      states.push(use);
    }
    for (const { id } of batch) pending.delete(id);
    const written = await write(batch);
    failedBatches = written < batch.length ? failedBatches + 1 : 0;
    forgetExpired(latest);
    for (let i = written; i < batch.length; i++) retry(batch[i]!, states[i]!);
  };

  /** Writes `batch`; returns how many uses (in order) were written before a failure. */
  const write = async (batch: readonly TokenUse[]): Promise<number> => {
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
        await repository.touch(batch[i]!.id, batch[i]!.at);
      } catch {
        return i;
      }
    }
    return batch.length;
  };

  /** Puts a failed use back, unless it has failed every retry: then the next use of the token writes again. */
  const retry = (use: TokenUse, state: PendingUse): void => {
    const newer = pending.get(use.id);
    if (newer !== undefined) {
      newer.failures = Math.max(newer.failures, state.failures + 1);
      return;
    }
    if (state.failures + 1 > USE_RETRY_DELAYS_MS.length || pending.size >= limit) {
      remembered.delete(use.id);
      return;
    }
    pending.set(use.id, { at: use.at, failures: state.failures + 1 });
  };

  /** Drops remembered ids whose interval is over, oldest first, off the verification path. */
  const forgetExpired = (at: number): void => {
    for (const [id, until] of remembered) {
      if (until > at) return;
      remembered.delete(id);
    }
  };

  const flush = async (): Promise<void> => {
    if (running !== null) await running;
    while (pending.size > 0) {
      await runBatch();
      if (failedBatches > 0) return;
    }
  };

  return { note, flush, size: () => ({ remembered: remembered.size, pending: pending.size }) };
}
