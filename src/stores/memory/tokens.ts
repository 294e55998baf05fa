/** @internal The memory repository's token calls: insert and the lookups. */
import { TokenError } from '../../core/errors.js';
import type { InsertLimits, TokenRepository, VerificationRecord } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { listPage } from './listing.js';
import { MASTER_CODE, type Namespace } from './namespaces.js';
import { INT, REF, TIME } from './rows.js';
import type { MemoryState } from './state.js';

type InsertCalls = Pick<TokenRepository, 'insert' | 'insertMaster'>;
type LookupCalls = Pick<TokenRepository, 'findById' | 'findByName' | 'list' | 'findByLookupHash'> &
  Required<Pick<TokenRepository, 'findByIdSync'>>;

/** Refuses `record` over the per-owner cap of `limits` (master tokens do not count). */
function checkCap(state: MemoryState, namespace: Namespace, limits: InsertLimits): void {
  const cap = limits.maxLivePerOwner;
  if (cap === undefined || namespace.owner === null) return;
  // Live tokens are unrevoked ones: below the cap in those, there is nothing to count.
  if (namespace.unrevokedOthers < cap) return;
  const { rows } = state.table;
  let live = 0;
  for (const slot of state.table.namespaces.rowsOf(namespace)) {
    // Stop at the cap: past it the answer cannot change.
    if (rows.int(slot, INT.type) !== MASTER_CODE && state.isLiveAt(slot, limits.now) && ++live >= cap) break;
  }
  if (live >= cap) throw new TokenError('limit_exceeded', 'The owner has too many active tokens.', { limit: cap });
}

/** Refuses `record` when a live token of its namespace has its name. */
function checkName(state: MemoryState, namespace: Namespace, record: TokenRecord, now: number): void {
  const { rows, namespaces } = state.table;
  for (const slot of namespaces.named(namespace, record.name)) {
    if (rows.ref(slot, REF.name) === record.name && state.isLiveAt(slot, now)) {
      throw new TokenError('conflict', 'A live token with this name exists already.');
    }
  }
}

/** A live master token of the namespace, if any: the latest first, then any other. */
function liveMaster(state: MemoryState, namespace: Namespace, now: number): number | undefined {
  if (namespace.master !== -1 && state.isLiveAt(namespace.master, now)) return namespace.master;
  const { rows, namespaces } = state.table;
  for (const slot of namespaces.rowsOf(namespace)) {
    if (rows.int(slot, INT.type) === MASTER_CODE && state.isLiveAt(slot, now)) return slot;
  }
  return undefined;
}

/** Stores a new token and its event, everything that can throw done first. */
function added(state: MemoryState, record: TokenRecord, event: TokenEvent | undefined): TokenRecord {
  const row = state.table.prepare(record);
  const prepared = state.events.prepared(event);
  return state.add(row, prepared);
}

export function insertCalls(state: MemoryState): InsertCalls {
  const { table } = state;
  return {
    async insert(record: TokenRecord, limits: InsertLimits, event?: TokenEvent): Promise<void> {
      if (table.slotOf(record.id) !== undefined)
        throw new TokenError('conflict', 'A token with this id exists already.');
      if (state.lookupHashTaken(record.lookupHash, record.id)) {
        throw new TokenError('conflict', 'A token with this lookup hash exists already.');
      }
      const namespace = table.namespaces.find(record.tenant, record.owner);
      if (namespace !== undefined) {
        checkName(state, namespace, record, limits.now);
        checkCap(state, namespace, limits);
      }
      added(state, record, event);
    },

    async insertMaster(record: TokenRecord, event?: TokenEvent) {
      const namespace = table.namespaces.find(record.tenant, record.owner);
      const existing = namespace === undefined ? undefined : liveMaster(state, namespace, record.createdAt);
      if (existing !== undefined) return { created: false, record: table.read(existing) };
      if (table.slotOf(record.id) !== undefined)
        throw new TokenError('conflict', 'A token with this id exists already.');
      return { created: true, record: added(state, record, event) };
    },
  };
}

/** Whether row `a` sorts after row `b` in listing order (it is newer). */
function newer(state: MemoryState, a: number, b: number): boolean {
  return state.table.compareRows(a, b) > 0;
}

export function lookupCalls(state: MemoryState): LookupCalls {
  const { table } = state;
  return {
    async findById(id: string): Promise<TokenRecord | null> {
      return state.find(id);
    },

    findByIdSync(id: string, purpose?: 'verification'): VerificationRecord | null {
      if (purpose !== 'verification') return state.find(id);
      const slot = table.slotOf(id);
      return slot === undefined ? null : table.readForVerification(slot);
    },

    async findByName(tenant: string, owner: string | null, name: string): Promise<TokenRecord | null> {
      const namespace = table.namespaces.find(tenant, owner);
      if (namespace === undefined) return null;
      // The contract has no clock here. A name is reused only once its
      // previous holder is dead (revoked or expired), and neither state is
      // ever undone, so the live holder, if any, is the newest unrevoked one.
      let unrevoked = -1;
      let newest = -1;
      const { rows } = table;
      for (const slot of table.namespaces.named(namespace, name)) {
        if (rows.ref(slot, REF.name) !== name) continue;
        const revoked = !Number.isNaN(rows.time(slot, TIME.revokedAt));
        if (!revoked && (unrevoked === -1 || newer(state, slot, unrevoked))) unrevoked = slot;
        if (newest === -1 || newer(state, slot, newest)) newest = slot;
      }
      const found = unrevoked !== -1 ? unrevoked : newest;
      return found === -1 ? null : table.read(found);
    },

    async list(query) {
      return listPage(state, query);
    },

    async findByLookupHash(hashes: readonly string[]): Promise<TokenRecord | null> {
      for (const hash of hashes) {
        const id = state.byLookupHash.get(hash);
        if (id !== undefined) return state.find(id);
      }
      return null;
    },
  };
}
