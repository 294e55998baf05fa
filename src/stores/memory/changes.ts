/** @internal The memory repository's changes to stored tokens: update, revoke, touch (in place too), purge. */
import { TokenError } from '../../core/errors.js';
import type { RecordChange, TokenRepository } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { MASTER_CODE } from './namespaces.js';
import { INT, REF, TIME } from './rows.js';
import type { MemoryState } from './state.js';

type ChangeCalls = Pick<TokenRepository, 'update' | 'revoke' | 'revokeOwner' | 'touch' | 'purgeExpired'> &
  Required<Pick<TokenRepository, 'touchSync'>>;

// `exactOptionalPropertyTypes` keeps `undefined` out of a RecordChange, but a
// JavaScript caller may still pass one; an absent field never overwrites.
function definedFields(change: RecordChange): Partial<TokenRecord> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(change)) if (value !== undefined) out[key] = value;
  return out as Partial<TokenRecord>;
}

/** `record` revoked at `at`, with its version bumped. */
function revokedRecord(record: TokenRecord, at: number): TokenRecord {
  return { ...record, revokedAt: at, version: record.version + 1 };
}

/** True when another unrevoked token of the row's namespace is called `name` (live or expired). */
function nameHeld(state: MemoryState, slot: number, name: string): boolean {
  const { rows, namespaces } = state.table;
  for (const other of namespaces.named(state.table.namespaceOf(slot), name)) {
    if (other === slot || rows.ref(other, REF.name) !== name) continue;
    if (Number.isNaN(rows.time(other, TIME.revokedAt))) return true;
  }
  return false;
}

/** Refuses a change that renames to a name held or takes another token's lookup hash. */
function checkChange(state: MemoryState, slot: number, current: TokenRecord, change: RecordChange): void {
  const { name, lookupHash } = change;
  if (name !== undefined && name !== current.name && nameHeld(state, slot, name)) {
    throw new TokenError('conflict', 'Another token of the owner has this name.');
  }
  if (state.lookupHashTaken(lookupHash, current.id)) {
    throw new TokenError('conflict', 'Another token has this lookup hash.');
  }
}

/** Records a use, as `touch` does: `lastUsedAt` only moves forward. One column write, no event. */
function touched(state: MemoryState, id: string, at: number): void {
  const slot = state.table.slotOf(id);
  if (slot === undefined) return;
  const { rows } = state.table;
  const last = rows.time(slot, TIME.lastUsedAt);
  if (Number.isNaN(last) || last < at) rows.setTime(slot, TIME.lastUsedAt, at);
}

export function changeCalls(state: MemoryState): ChangeCalls {
  const { table, events } = state;
  return {
    async update(id: string, expectedVersion: number, change: RecordChange, event?: TokenEvent) {
      const slot = table.slotOf(id);
      if (slot === undefined) return null;
      const current = table.read(slot);
      if (current.version !== expectedVersion || current.revokedAt !== null) return null;
      checkChange(state, slot, current, change);
      const row = table.prepare({ ...current, ...definedFields(change), version: expectedVersion + 1 });
      const prepared = events.prepared(event);
      state.change(slot, row, false);
      events.write(prepared);
      return table.read(slot);
    },

    async revoke(id: string, at: number, event?: TokenEvent) {
      const slot = table.slotOf(id);
      if (slot === undefined) return null;
      const current = table.read(slot);
      if (current.revokedAt !== null) return null;
      const row = table.prepare(revokedRecord(current, at));
      const prepared = events.prepared(event);
      state.change(slot, row, true);
      events.write(prepared);
      return table.read(slot);
    },

    async revokeOwner(tenant, owner, at, options): Promise<number> {
      const namespace = table.namespaces.find(tenant, owner);
      if (namespace === undefined) return 0;
      const { rows } = table;
      const changes: Array<{ slot: number; row: ReturnType<typeof table.prepare>; event: TokenEvent | undefined }> = [];
      // Everything that can throw (an event builder, a copy) runs before the first write;
      // oldest first, as the SQL stores build their events.
      for (const slot of [...table.namespaces.rowsOf(namespace)].reverse()) {
        if (!Number.isNaN(rows.time(slot, TIME.revokedAt))) continue;
        if (rows.int(slot, INT.type) === MASTER_CODE && !options.includeMaster) continue;
        const next = revokedRecord(table.read(slot), at);
        changes.push({ slot, row: table.prepare(next), event: events.prepared(options.event?.(next)) });
      }
      for (const { slot, row, event } of changes) {
        state.change(slot, row, true);
        events.write(event);
      }
      return changes.length;
    },

    async touch(id: string, at: number): Promise<void> {
      touched(state, id, at);
    },

    // The row is in memory and verification has just read it: the use is written in place, at once.
    touchSync(id: string, at: number): void {
      touched(state, id, at);
    },

    async purgeExpired(before: number): Promise<number> {
      const { rows } = table;
      const doomed: number[] = [];
      for (let slot = 0; slot < rows.extent; slot++) {
        // A free row's expiry is NaN, which is never before anything.
        if (rows.time(slot, TIME.expiresAt) < before) doomed.push(slot);
      }
      for (const [key, expiresAt] of state.warnings) if (expiresAt < before) state.warnings.delete(key);
      if (doomed.length > 0) state.remove(doomed);
      return doomed.length;
    },
  };
}
