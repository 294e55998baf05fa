/**
 * @internal What the directory stores share: pages by name (an opaque
 * cursor holding the last name of a page), frozen copies of records, and
 * the JSON form of grants and audit changes in SQL columns.
 */
import type {
  DirectoryAuditEntry,
  DirectoryPage,
  DirectoryQuery,
  RoleRecord,
  UserRecord,
} from '../../core/directory-store.js';
import { fromBase64Url, toBase64Url, utf8 } from '../../core/encoding.js';
import { TokenError } from '../../core/errors.js';
import type { Grant, GrantSet } from '../../core/types.js';
import { deepFreeze } from './freeze.js';
import { checkPageLimit, decodeOptionalCursor } from './paging.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The cursor after the item named `name`. */
export function encodeNameCursor(name: string): string {
  return toBase64Url(utf8(`n:${name}`));
}

/** The name a cursor from `encodeNameCursor` holds; anything else is `invalid_request` naming `cursor`. */
export function decodeNameCursor(cursor: string | null | undefined): string | null {
  if (cursor === undefined || cursor === null) return null;
  const invalidCursor = new TokenError('invalid_request', 'The page cursor is not valid.', { field: 'cursor' });
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 1000) throw invalidCursor;
  const bytes = fromBase64Url(cursor);
  if (bytes === null) throw invalidCursor;
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw invalidCursor;
  }
  if (!text.startsWith('n:') || text.length < 3) throw invalidCursor;
  return text.slice(2);
}

/** Checks a query's page: its size, and its cursor decoded (by name, or for the audit log by time and id). */
export function checkNamePage(query: Pick<DirectoryQuery, 'limit' | 'cursor'>): string | null {
  checkPageLimit(query.limit);
  return decodeNameCursor(query.cursor);
}

/** The audit log's cursor (`at` and `id`, newest first). */
export function checkAuditPage(query: DirectoryQuery): ReturnType<typeof decodeOptionalCursor> {
  checkPageLimit(query.limit);
  return decodeOptionalCursor(query.cursor);
}

/** A page from items read in order, one more than `limit` where there are more. */
export function namePageOf<T extends { readonly name: string }>(read: readonly T[], limit: number): DirectoryPage<T> {
  const items = read.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: read.length > limit && last !== undefined ? encodeNameCursor(last.name) : null };
}

/** Grants as JSON text: `"all"` or the list. */
export function grantsJson(grants: GrantSet): string {
  return JSON.stringify(grants);
}

/**
 * Grants from a column: JSON text (SQLite: `"all"` or a list), or already
 * parsed (PostgreSQL's `jsonb`: the string `all` or a list).
 */
export function grantsFromColumn(value: unknown): GrantSet {
  if (value === 'all') return 'all';
  const parsed = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  return parsed === 'all' ? 'all' : (parsed as Grant[]);
}

// Copied field by field, so every stored record has the same shape and nothing of the caller's object.

/** A user as stored: a frozen copy with its own arrays. */
export function frozenUser(user: UserRecord): UserRecord {
  return deepFreeze({
    tenant: user.tenant,
    name: user.name,
    admin: user.admin,
    active: user.active,
    roles: [...user.roles],
    grants: structuredClone(user.grants),
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    version: user.version,
  });
}

/** A role as stored: a frozen copy. */
export function frozenRole(role: RoleRecord): RoleRecord {
  return deepFreeze({
    tenant: role.tenant,
    name: role.name,
    grants: structuredClone(role.grants),
    createdAt: role.createdAt,
    updatedAt: role.updatedAt,
    version: role.version,
  });
}

/** An audit entry as stored: a frozen copy. */
export function frozenEntry(entry: DirectoryAuditEntry): DirectoryAuditEntry {
  return deepFreeze({
    id: entry.id,
    tenant: entry.tenant,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    changes: structuredClone(entry.changes),
  });
}

/** The refusal of a user whose roles are not all stored. */
export function missingRole(): TokenError {
  return new TokenError('not_found', 'a role of the user does not exist', { field: 'roles' });
}

/** The refusal of a second user or role of one name. */
export function nameTaken(what: 'user' | 'role'): TokenError {
  return new TokenError('conflict', `a ${what} of this name exists already in the tenant`);
}

/** The refusal to remove a role that users hold. */
export function roleHeld(): TokenError {
  return new TokenError('conflict', 'the role is held by users; take it from them first');
}
