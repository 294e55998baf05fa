/** @internal The PostgreSQL repository's token lookups and listing. */
import type { ListQuery, TokenRepository } from '../../core/repository.js';
import type { TokenRecord } from '../../core/types.js';
import { checkPageLimit, decodeOptionalCursor, expiryKey, pageOf, tokenKey } from '../shared/paging.js';
import { TOKEN_SELECT, type TokenRow, tokenFromRow } from './rows.js';
import { ownerCondition, type PgStore } from './store.js';

type LookupCalls = Pick<TokenRepository, 'findById' | 'findByName' | 'list' | 'findByLookupHash'>;

export function lookupCalls(store: PgStore): LookupCalls {
  const { t, query, findByIdStatement } = store;
  return {
    async findById(id: string): Promise<TokenRecord | null> {
      const { rows } = await findByIdStatement.run<TokenRow>([id]);
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    },

    async findByName(tenant: string, owner: string | null, name: string): Promise<TokenRecord | null> {
      // No clock here: a name is reused only after its holder died (revoked or
      // expired), and neither is ever undone, so the live holder, if any, is
      // the newest unrevoked one; otherwise the newest of all.
      const params: unknown[] = [tenant, name];
      const { rows } = await query<TokenRow>(
        `SELECT ${TOKEN_SELECT} FROM ${t.tokens}
          WHERE tenant = $1 AND ${ownerCondition(owner, params)} AND name = $2
          ORDER BY (revoked_at IS NULL) DESC, created_at DESC, id DESC LIMIT 1`,
        params,
      );
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    },

    async findByLookupHash(hashes: readonly string[]): Promise<TokenRecord | null> {
      const { rows } = await query<TokenRow>(
        `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE lookup_hash = ANY($1::text[]) LIMIT 1`,
        [[...hashes]],
      );
      const row = rows[0];
      return row === undefined ? null : tokenFromRow(row);
    },

    async list(q: ListQuery) {
      checkPageLimit(q.limit);
      const cursor = decodeOptionalCursor(q.cursor);
      const expiring = q.expiringBy !== undefined;
      const params: unknown[] = [q.tenant];
      const where = ['tenant = $1'];
      if (q.owner !== undefined) where.push(ownerCondition(q.owner, params));
      if (q.types !== undefined) {
        params.push([...q.types]);
        where.push(`type = ANY($${params.length}::text[])`);
      }
      if (!q.includeRevoked) where.push('revoked_at IS NULL');
      if (!q.includeExpired) {
        params.push(q.now);
        where.push(`(expires_at IS NULL OR expires_at > $${params.length})`);
      }
      if (expiring) {
        params.push(q.expiringBy);
        where.push(`expires_at IS NOT NULL AND expires_at <= $${params.length}`);
      }
      if (cursor !== null) {
        params.push(cursor.time, cursor.id);
        const after = expiring ? '(expires_at, id) >' : '(created_at, id) <';
        where.push(`${after} ($${params.length - 1}, $${params.length})`);
      }
      params.push(q.limit + 1);
      const order = expiring ? 'expires_at, id' : 'created_at DESC, id DESC';
      const { rows } = await query<TokenRow>(
        `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE ${where.join(' AND ')}
          ORDER BY ${order} LIMIT $${params.length}`,
        params,
      );
      return pageOf(rows.map(tokenFromRow), q.limit, expiring ? expiryKey : tokenKey);
    },
  };
}
