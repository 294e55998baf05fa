/** @internal The PostgreSQL repository's token lookups and listing. */
import type { ListQuery, TokenRepository } from '../../core/repository.js';
import type { TokenRecord } from '../../core/types.js';
import { checkPageLimit, decodeOptionalCursor, expiryKey, pageOf, tokenKey } from '../shared/paging.js';
import type { TableNames } from './names.js';
import { TOKEN_SELECT, tokenFromValues } from './rows.js';
import { ownerCondition, type PgStore } from './store.js';

/** The record of a lookup's row, if it found one. */
function recordOfFirst({ rows }: { rows: unknown[][] }): TokenRecord | null {
  const row = rows[0];
  return row === undefined ? null : tokenFromValues(row);
}

type LookupCalls = Pick<TokenRepository, 'findById' | 'findByName' | 'list' | 'findByLookupHash'>;

export function lookupCalls(store: PgStore): LookupCalls {
  const { t, tokens, findByIdStatement } = store;
  return {
    // No `async`: the lookup's own promise, one turn fewer on the verification path.
    findById(id: string): Promise<TokenRecord | null> {
      return findByIdStatement.run<unknown[]>([id]).then(recordOfFirst);
    },

    async findByName(tenant: string, owner: string | null, name: string): Promise<TokenRecord | null> {
      // No clock here: a name is reused only after its holder died (revoked or
      // expired), and neither is ever undone, so the live holder, if any, is
      // the newest unrevoked one; otherwise the newest of all.
      const params: unknown[] = [tenant, name];
      const [found] = await tokens(
        `SELECT ${TOKEN_SELECT} FROM ${t.tokens}
          WHERE tenant = $1 AND ${ownerCondition(owner, params)} AND name = $2
          ORDER BY (revoked_at IS NULL) DESC, created_at DESC, id DESC LIMIT 1`,
        params,
      );
      return found ?? null;
    },

    async findByLookupHash(hashes: readonly string[]): Promise<TokenRecord | null> {
      const [found] = await tokens(
        `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE lookup_hash = ANY($1::text[]) LIMIT 1`,
        [[...hashes]],
      );
      return found ?? null;
    },

    async list(q: ListQuery) {
      checkPageLimit(q.limit);
      const { text, params } = listStatement(t, q);
      return pageOf(await tokens(text, params), q.limit, q.expiringBy === undefined ? tokenKey : expiryKey);
    },
  };
}

/**
 * @internal One page of `list` as a statement, shared with the test that
 * checks its plan. A page is one index range scan, newest first, whatever
 * the tenant's size (issue 12): `tokens_tenant_new_idx` for a tenant,
 * `tokens_owner_new_idx` for one owner. The revoked and expired tokens the
 * default filters hide are skipped as the scan meets them.
 *
 * With an owner, the order names `owner` first. It is the same order (every
 * row has that owner), but it lets PostgreSQL read it straight off
 * `(tenant, owner, created_at DESC, id DESC)` for `owner IS NULL` too, which
 * it does not count as an equality: without it, listing the tokens without
 * owner sorted all of them, or walked the whole tenant's index.
 *
 * With `expiringBy` (issue 13's expiring listing) the page is soonest
 * expiry first instead, on the `(tenant, expires_at, id)` index of
 * migration 5.
 */
export function listStatement(t: TableNames, q: ListQuery): { text: string; params: unknown[] } {
  const cursor = decodeOptionalCursor(q.cursor);
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
  const expiring = q.expiringBy !== undefined;
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
  const newest = q.owner === undefined ? 'created_at DESC, id DESC' : 'owner, created_at DESC, id DESC';
  const order = expiring ? 'expires_at, id' : newest;
  return {
    text: `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${params.length}`,
    params,
  };
}
