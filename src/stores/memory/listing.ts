/**
 * @internal `list` on the memory repository: one page, newest first, read
 * from a list kept in listing order (the tenant's, or a large namespace's),
 * starting just below the cursor and stopping once the page is full, so a
 * page costs the same however many tokens the tenant holds (issue 12). A
 * small namespace (at most `LARGE_NAMESPACE` tokens) is sorted on the spot.
 *
 * The expiring listing (`expiringBy`, issue 13) is soonest expiry first:
 * no list is kept in that order, so its matches are gathered from the
 * tenant's or namespace's rows and sorted.
 */
import type { ListQuery } from '../../core/repository.js';
import type { StoredTokenType, TokenRecord } from '../../core/types.js';
import {
  checkPageLimit,
  compareSoonestFirst,
  decodeOptionalCursor,
  expiryKey,
  isAfterExpiryCursor,
  pageOf,
  type SortKey,
  tokenKey,
} from '../shared/paging.js';
import { INT, TIME } from './rows.js';
import type { SlotList } from './slot-list.js';
import type { MemoryState } from './state.js';

const TYPE_BITS: Readonly<Record<StoredTokenType, number>> = {
  administrative: 1,
  personal: 2,
  master: 4,
  limited: 8,
};

/** The type codes of the `type` column, as bits (see `table.ts`). */
const CODE_BITS = [1, 2, 4, 8];

/** Which rows a query keeps, and where its page starts. */
interface Filter {
  readonly types: number;
  readonly query: ListQuery;
  readonly cursor: SortKey | null;
}

function typeBits(types: readonly StoredTokenType[] | undefined): number {
  if (types === undefined) return 15;
  let bits = 0;
  for (const type of types) bits |= TYPE_BITS[type] ?? 0;
  return bits;
}

/** Whether the row passes the query's type, revocation and expiry filters. */
function kept(state: MemoryState, slot: number, filter: Filter): boolean {
  const { rows } = state.table;
  if ((CODE_BITS[rows.int(slot, INT.type)]! & filter.types) === 0) return false;
  const { query } = filter;
  if (!query.includeRevoked && !Number.isNaN(rows.time(slot, TIME.revokedAt))) return false;
  const expiresAt = rows.time(slot, TIME.expiresAt);
  return query.includeExpired || Number.isNaN(expiresAt) || expiresAt > query.now;
}

/** Up to `limit + 1` rows of an ordered list, newest first from below the cursor. */
function readOrdered(state: MemoryState, list: SlotList, filter: Filter): number[] {
  const { cursor, query } = filter;
  const start = cursor === null ? list.length : list.lowerBound(cursor.time, cursor.id);
  const read: number[] = [];
  for (let i = start - 1; i >= 0 && read.length <= query.limit; i--) {
    const slot = list.get(i);
    if (kept(state, slot, filter)) read.push(slot);
  }
  return read;
}

/** The same from a small namespace's rows, sorted here. */
function readSmall(state: MemoryState, slots: Iterable<number>, filter: Filter): number[] {
  const { table } = state;
  const { cursor } = filter;
  const read: number[] = [];
  for (const slot of slots) {
    if (cursor !== null && table.compareRowTo(slot, cursor.time, cursor.id) >= 0) continue;
    if (kept(state, slot, filter)) read.push(slot);
  }
  read.sort((a, b) => table.compareRows(b, a));
  return read.slice(0, filter.query.limit + 1);
}

/** The rows a query reads from: the tenant's, or one namespace's. */
function rowsOfQuery(state: MemoryState, query: ListQuery): Iterable<number> {
  const { namespaces } = state.table;
  if (query.owner === undefined) {
    const tenant = namespaces.tenant(query.tenant);
    if (tenant === undefined) return [];
    const { order } = tenant;
    return Array.from({ length: order.length }, (_, i) => order.get(i));
  }
  const namespace = namespaces.find(query.tenant, query.owner);
  return namespace === undefined ? [] : namespaces.rowsOf(namespace);
}

/** A page of the expiring listing: tokens expiring by `expiringBy`, soonest first from past the cursor. */
function expiringPage(state: MemoryState, filter: Filter, expiringBy: number) {
  const { rows } = state.table;
  const found: TokenRecord[] = [];
  for (const slot of rowsOfQuery(state, filter.query)) {
    const expiresAt = rows.time(slot, TIME.expiresAt);
    // NaN (no expiry) fails the comparison.
    if (!(expiresAt <= expiringBy) || !kept(state, slot, filter)) continue;
    const record = state.table.read(slot);
    if (isAfterExpiryCursor(expiryKey(record), filter.cursor)) found.push(record);
  }
  found.sort((a, b) => compareSoonestFirst(expiryKey(a), expiryKey(b)));
  return pageOf(found.slice(0, filter.query.limit + 1), filter.query.limit, expiryKey);
}

/** See `TokenRepository.list`. */
export function listPage(state: MemoryState, query: ListQuery): { items: TokenRecord[]; nextCursor: string | null } {
  checkPageLimit(query.limit);
  const filter: Filter = { types: typeBits(query.types), query, cursor: decodeOptionalCursor(query.cursor) };
  if (query.expiringBy !== undefined) return expiringPage(state, filter, query.expiringBy);
  const { namespaces } = state.table;
  let read: number[] = [];
  if (query.owner === undefined) {
    const tenant = namespaces.tenant(query.tenant);
    if (tenant !== undefined) read = readOrdered(state, tenant.order, filter);
  } else {
    const namespace = namespaces.find(query.tenant, query.owner);
    if (namespace !== undefined) {
      read =
        namespace.large === null
          ? readSmall(state, namespaces.rowsOf(namespace), filter)
          : readOrdered(state, namespace.large.order, filter);
    }
  }
  return pageOf(
    read.map((slot) => state.table.read(slot)),
    query.limit,
    tokenKey,
  );
}
