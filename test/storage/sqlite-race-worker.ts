/**
 * A client of the SQLite race tests. Each worker thread serves jobs one at
 * a time: for each it opens its own connection (and, for service jobs, its
 * own token service on it), waits at the job's shared barrier so every
 * client starts at the same instant, makes one call, closes the connection
 * and posts the outcome.
 */
import { parentPort } from 'node:worker_threads';
import { TokenError } from '../../src/core/errors.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenService } from '../../src/service/token-service.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { makeHarness } from '../support/service.js';

/** One call on a repository, or on a token service, over the file. */
export type RaceCall =
  | {
      readonly kind: 'repository';
      readonly method: keyof TokenRepository;
      readonly args: unknown[];
      /** Open the connection (creating and migrating the file) after the barrier, not before. */
      readonly openAfterBarrier?: boolean;
    }
  | {
      readonly kind: 'service';
      readonly method: 'issue' | 'rotate' | 'revoke' | 'verify' | 'ensureMasterToken' | 'claim';
      readonly args: unknown[];
      readonly maxTokensPerUser?: number;
      /** Users added to the test directory, by name (tenant `acme`). */
      readonly extraUsers?: readonly string[];
      /**
       * Holds the service's call of this repository method until every
       * client has reached it, so that all of them, for example, read the
       * same version before any compare-and-set runs.
       */
      readonly holdAt?: keyof TokenRepository;
    };

export type RaceJob = RaceCall & {
  readonly file: string;
  /** Int32Array over a SharedArrayBuffer: [ready count, go flag, held count, client count]. */
  readonly barrier: SharedArrayBuffer;
};

export type RaceOutcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

// Principals carry methods, which cannot cross threads: keep their data.
function cloneable(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'tokenId' in value && 'can' in value) {
    return { tokenId: (value as { tokenId: string }).tokenId };
  }
  return value ?? null;
}

/** `repository` with `method` held at the barrier until every client has called it. */
function holding(repository: TokenRepository, method: keyof TokenRepository, barrier: Int32Array): TokenRepository {
  const original = repository[method] as (...args: unknown[]) => Promise<unknown>;
  return Object.assign(Object.create(repository) as TokenRepository, {
    [method]: (...args: unknown[]) => {
      Atomics.add(barrier, 2, 1);
      Atomics.notify(barrier, 2);
      const deadline = Date.now() + 10_000;
      for (let held = Atomics.load(barrier, 2); held < Atomics.load(barrier, 3); held = Atomics.load(barrier, 2)) {
        if (Date.now() > deadline) break;
        Atomics.wait(barrier, 2, held, 50);
      }
      return original.apply(repository, args);
    },
  });
}

async function run(job: RaceJob): Promise<RaceOutcome> {
  const barrier = new Int32Array(job.barrier);
  if (job.kind === 'repository' && job.openAfterBarrier === true) {
    Atomics.add(barrier, 0, 1);
    Atomics.wait(barrier, 1, 0);
    try {
      const repository = sqliteRepository({ path: job.file, busyTimeoutMs: 20_000 });
      const call = repository[job.method] as (...args: unknown[]) => Promise<unknown>;
      const value = await call.apply(repository, job.args);
      await repository.close();
      return { ok: true, value: value ?? null };
    } catch (error) {
      return { ok: false, code: String((error as { code?: unknown }).code ?? 'error'), message: String(error) };
    }
  }
  // Spends wait as long as other changes: these tests count outcomes, not how long a spend may block.
  const repository = sqliteRepository({ path: job.file, busyTimeoutMs: 20_000, spendTimeoutMs: 20_000 });
  let target: TokenRepository | TokenService = repository;
  if (job.kind === 'service') {
    const h = makeHarness({
      repository: job.holdAt === undefined ? repository : holding(repository, job.holdAt, barrier),
      ...(job.maxTokensPerUser === undefined ? {} : { policy: { maxTokensPerUser: job.maxTokensPerUser } }),
    });
    for (const user of job.extraUsers ?? []) h.users.acme![user] = { grants: 'all' };
    target = h.service;
  }
  Atomics.add(barrier, 0, 1);
  Atomics.wait(barrier, 1, 0);
  try {
    const call = (target as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[job.method]!;
    return { ok: true, value: cloneable(await call.apply(target, job.args)) };
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
