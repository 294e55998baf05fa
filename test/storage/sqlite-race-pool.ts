/**
 * A pool of worker threads, each a separate SQLite client, and `race`,
 * which hands one call to each, waits until all have opened their
 * connections, then releases them at one instant. Starting a worker (and
 * its TypeScript loader) takes a while on a small machine, so one pool
 * serves every test of a file.
 */
import { Worker } from 'node:worker_threads';
import type { RaceCall, RaceJob, RaceOutcome } from './sqlite-race-worker.js';

export type { RaceCall, RaceOutcome };

/** Starts `count` clients and waits until every one is ready. */
export async function startPool(count: number): Promise<Worker[]> {
  const pool = Array.from(
    { length: count },
    () =>
      new Worker(new URL('./ts-worker.mjs', import.meta.url), {
        workerData: { entry: new URL('./sqlite-race-worker.ts', import.meta.url).href },
      }),
  );
  await Promise.all(
    pool.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        }),
    ),
  );
  return pool;
}

/** Runs `calls[i]` on client `i`, all released at once on the database `file`. */
export async function race(pool: readonly Worker[], file: string, calls: readonly RaceCall[]): Promise<RaceOutcome[]> {
  if (calls.length > pool.length) throw new Error('more calls than clients');
  const shared = new SharedArrayBuffer(16);
  const barrier = new Int32Array(shared);
  Atomics.store(barrier, 3, calls.length);
  let failure: unknown = null;
  const outcomes = calls.map((call, i) => {
    const worker = pool[i]!;
    const outcome = new Promise<RaceOutcome>((resolve, reject) => {
      const onError = (error: unknown): void => reject(error);
      worker.once('error', onError);
      worker.once('message', (message: RaceOutcome) => {
        worker.off('error', onError);
        resolve(message);
      });
    });
    outcome.catch((error: unknown) => {
      failure ??= error;
    });
    worker.postMessage({ ...call, file, barrier: shared } satisfies RaceJob);
    return outcome;
  });
  const deadline = Date.now() + 20_000;
  while (Atomics.load(barrier, 0) < calls.length) {
    if (failure !== null) throw failure;
    if (Date.now() > deadline) throw new Error('race clients did not open their connections');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  Atomics.store(barrier, 1, 1);
  Atomics.notify(barrier, 1);
  return Promise.all(outcomes);
}

/** The values of the calls that succeeded. */
export const successes = (outcomes: readonly RaceOutcome[]): unknown[] =>
  outcomes.filter((outcome) => outcome.ok).map((outcome) => (outcome as { value: unknown }).value);

/** The error codes of the calls that failed. */
export const codes = (outcomes: readonly RaceOutcome[]): string[] =>
  outcomes.filter((outcome) => !outcome.ok).map((outcome) => (outcome as { code: string }).code);
