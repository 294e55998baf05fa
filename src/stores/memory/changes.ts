/** @internal The memory repository's changes to stored tokens: update, revoke, touch, purge. */
import type { RecordChange, TokenRepository, TokenUse } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { frozenRecord } from '../shared/freeze.js';
import { type MemoryState, revokedRecord } from './state.js';

type ChangeCalls = Pick<TokenRepository, 'update' | 'revoke' | 'revokeOwner' | 'touch' | 'purgeExpired'>;

// `exactOptionalPropertyTypes` keeps `undefined` out of a RecordChange, but a
// JavaScript caller may still pass one; an absent field never overwrites.
function definedFields(change: RecordChange): Partial<TokenRecord> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(change)) if (value !== undefined) out[key] = value;
  return out as Partial<TokenRecord>;
}

/** Records a use in `state`, as `touch` does. */
function touched(state: MemoryState, use: TokenUse): void {
  const current = state.tokens.get(use.id);
  if (current === undefined || (current.lastUsedAt !== null && current.lastUsedAt >= use.at)) return;
  state.store(frozenRecord({ ...current, lastUsedAt: use.at }, current.grants));
}

export function changeCalls(state: MemoryState): ChangeCalls {
  return {
    async update(id: string, expectedVersion: number, change: RecordChange, event?: TokenEvent) {
      const current = state.tokens.get(id);
      if (current === undefined || current.version !== expectedVersion || current.revokedAt !== null) return null;
      const next = frozenRecord({ ...current, ...definedFields(change), version: expectedVersion + 1 }, current.grants);
      const frozen = state.prepared(event);
      state.store(next);
      state.writeEvent(frozen);
      return next;
    },

    async revoke(id: string, at: number, event?: TokenEvent) {
      const current = state.tokens.get(id);
      if (current === undefined || current.revokedAt !== null) return null;
      const next = revokedRecord(current, at);
      const frozen = state.prepared(event);
      state.storeRevoked(next);
      state.writeEvent(frozen);
      return next;
    },

    async revokeOwner(tenant, owner, at, options): Promise<number> {
      const changes: Array<{ next: TokenRecord; event: TokenEvent | undefined }> = [];
      for (const record of state.records(state.namespaces.maybeUnrevoked(tenant, owner))) {
        if (record.revokedAt !== null || (record.type === 'master' && !options.includeMaster)) continue;
        const next = revokedRecord(record, at);
        changes.push({ next, event: state.prepared(options.event?.(next)) });
      }
      for (const { next, event } of changes) {
        state.storeRevoked(next);
        state.writeEvent(event);
      }
      return changes.length;
    },

    async touch(id: string, at: number): Promise<void> {
      touched(state, { id, at });
    },

    async purgeExpired(before: number): Promise<number> {
      const doomed: TokenRecord[] = [];
      for (const record of state.tokens.values()) {
        if (record.expiresAt !== null && record.expiresAt < before) doomed.push(record);
      }
      if (doomed.length === 0) return 0;
      const ids = new Set(doomed.map((record) => record.id));
      for (const id of ids) {
        state.tokens.delete(id);
        state.buckets.delete(id);
      }
      state.namespaces.removeAll(doomed);
      for (const [codeHash, claim] of state.claims) if (ids.has(claim.tokenId)) state.claims.delete(codeHash);
      return doomed.length;
    },
  };
}
