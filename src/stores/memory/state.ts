/**
 * @internal What one memory repository holds, and the steps every call
 * writes with. Each call does its checks and then these writes in one
 * synchronous run, so no other call can come between them.
 */
import type { RateLimitState } from '../../core/metering.js';
import type { RevokedSession } from '../../core/repository.js';
import type { ClaimRecord, DurationPolicy, PolicySubject, TokenEvent, TokenRecord } from '../../core/types.js';
import { EventStore } from './events.js';
import { REF, TIME } from './rows.js';
import { type PreparedRow, TokenTable } from './table.js';

/** The stores of one repository. Claims and policies are frozen and replaced, never changed. */
export class MemoryState {
  readonly table = new TokenTable();
  readonly events = new EventStore(this.table);
  readonly claims = new Map<string, ClaimRecord>();
  readonly policies = new Map<string, DurationPolicy>();
  /** The buckets of metered tokens' rate limits, by token id (none before a token's first spend). */
  readonly buckets = new Map<string, RateLimitState>();
  /** Signed-out sessions by session id, until they expire. */
  readonly revokedSessions = new Map<string, RevokedSession>();
  /** Imported keys: token ids by `lookupHash` (issue 13). */
  readonly byLookupHash = new Map<string, string>();
  /** Expiry-warning markers (`markExpiring`): the expiry each marker was set for, by `warningKey`. */
  readonly warnings = new Map<string, number>();

  /** The record of a token id, as a new object, or null. */
  find(id: string): TokenRecord | null {
    const slot = this.table.slotOf(id);
    return slot === undefined ? null : this.table.read(slot);
  }

  /** Whether the token in `slot` is live at `now`, read from its columns. */
  isLiveAt(slot: number, now: number): boolean {
    const { rows } = this.table;
    if (!Number.isNaN(rows.time(slot, TIME.revokedAt))) return false;
    const expiresAt = rows.time(slot, TIME.expiresAt);
    return Number.isNaN(expiresAt) || expiresAt > now;
  }

  /** Stores a new record and its event, both prepared: nothing here throws. */
  add(row: PreparedRow, event: TokenEvent | undefined): TokenRecord {
    const slot = this.table.insert(row);
    this.events.write(event);
    const { lookupHash } = row.record;
    if (lookupHash != null) this.byLookupHash.set(lookupHash, row.record.id);
    return this.table.read(slot);
  }

  /** True when a token other than `id` has `lookupHash`. */
  lookupHashTaken(lookupHash: string | null | undefined, id: string): boolean {
    if (lookupHash == null) return false;
    const holder = this.byLookupHash.get(lookupHash);
    return holder !== undefined && holder !== id;
  }

  /**
   * Writes a prepared change of the token in `slot` (same id, tenant and
   * owner); `revoking` when the change revokes it. Nothing here throws.
   */
  change(slot: number, row: PreparedRow, revoking: boolean): void {
    const { namespaces } = this.table;
    const namespace = this.table.namespaceOf(slot);
    const before = this.table.rows.ref(slot, REF.name) as string;
    const lookupBefore = lookupHashOf(this.table.rows.ref(slot, REF.rest));
    this.table.write(slot, row, namespace);
    const lookupAfter = row.record.lookupHash ?? null;
    if (lookupAfter !== lookupBefore) {
      if (lookupBefore !== null) this.byLookupHash.delete(lookupBefore);
      if (lookupAfter !== null) this.byLookupHash.set(lookupAfter, row.record.id);
    }
    namespaces.renamed(namespace, slot, before, row.name ?? before);
    if (revoking) namespaces.revoked(namespace, slot);
  }

  /** Deletes tokens, with their claims and buckets; their events move out of their rows first. */
  remove(slots: readonly number[]): void {
    const ids = new Set<string>();
    for (const slot of slots) {
      const id = this.table.idOf(slot);
      ids.add(id);
      this.buckets.delete(id);
      const lookupHash = lookupHashOf(this.table.rows.ref(slot, REF.rest));
      if (lookupHash !== null) this.byLookupHash.delete(lookupHash);
      this.events.evict(slot);
    }
    this.table.namespaces.removeAll(slots);
    for (const slot of slots) this.table.remove(slot);
    for (const [codeHash, claim] of this.claims) if (ids.has(claim.tokenId)) this.claims.delete(codeHash);
  }
}

/** The lookup hash of an imported key, kept in its row's rest (table.ts); null for others. */
function lookupHashOf(rest: unknown): string | null {
  return (rest as { readonly lookupHash?: string | null } | null)?.lookupHash ?? null;
}

/** The key of an expiry-warning marker in `MemoryState.warnings`. */
export function warningKey(id: string, within: number, expiresAt: number): string {
  return `${id}\u0000${within}\u0000${expiresAt}`;
}

/** The key of a policy in `MemoryState.policies`. */
export function policyKey(tenant: string, subject: PolicySubject): string {
  return `${tenant}\u0000${subject.kind}\u0000${subject.name}`;
}
