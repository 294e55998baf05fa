/**
 * A client of the SQLite concurrency tests. Each worker thread serves jobs
 * one at a time: for each it opens its own connection, waits at the job's
 * shared barrier so every client starts at the same instant, makes one
 * repository call, closes the connection and posts the outcome.
 */
import { parentPort } from 'node:worker_threads';
import { TokenError } from '../../src/errors.js';
import type { TokenRepository } from '../../src/repository.js';
import { sqliteRepository } from '../../src/sqlite/index.js';

export interface RaceJob {
  readonly file: string;
  /** Int32Array over a SharedArrayBuffer: [ready count, go flag]. */
  readonly barrier: SharedArrayBuffer;
  readonly method: keyof TokenRepository;
  readonly args: unknown[];
}

export type RaceOutcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

async function run(job: RaceJob): Promise<RaceOutcome> {
  const repository = sqliteRepository({ path: job.file, busyTimeoutMs: 20_000 });
  const barrier = new Int32Array(job.barrier);
  Atomics.add(barrier, 0, 1);
  Atomics.wait(barrier, 1, 0);
  try {
    const call = repository[job.method] as (...args: unknown[]) => Promise<unknown>;
    return { ok: true, value: (await call.apply(repository, job.args)) ?? null };
  } catch (error) {
    return error instanceof TokenError
      ? { ok: false, code: error.code, message: error.message }
      : { ok: false, code: String((error as { code?: unknown }).code ?? 'error'), message: String(error) };
  } finally {
    await repository.close();
  }
}

parentPort!.on('message', (job: RaceJob) => {
  run(job).then(
    (outcome) => parentPort!.postMessage(outcome),
    (error: unknown) => parentPort!.postMessage({ ok: false, code: 'worker', message: String(error) }),
  );
});
parentPort!.postMessage('ready');
