/**
 * `tokenward/memory`: the in-memory token repository, the default store for
 * tests and single-process services.
 */
import { expectKeys } from '../../core/input.js';
import type { TokenRepository } from '../../core/repository.js';
import { changeCalls } from './changes.js';
import { expiringCalls } from './expiring.js';
import { meterCalls } from './meters.js';
import { sideTableCalls } from './side-tables.js';
import { MemoryState } from './state.js';
import { insertCalls, lookupCalls } from './tokens.js';

export { memoryDirectoryStore } from './directory.js';

/**
 * Creates an in-memory `TokenRepository`.
 *
 * Every method does its checks and writes synchronously in one call, so
 * concurrent calls (even many `Promise.all`ed ones) can never interleave
 * between a check and its write: the atomic guarantees of the contract hold
 * by construction within one process. Tokens are kept in compact rows
 * (about 1.45× the heap of a bare `{ id, hash, owner, type, expiresAt }`
 * record per token, its 'issued' event included; docs/performance.md), and
 * every read returns a new record built from its row; `findByIdSync`
 * answers lookups without a promise, so `verify` runs without an `await`,
 * and `touchSync` writes a verification's use in its row at once.
 * A tenant's tokens are kept in listing order, so a page of `list` costs
 * the same at a thousand tokens or a million. Data lives as long as the
 * repository object; use `tokenward/sqlite` or `tokenward/postgres` to keep
 * tokens across restarts or to share them between processes.
 *
 * @example
 * ```ts
 * import { createTokenService } from 'tokenward';
 * import { memoryRepository } from 'tokenward/memory';
 *
 * const tokens = createTokenService({ repository: memoryRepository(), … });
 * ```
 */
export function memoryRepository(...none: []): TokenRepository {
  // It takes no options: a path or a pool given here (from JavaScript) belongs to another store.
  expectKeys((none as unknown[])[0], 'options', []);
  const state = new MemoryState();
  return {
    ...insertCalls(state),
    ...lookupCalls(state),
    ...changeCalls(state),
    ...sideTableCalls(state),
    ...meterCalls(state),
    ...expiringCalls(state),
    async close(): Promise<void> {},
  };
}
