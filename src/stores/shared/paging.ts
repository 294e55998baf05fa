/**
 * @internal Opaque page cursors and page-size checks shared by the
 * repositories. A cursor names the last item of a page by its sort key
 * (`time:id`), encoded as base64url so callers treat it as opaque.
 */
import { TokenError } from '../../core/errors.js';

/** The sort key of one item: newest first means `time` then `id` descending. */
export interface SortKey {
  readonly time: number;
  readonly id: string;
}

/** Encodes the position after `key` as an opaque cursor. */
export function encodeCursor(key: SortKey): string {
  const bytes = new TextEncoder().encode(`${key.time}:${key.id}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function invalidCursor(): TokenError {
  return new TokenError('invalid_request', 'The page cursor is not valid.', { field: 'cursor' });
}

/**
 * Decodes a cursor produced by `encodeCursor`; anything else is a
 * `TokenError('invalid_request')` naming the `cursor` field.
 */
export function decodeCursor(cursor: string): SortKey {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw invalidCursor();
  }
  let text: string;
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
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
