import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';

/**
 * A memory store without `touchSync`: the service sends its uses through the
 * batched last-used bookkeeping (src/service/touch.ts), as it does for every
 * store that writes elsewhere (SQLite, PostgreSQL). The tests of the batches
 * run on it; the memory store itself writes uses in place (issue 12).
 */
export function batchedMemory(): TokenRepository {
  const { touchSync: _inPlace, ...rest } = memoryRepository();
  return rest;
}
