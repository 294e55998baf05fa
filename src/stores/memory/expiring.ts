/** @internal The memory repository's expiry-warning markers (`markExpiring`, issue 13). */
import type { ExpiringMarkQuery, TokenRepository } from '../../core/repository.js';
import type { TokenRecord } from '../../core/types.js';
import { checkPageLimit, compareSoonestFirst, expiryKey } from '../shared/paging.js';
import { TIME } from './rows.js';
import { type MemoryState, warningKey } from './state.js';

/** True when the row's token is due a warning for `query` that it has not had (read from its columns first). */
function due(state: MemoryState, slot: number, query: ExpiringMarkQuery): TokenRecord | null {
  const { rows } = state.table;
  const expiresAt = rows.time(slot, TIME.expiresAt);
  // A free row's or a never-expiring token's expiry is NaN, which fails both comparisons.
  if (!(expiresAt > query.now && expiresAt <= query.now + query.within)) return null;
  if (!Number.isNaN(rows.time(slot, TIME.revokedAt))) return null;
  const record = state.table.read(slot);
  if (!record.enabled || state.warnings.has(warningKey(record.id, query.within, expiresAt))) return null;
  return record;
}

export function expiringCalls(state: MemoryState): Pick<TokenRepository, 'markExpiring'> {
  return {
    // A scan of every row: maintenance runs it once per pass, not per request.
    async markExpiring(query: ExpiringMarkQuery): Promise<TokenRecord[]> {
      checkPageLimit(query.limit);
      const found: TokenRecord[] = [];
      for (let slot = 0; slot < state.table.rows.extent; slot++) {
        const record = due(state, slot, query);
        if (record !== null) found.push(record);
      }
      found.sort((a, b) => compareSoonestFirst(expiryKey(a), expiryKey(b)));
      const marked = found.slice(0, query.limit);
      for (const record of marked) {
        state.warnings.set(warningKey(record.id, query.within, record.expiresAt!), record.expiresAt!);
      }
      return marked;
    },
  };
}
