/** @internal The memory repository's expiry-warning markers (`markExpiring`, issue 13). */
import type { ExpiringMarkQuery, TokenRepository } from '../../core/repository.js';
import type { TokenRecord } from '../../core/types.js';
import { checkPageLimit, compareSoonestFirst, expiryKey } from '../shared/paging.js';
import { type MemoryState, warningKey } from './state.js';

/** True when `record` is due a warning for `query` that it has not had. */
function due(state: MemoryState, record: TokenRecord, query: ExpiringMarkQuery): boolean {
  const { expiresAt } = record;
  if (record.revokedAt !== null || !record.enabled || expiresAt === null) return false;
  if (expiresAt <= query.now || expiresAt > query.now + query.within) return false;
  return !state.warnings.has(warningKey(record.id, query.within, expiresAt));
}

export function expiringCalls(state: MemoryState): Pick<TokenRepository, 'markExpiring'> {
  return {
    // A scan of every token: maintenance runs it once per pass, not per request.
    async markExpiring(query: ExpiringMarkQuery): Promise<TokenRecord[]> {
      checkPageLimit(query.limit);
      const found: TokenRecord[] = [];
      for (const record of state.tokens.values()) if (due(state, record, query)) found.push(record);
      found.sort((a, b) => compareSoonestFirst(expiryKey(a), expiryKey(b)));
      const marked = found.slice(0, query.limit);
      for (const record of marked) {
        state.warnings.set(warningKey(record.id, query.within, record.expiresAt!), record.expiresAt!);
      }
      return marked;
    },
  };
}
