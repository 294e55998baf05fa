/** @internal The memory repository's token calls: insert, lookups and listing. */
import { TokenError } from '../../core/errors.js';
import { isLive } from '../../core/records.js';
import type { InsertLimits, ListQuery, TokenRepository } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { frozenGrants, frozenMeta, frozenRecord } from '../shared/freeze.js';
import {
  checkPageLimit,
  compareNewestFirst,
  compareSoonestFirst,
  decodeOptionalCursor,
  expiryKey,
  isAfterCursor,
  isAfterExpiryCursor,
  pageOf,
  type SortKey,
  tokenKey,
} from '../shared/paging.js';
import { isNewer, type MemoryState } from './state.js';

type InsertCalls = Pick<TokenRepository, 'insert' | 'insertMaster'>;
type LookupCalls = Pick<TokenRepository, 'findById' | 'findByName' | 'list' | 'findByLookupHash'>;

/** Refuses `record` over the per-owner cap of `limits` (master tokens do not count). */
function checkCap(state: MemoryState, record: TokenRecord, limits: InsertLimits): void {
  const cap = limits.maxLivePerOwner;
  if (cap === undefined || record.owner === null) return;
  let live = 0;
  for (const id of state.namespaces.maybeUnrevoked(record.tenant, record.owner)) {
    const other = state.tokens.get(id)!;
    // Stop at the cap: past it the answer cannot change.
    if (other.type !== 'master' && isLive(other, limits.now) && ++live >= cap) break;
  }
  if (live >= cap) throw new TokenError('limit_exceeded', 'The owner has too many active tokens.', { limit: cap });
}

/** Stores a new token and its event. */
function added(state: MemoryState, record: TokenRecord, event: TokenEvent | undefined): TokenRecord {
  const stored = frozenRecord(record, frozenGrants(record.grants), frozenMeta(record.meta));
  const frozen = state.prepared(event);
  state.add(stored);
  state.writeEvent(frozen);
  return stored;
}

export function insertCalls(state: MemoryState): InsertCalls {
  return {
    async insert(record: TokenRecord, limits: InsertLimits, event?: TokenEvent): Promise<void> {
      if (state.tokens.has(record.id)) throw new TokenError('conflict', 'A token with this id exists already.');
      if (state.lookupHashTaken(record.lookupHash, record.id)) {
        throw new TokenError('conflict', 'A token with this lookup hash exists already.');
      }
      const sameName = state.records(state.namespaces.named(record.tenant, record.owner, record.name));
      if (sameName.some((other) => other.name === record.name && isLive(other, limits.now))) {
        throw new TokenError('conflict', 'A live token with this name exists already.');
      }
      checkCap(state, record, limits);
      added(state, record, event);
    },

    async insertMaster(record: TokenRecord, event?: TokenEvent) {
      const existing = state
        .records(state.namespaces.maybeUnrevoked(record.tenant, record.owner))
        .find((other) => other.type === 'master' && isLive(other, record.createdAt));
      if (existing !== undefined) return { created: false, record: existing };
      if (state.tokens.has(record.id)) throw new TokenError('conflict', 'A token with this id exists already.');
      return { created: true, record: added(state, record, event) };
    },
  };
}

export function lookupCalls(state: MemoryState): LookupCalls {
  return {
    async findById(id: string): Promise<TokenRecord | null> {
      return state.tokens.get(id) ?? null;
    },

    async findByName(tenant: string, owner: string | null, name: string): Promise<TokenRecord | null> {
      // The contract has no clock here. A name is reused only once its
      // previous holder is dead (revoked or expired), and neither state is
      // ever undone, so the live holder, if any, is the newest unrevoked one.
      let unrevoked: TokenRecord | null = null;
      let newest: TokenRecord | null = null;
      for (const record of state.records(state.namespaces.named(tenant, owner, name))) {
        if (record.name !== name) continue;
        if (record.revokedAt === null && (unrevoked === null || isNewer(record, unrevoked))) unrevoked = record;
        if (newest === null || isNewer(record, newest)) newest = record;
      }
      return unrevoked ?? newest;
    },

    async list(query: ListQuery) {
      checkPageLimit(query.limit);
      const cursor = decodeOptionalCursor(query.cursor);
      const { namespaces } = state;
      const groups =
        query.owner === undefined ? namespaces.tenantIds(query.tenant) : [namespaces.ids(query.tenant, query.owner)];
      const types = query.types === undefined ? null : new Set(query.types);
      const order = listOrder(query.expiringBy);
      const matches: TokenRecord[] = [];
      for (const ids of groups) {
        for (const id of ids) {
          const record = state.tokens.get(id)!;
          if (types !== null && !types.has(record.type)) continue;
          if (!query.includeRevoked && record.revokedAt !== null) continue;
          if (!query.includeExpired && record.expiresAt !== null && record.expiresAt <= query.now) continue;
          if (!order.keeps(record, cursor)) continue;
          matches.push(record);
        }
      }
      matches.sort((a, b) => order.compare(order.key(a), order.key(b)));
      return pageOf(matches, query.limit, order.key);
    },

    async findByLookupHash(hashes: readonly string[]): Promise<TokenRecord | null> {
      for (const hash of hashes) {
        const id = state.byLookupHash.get(hash);
        if (id !== undefined) return state.tokens.get(id) ?? null;
      }
      return null;
    },
  };
}

/** How `list` orders and pages: newest first, or soonest expiry first among tokens expiring by `expiringBy`. */
function listOrder(expiringBy: number | undefined): {
  key: (record: TokenRecord) => SortKey;
  compare: (a: SortKey, b: SortKey) => number;
  keeps: (record: TokenRecord, cursor: SortKey | null) => boolean;
} {
  if (expiringBy === undefined) {
    return {
      key: tokenKey,
      compare: compareNewestFirst,
      keeps: (record, cursor) => isAfterCursor(tokenKey(record), cursor),
    };
  }
  return {
    key: expiryKey,
    compare: compareSoonestFirst,
    keeps: (record, cursor) =>
      record.expiresAt !== null && record.expiresAt <= expiringBy && isAfterExpiryCursor(expiryKey(record), cursor),
  };
}
