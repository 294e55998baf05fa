/**
 * Shared pieces of the PostgreSQL tests: a migrated schema per file, token
 * services on it, and small outcome counters for races.
 */
import type pg from 'pg';
import { TokenError } from '../../src/core/errors.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { type Harness, makeHarness } from '../support/service.js';

/** Migrates `schema` and returns a service harness on a PostgreSQL repository there. */
export async function pgHarness(
  pool: pg.Pool,
  schema: string,
  overrides: Partial<TokenServiceOptions> & { repository?: TokenRepository } = {},
): Promise<Harness> {
  await migrate(pool, { schema });
  return makeHarness({ repository: postgresRepository({ pool, schema }), ...overrides });
}

/** The code of a rejected call's `TokenError` (throws if it was not one). */
export function errorCode(reason: unknown): string {
  if (reason instanceof TokenError) return reason.code;
  throw reason;
}

/** Fulfilled values and the codes of the rejections of `Promise.allSettled` results. */
export function outcomes<T>(results: readonly PromiseSettledResult<T>[]): { values: T[]; codes: string[] } {
  const values: T[] = [];
  const codes: string[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') values.push(result.value);
    else codes.push(errorCode(result.reason));
  }
  return { values, codes };
}

/** Resolves with the settled outcome of `promise`: the code of its TokenError, or 'ok'. */
export async function settle(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return errorCode(error);
  }
}

/**
 * A gate for `parties` calls, possibly on several repositories (several
 * instances): `hold(repository, method)` wraps a repository so that its calls
 * of `method` wait until `parties` such calls have arrived across every
 * wrapped repository, then all go at once. Every racer has done its reads
 * before any of them writes, so the database alone must pick the winner.
 */
export function barrier(parties: number): {
  hold<R extends TokenRepository>(repository: R, method: keyof TokenRepository): R;
} {
  let arrived = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return {
    hold<R extends TokenRepository>(repository: R, method: keyof TokenRepository): R {
      return new Proxy(repository, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          if (key !== method || typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            arrived++;
            if (arrived >= parties) open();
            await gate;
            return value.apply(target, args);
          };
        },
      });
    },
  };
}

/** Holds the first `parties` calls of `method` until all of them have arrived (see `barrier`). */
export function withBarrier<K extends keyof TokenRepository>(
  repository: TokenRepository,
  method: K,
  parties: number,
): TokenRepository {
  return barrier(parties).hold(repository, method);
}
