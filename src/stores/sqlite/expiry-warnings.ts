/** @internal The SQLite repository's expiry-warning markers (`markExpiring`, issue 13). */
import type { ExpiringMarkQuery, TokenRepository } from '../../core/repository.js';
import { checkPageLimit } from '../shared/paging.js';
import type { SqliteCalls } from './calls.js';
import { type TokenRow, toRecord } from './rows.js';

export function warningCalls({ sql, locked }: SqliteCalls): Pick<TokenRepository, 'markExpiring'> {
  // Select and mark under one write lock: another connection's pass waits, then finds them marked.
  const markTx = locked((query: ExpiringMarkQuery) => {
    const rows = sql.dueWarnings.all(query.now, query.now + query.within, query.within, query.limit) as TokenRow[];
    const records = rows.map(toRecord);
    for (const record of records) sql.insertWarning.run(record.id, query.within, record.expiresAt, query.now);
    return records;
  });
  return {
    async markExpiring(query) {
      checkPageLimit(query.limit);
      return markTx(query);
    },
  };
}
