/** @internal One page of the SQLite store's `list`, as a statement. */
import type { ListQuery } from '../../core/repository.js';
import { decodeOptionalCursor } from '../shared/paging.js';
import { TOKEN_COLUMNS } from './rows.js';

/**
 * One page of `list` as a statement and its parameters, shared with the test
 * that checks its plan. A page is one index range scan, newest first,
 * whatever the tenant's size (issue 12): `tokenward_tokens_by_tenant` for a
 * tenant, `tokenward_tokens_by_owner` for one owner (SQLite counts
 * `owner IS NULL` as an equality, so tokens without owner use it too). The
 * revoked and expired tokens the default filters hide are skipped as the
 * scan meets them; nothing is sorted. With `expiringBy` (issue 13's
 * expiring listing) the page is soonest expiry first instead, on
 * `tokenward_tokens_by_tenant_expiry` (migration 5).
 */
export function listStatement(query: ListQuery): { text: string; params: unknown[] } {
  const cursor = decodeOptionalCursor(query.cursor);
  const where = ['tenant = ?'];
  const params: unknown[] = [query.tenant];
  if (query.owner === null) where.push('owner IS NULL');
  else if (query.owner !== undefined) {
    where.push('owner = ?');
    params.push(query.owner);
  }
  if (query.types !== undefined) {
    where.push('type IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(query.types));
  }
  if (!query.includeRevoked) where.push('revoked_at IS NULL');
  if (!query.includeExpired) {
    where.push('(expires_at IS NULL OR expires_at > ?)');
    params.push(query.now);
  }
  const expiring = query.expiringBy !== undefined;
  if (expiring) {
    where.push('expires_at IS NOT NULL AND expires_at <= ?');
    params.push(query.expiringBy);
  }
  if (cursor !== null) {
    where.push(expiring ? '(expires_at, id) > (?, ?)' : '(created_at, id) < (?, ?)');
    params.push(cursor.time, cursor.id);
  }
  params.push(query.limit + 1);
  const order = expiring ? 'expires_at, id' : 'created_at DESC, id DESC';
  return {
    text: `SELECT ${TOKEN_COLUMNS} FROM tokenward_tokens WHERE ${where.join(' AND ')}
      ORDER BY ${order} LIMIT ?`,
    params,
  };
}
