import type { Grant, TokenEventInfo, TokenInfo } from '../core/types.js';
import { printGrantList } from './printer.js';
import type { ResultValue, StatementGrant, StatementResult } from './types.js';

/** @internal How statements answer: the columns of each answer and the rows built from service results. */

/** The columns of `SHOW API TOKENS`. */
export const TOKEN_COLUMNS = [
  'name',
  'user',
  'type',
  'status',
  'created_at',
  'expires_at',
  'last_used_at',
  'comment',
  'grants',
  'id',
  'enabled',
  'meta',
] as const;

/** The columns of `SHOW EVENTS FOR API TOKEN`. */
export const EVENT_COLUMNS = ['at', 'type', 'operation', 'actor', 'detail'] as const;

/** The columns of `SHOW API TOKEN MAX DURATION`. */
export const POLICY_COLUMNS = ['source', 'name', 'max_duration', 'effective'] as const;

/**
 * A time as Tengri prints it: ISO 8601 in UTC to the second, with an
 * explicit `+00:00` offset (`2026-07-20T09:00:00+00:00`). Epoch
 * milliseconds and `Date`s are both accepted.
 */
export function timestamp(value: Date | number | null): string | null {
  if (value === null) return null;
  return `${new Date(value).toISOString().slice(0, 19)}+00:00`;
}

/** An answer with no secret in it. */
export function answer(columns: readonly string[], rows: readonly (readonly ResultValue[])[]): StatementResult {
  return { columns, rows, secretColumns: [] };
}

/** An answer holding a secret shown this once, in the named columns. */
export function secretAnswer(
  columns: readonly string[],
  row: readonly ResultValue[],
  secretColumns: readonly string[],
): StatementResult {
  return { columns, rows: [row], secretColumns };
}

/** Statement grants as the service takes them. */
export function toServiceGrants(grants: readonly StatementGrant[]): Grant[] {
  return grants.map((grant): Grant => {
    if ('component' in grant) {
      return grant.action === 'all'
        ? { component: grant.component }
        : { component: grant.component, actions: [grant.action] };
    }
    return 'bucket' in grant ? { bucket: grant.bucket, access: grant.access } : { scope: grant.scope };
  });
}

/** Service grants in `GRANTS (…)` syntax, so a listing reads like the statement that made it. */
export function grantsText(grants: readonly Grant[] | null): string | null {
  if (grants === null) return null;
  const items: StatementGrant[] = [];
  for (const grant of grants) {
    if ('bucket' in grant) items.push({ bucket: grant.bucket, access: grant.access });
    else if ('scope' in grant) items.push({ scope: grant.scope });
    else if (grant.actions === undefined) items.push({ component: grant.component, action: 'all' });
    else for (const action of grant.actions) items.push({ component: grant.component, action });
  }
  return printGrantList(items);
}

export function tokenRow(info: TokenInfo): ResultValue[] {
  return [
    info.name,
    info.owner,
    info.type,
    info.status,
    timestamp(info.createdAt),
    timestamp(info.expiresAt),
    timestamp(info.lastUsedAt),
    info.comment,
    grantsText(info.grants),
    info.id,
    info.enabled,
    info.meta === null ? null : JSON.stringify(info.meta),
  ];
}

export function eventRow(event: TokenEventInfo): ResultValue[] {
  return [
    timestamp(event.at),
    event.type,
    event.operation,
    event.actor,
    event.detail === null ? null : JSON.stringify(event.detail),
  ];
}
