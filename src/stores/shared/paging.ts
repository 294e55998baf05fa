/**
 * @internal Opaque page cursors and page-size checks shared by the
 * repositories. A cursor names the last item of a page by its sort key
 * (`time:id`), encoded as base64url so callers treat it as opaque.
 */
import { fromBase64Url, toBase64Url, utf8 } from '../../core/encoding.js';
import { TokenError } from '../../core/errors.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The sort key of one item: newest first means `time` then `id` descending. */
export interface SortKey {
  readonly time: number;
  readonly id: string;
}

/** Encodes the position after `key` as an opaque cursor. */
export function encodeCursor(key: SortKey): string {
  return toBase64Url(utf8(`${key.time}:${key.id}`));
}

function invalidCursor(): TokenError {
  return new TokenError('invalid_request', 'The page cursor is not valid.', { field: 'cursor' });
}

/**
 * Decodes a cursor produced by `encodeCursor`; anything else is a
 * `TokenError('invalid_request')` naming the `cursor` field.
 */
export function decodeCursor(cursor: string): SortKey {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 1000) throw invalidCursor();
  const bytes = fromBase64Url(cursor);
  if (bytes === null) throw invalidCursor();
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw invalidCursor();
  }
  const colon = text.indexOf(':');
  const time = Number(text.slice(0, colon));
  const id = text.slice(colon + 1);
  if (colon < 1 || !/^-?\d+$/.test(text.slice(0, colon)) || !Number.isSafeInteger(time) || id.length === 0) {
    throw invalidCursor();
  }
  return { time, id };
}

/** The cursor of an optional query field: null or undefined means "first page". */
export function decodeOptionalCursor(cursor: string | null | undefined): SortKey | null {
  return cursor === undefined || cursor === null ? null : decodeCursor(cursor);
}

/** Page sizes are whole numbers from 1 to 1000. */
export function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new TokenError('invalid_request', 'The page size must be a whole number from 1 to 1000.', { field: 'limit' });
  }
}

/** Newest-first order: later `time` first, then larger `id` first. Negative means `a` comes first. */
export function compareNewestFirst(a: SortKey, b: SortKey): number {
  if (a.time !== b.time) return b.time - a.time;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** True when `key` comes strictly after the cursor position in newest-first order. */
export function isAfterCursor(key: SortKey, cursor: SortKey | null): boolean {
  return cursor === null || compareNewestFirst(cursor, key) < 0;
}

/** The sort key of a token: `createdAt`, then `id`. */
export function tokenKey(record: Pick<TokenRecord, 'createdAt' | 'id'>): SortKey {
  return { time: record.createdAt, id: record.id };
}

/** Soonest-expiry-first order (`ListQuery.expiringBy`): earlier `time` first, then smaller `id`. */
export function compareSoonestFirst(a: SortKey, b: SortKey): number {
  if (a.time !== b.time) return a.time - b.time;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** True when `key` comes strictly after the cursor position in soonest-expiry-first order. */
export function isAfterExpiryCursor(key: SortKey, cursor: SortKey | null): boolean {
  return cursor === null || compareSoonestFirst(cursor, key) < 0;
}

/** The expiry sort key of a token that expires: `expiresAt`, then `id`. */
export function expiryKey(record: Pick<TokenRecord, 'expiresAt' | 'id'>): SortKey {
  return { time: record.expiresAt ?? Number.MAX_SAFE_INTEGER, id: record.id };
}

/** The sort key of an event: `at`, then `id`. */
export function eventKey(event: Pick<TokenEvent, 'at' | 'id'>): SortKey {
  return { time: event.at, id: event.id };
}

/**
 * A page from items read newest first, one more than `limit` where there
 * are more: the first `limit` items, and the cursor after the last of them
 * when the extra one shows there is a next page.
 */
export function pageOf<T>(
  read: readonly T[],
  limit: number,
  keyOf: (item: T) => SortKey,
): { items: T[]; nextCursor: string | null } {
  const items = read.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: read.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
