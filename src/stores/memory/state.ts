/**
 * @internal What one memory repository holds, and the steps every call
 * writes with. Each call does its checks and then these writes in one
 * synchronous run, so no other call can come between them.
 */
import type { ClaimRecord, DurationPolicy, PolicySubject, TokenEvent, TokenRecord } from '../../core/types.js';
import { frozenEvent, frozenRecord } from '../shared/freeze.js';
import { compareNewestFirst, eventKey, tokenKey } from '../shared/paging.js';
import { type NamespaceIndex, namespaceIndex } from './namespaces.js';

/** The stores of one repository. Records, claims, policies and events are frozen and replaced, never changed. */
export class MemoryState {
  readonly tokens = new Map<string, TokenRecord>();
  /**
   * Ids per (tenant, owner): the only secondary token index. Small
   * namespaces are plain arrays sharing the records' id strings, so the
   * index costs little more than one pointer per token.
   */
  readonly namespaces: NamespaceIndex = namespaceIndex((id) => this.tokens.get(id)!);
  readonly claims = new Map<string, ClaimRecord>();
  readonly policies = new Map<string, DurationPolicy>();
  /** Events of each token, kept in ascending (at, id) order. */
  readonly events = new Map<string, TokenEvent[]>();
  /** Imported keys: token ids by `lookupHash` (issue 13). */
  readonly byLookupHash = new Map<string, string>();
  /** Expiry-warning markers (`markExpiring`): the expiry each marker was set for, by `warningKey`. */
  readonly warnings = new Map<string, number>();

  /** The stored records of `ids`. */
  records(ids: Iterable<string>): TokenRecord[] {
    return Array.from(ids, (id) => this.tokens.get(id)!);
  }

  /** Stores a new or changed record (its namespace is unchanged). */
  store(record: TokenRecord): void {
    this.tokens.set(record.id, record);
  }

  /** Stores a new record and indexes it. */
  add(record: TokenRecord): void {
    this.store(record);
    this.namespaces.add(record);
    if (record.lookupHash !== null) this.byLookupHash.set(record.lookupHash, record.id);
  }

  /** True when a token other than `id` has `lookupHash`. */
  lookupHashTaken(lookupHash: string | null, id: string): boolean {
    if (lookupHash === null) return false;
    const holder = this.byLookupHash.get(lookupHash);
    return holder !== undefined && holder !== id;
  }

  /** Stores a changed record, keeping the name and lookup indexes in step with it. */
  storeChanged(previous: TokenRecord, next: TokenRecord): void {
    this.store(next);
    if (next.name !== previous.name) this.namespaces.renamed(next, previous.name);
    if (next.lookupHash !== previous.lookupHash) {
      if (previous.lookupHash !== null) this.byLookupHash.delete(previous.lookupHash);
      if (next.lookupHash !== null) this.byLookupHash.set(next.lookupHash, next.id);
    }
  }

  /** Stores a record that was just revoked. */
  storeRevoked(record: TokenRecord): void {
    this.store(record);
    this.namespaces.revoked(record);
  }

  /**
   * An event ready to write. Everything that can throw (copying a record or
   * an event) happens before the first write, so a failed call leaves
   * storage as it was.
   */
  prepared(event: TokenEvent | undefined): TokenEvent | undefined {
    return event === undefined ? undefined : frozenEvent(event);
  }

  /** Appends a prepared event to its token's history, in (at, id) order. */
  writeEvent(frozen: TokenEvent | undefined): void {
    if (frozen === undefined) return;
    const list = this.events.get(frozen.tokenId);
    if (list === undefined) {
      this.events.set(frozen.tokenId, [frozen]);
      return;
    }
    // Events nearly always arrive in time order, so search from the end.
    let at = list.length;
    while (at > 0 && compareNewestFirst(eventKey(list[at - 1]!), eventKey(frozen)) < 0) at--;
    list.splice(at, 0, frozen);
  }
}

/** `record` revoked at `at`, with its version bumped. */
export function revokedRecord(record: TokenRecord, at: number): TokenRecord {
  return frozenRecord({ ...record, revokedAt: at, version: record.version + 1 }, record.grants);
}

/** True when `a` sorts before `b` newest first. */
export function isNewer(a: TokenRecord, b: TokenRecord): boolean {
  return compareNewestFirst(tokenKey(a), tokenKey(b)) < 0;
}

/** The key of an expiry-warning marker in `MemoryState.warnings`. */
export function warningKey(id: string, within: number, expiresAt: number): string {
  return `${id}\u0000${within}\u0000${expiresAt}`;
}

/** The key of a policy in `MemoryState.policies`. */
export function policyKey(tenant: string, subject: PolicySubject): string {
  return `${tenant}\u0000${subject.kind}\u0000${subject.name}`;
}
