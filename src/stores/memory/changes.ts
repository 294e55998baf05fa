/** @internal The memory repository's changes to stored tokens: update, revoke, touch, purge. */
import { TokenError } from '../../core/errors.js';
import type { RecordChange, TokenRepository, TokenUse } from '../../core/repository.js';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { frozenGrants, frozenMeta, frozenRecord } from '../shared/freeze.js';
import { type MemoryState, revokedRecord } from './state.js';

type ChangeCalls = Pick<TokenRepository, 'update' | 'revoke' | 'revokeOwner' | 'touch' | 'purgeExpired'>;

// `exactOptionalPropertyTypes` keeps `undefined` out of a RecordChange, but a
// JavaScript caller may still pass one; an absent field never overwrites.
function definedFields(change: RecordChange): Partial<TokenRecord> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(change)) if (value !== undefined) out[key] = value;
  return out as Partial<TokenRecord>;
}

/** True when another unrevoked token of `record`'s namespace is called `name` (live or expired). */
function nameHeld(state: MemoryState, record: TokenRecord, name: string): boolean {
  return state
    .records(state.namespaces.named(record.tenant, record.owner, name))
    .some((other) => other.id !== record.id && other.name === name && other.revokedAt === null);
}

/** `current` with `change` applied and its version bumped; refuses a taken name or lookup hash. */
function changed(state: MemoryState, current: TokenRecord, change: RecordChange): TokenRecord {
  const fields = definedFields(change);
  if (fields.name !== undefined && fields.name !== current.name && nameHeld(state, current, fields.name)) {
    throw new TokenError('conflict', 'Another token of the owner has this name.');
  }
  if (state.lookupHashTaken(fields.lookupHash ?? null, current.id)) {
    throw new TokenError('conflict', 'Another token has this lookup hash.');
  }
  const grants = change.grants === undefined ? current.grants : frozenGrants(change.grants);
  const meta = change.meta === undefined ? current.meta : frozenMeta(change.meta);
  return frozenRecord({ ...current, ...fields, version: current.version + 1 }, grants, meta);
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
      const next = changed(state, current, change);
      const frozen = state.prepared(event);
      state.storeChanged(current, next);
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
      for (const [key, expiresAt] of state.warnings) if (expiresAt < before) state.warnings.delete(key);
      if (doomed.length === 0) return 0;
      const ids = new Set(doomed.map((record) => record.id));
      for (const id of ids) state.tokens.delete(id);
      state.namespaces.removeAll(doomed);
      for (const [codeHash, claim] of state.claims) if (ids.has(claim.tokenId)) state.claims.delete(codeHash);
      for (const record of doomed) if (record.lookupHash !== null) state.byLookupHash.delete(record.lookupHash);
      return doomed.length;
    },
  };
}
