/**
 * `tokenward/memory`: the in-memory token repository, the default store for
 * tests and single-process services.
 */
import { TokenError } from '../../core/errors.js';
import { expectKeys } from '../../core/input.js';
import { isLive } from '../../core/records.js';
import type { EventQuery, InsertLimits, ListQuery, RecordChange, TokenRepository } from '../../core/repository.js';
import type { ClaimRecord, DurationPolicy, PolicySubject, TokenEvent, TokenRecord } from '../../core/types.js';
import { frozenClaim, frozenEvent, frozenGrants, frozenPolicy, frozenRecord } from '../shared/freeze.js';
import {
  checkPageLimit,
  compareNewestFirst,
  decodeOptionalCursor,
  encodeCursor,
  isAfterCursor,
  type SortKey,
} from '../shared/paging.js';
import { namespaceIndex } from './namespaces.js';

function tokenKey(record: TokenRecord): SortKey {
  return { time: record.createdAt, id: record.id };
}

function eventKey(event: TokenEvent): SortKey {
  return { time: event.at, id: event.id };
}

function policyKey(tenant: string, subject: PolicySubject): string {
  return `${tenant}\u0000${subject.kind}\u0000${subject.name}`;
}

/**
 * Creates an in-memory `TokenRepository`.
 *
 * Every method does its checks and writes synchronously in one call, so
 * concurrent calls (even many `Promise.all`ed ones) can never interleave
 * between a check and its write: the atomic guarantees of the contract hold
 * by construction within one process. Stored records are frozen copies and
 * are replaced, never mutated, on change, so `findById` returns the stored
 * object without copying it. Data lives as long as the repository object; use
 * `tokenward/sqlite` or `tokenward/postgres` to keep tokens across restarts
 * or to share them between processes.
 *
 * @example
 * ```ts
 * import { createTokenService } from 'tokenward';
 * import { memoryRepository } from 'tokenward/memory';
 *
 * const tokens = createTokenService({ repository: memoryRepository(), … });
 * ```
 */
export function memoryRepository(...none: []): TokenRepository {
  // It takes no options: a path or a pool given here (from JavaScript) belongs to another store.
  expectKeys((none as unknown[])[0], 'options', []);
  const tokens = new Map<string, TokenRecord>();
  // Ids per (tenant, owner): the only secondary token index. Small
  // namespaces are plain arrays sharing the records' id strings, so the
  // index costs little more than one pointer per token.
  const namespaces = namespaceIndex((id) => tokens.get(id)!);
  const claims = new Map<string, ClaimRecord>();
  const policies = new Map<string, DurationPolicy>();
  // Events of each token, kept in ascending (at, id) order.
  const events = new Map<string, TokenEvent[]>();

  const records = (ids: Iterable<string>): TokenRecord[] => Array.from(ids, (id) => tokens.get(id)!);

  function store(record: TokenRecord): void {
    tokens.set(record.id, record);
  }

  function add(record: TokenRecord): void {
    store(record);
    namespaces.add(record);
  }

  // Everything that can throw (copying a record or an event) happens before
  // the first write, so a failed call leaves storage as it was.
  function prepared(event: TokenEvent | undefined): TokenEvent | undefined {
    return event === undefined ? undefined : frozenEvent(event);
  }

  function writeEvent(frozen: TokenEvent | undefined): void {
    if (frozen === undefined) return;
    const list = events.get(frozen.tokenId);
    if (list === undefined) {
      events.set(frozen.tokenId, [frozen]);
      return;
    }
    // Events nearly always arrive in time order, so search from the end.
    let at = list.length;
    while (at > 0 && compareNewestFirst(eventKey(list[at - 1]!), eventKey(frozen)) < 0) at--;
    list.splice(at, 0, frozen);
  }

  function revoked(record: TokenRecord, at: number): TokenRecord {
    return frozenRecord({ ...record, revokedAt: at, version: record.version + 1 }, record.grants);
  }

  return {
    async insert(record: TokenRecord, limits: InsertLimits, event?: TokenEvent): Promise<void> {
      if (tokens.has(record.id)) throw new TokenError('conflict', 'A token with this id exists already.');
      const sameName = records(namespaces.named(record.tenant, record.owner, record.name));
      if (sameName.some((other) => other.name === record.name && isLive(other, limits.now))) {
        throw new TokenError('conflict', 'A live token with this name exists already.');
      }
      const cap = limits.maxLivePerOwner;
      if (cap !== undefined && record.owner !== null) {
        let live = 0;
        for (const id of namespaces.maybeUnrevoked(record.tenant, record.owner)) {
          const other = tokens.get(id)!;
          // Stop at the cap: past it the answer cannot change.
          if (other.type !== 'master' && isLive(other, limits.now) && ++live >= cap) break;
        }
        if (live >= cap) {
          throw new TokenError('limit_exceeded', 'The owner has too many active tokens.', { limit: cap });
        }
      }
      const stored = frozenRecord(record, frozenGrants(record.grants));
      const frozen = prepared(event);
      add(stored);
      writeEvent(frozen);
    },

    async insertMaster(record: TokenRecord, event?: TokenEvent) {
      const existing = records(namespaces.maybeUnrevoked(record.tenant, record.owner)).find(
        (other) => other.type === 'master' && isLive(other, record.createdAt),
      );
      if (existing !== undefined) return { created: false, record: existing };
      if (tokens.has(record.id)) throw new TokenError('conflict', 'A token with this id exists already.');
      const stored = frozenRecord(record, frozenGrants(record.grants));
      const frozen = prepared(event);
      add(stored);
      writeEvent(frozen);
      return { created: true, record: stored };
    },

    async findById(id: string): Promise<TokenRecord | null> {
      return tokens.get(id) ?? null;
    },

    async findByName(tenant: string, owner: string | null, name: string): Promise<TokenRecord | null> {
      // The contract has no clock here. A name is reused only once its
      // previous holder is dead (revoked or expired), and neither state is
      // ever undone, so the live holder, if any, is the newest unrevoked one.
      let unrevoked: TokenRecord | null = null;
      let newest: TokenRecord | null = null;
      for (const record of records(namespaces.named(tenant, owner, name))) {
        if (record.name !== name) continue;
        if (record.revokedAt === null && (unrevoked === null || isNewer(record, unrevoked))) unrevoked = record;
        if (newest === null || isNewer(record, newest)) newest = record;
      }
      return unrevoked ?? newest;
    },

    async list(query: ListQuery) {
      checkPageLimit(query.limit);
      const cursor = decodeOptionalCursor(query.cursor);
      const groups =
        query.owner === undefined ? namespaces.tenantIds(query.tenant) : [namespaces.ids(query.tenant, query.owner)];
      const types = query.types === undefined ? null : new Set(query.types);
      const matches: TokenRecord[] = [];
      for (const ids of groups) {
        for (const id of ids) {
          const record = tokens.get(id)!;
          if (types !== null && !types.has(record.type)) continue;
          if (!query.includeRevoked && record.revokedAt !== null) continue;
          if (!query.includeExpired && record.expiresAt !== null && record.expiresAt <= query.now) continue;
          if (!isAfterCursor(tokenKey(record), cursor)) continue;
          matches.push(record);
        }
      }
      matches.sort((a, b) => compareNewestFirst(tokenKey(a), tokenKey(b)));
      const items = matches.slice(0, query.limit);
      const last = items[items.length - 1];
      return { items, nextCursor: matches.length > query.limit && last ? encodeCursor(tokenKey(last)) : null };
    },

    async update(id: string, expectedVersion: number, change: RecordChange, event?: TokenEvent) {
      const current = tokens.get(id);
      if (current === undefined || current.version !== expectedVersion || current.revokedAt !== null) return null;
      const next = frozenRecord(
        {
          ...current,
          ...definedFields(change),
          version: expectedVersion + 1,
        },
        current.grants,
      );
      const frozen = prepared(event);
      store(next);
      writeEvent(frozen);
      return next;
    },

    async revoke(id: string, at: number, event?: TokenEvent) {
      const current = tokens.get(id);
      if (current === undefined || current.revokedAt !== null) return null;
      const next = revoked(current, at);
      const frozen = prepared(event);
      store(next);
      namespaces.revoked(next);
      writeEvent(frozen);
      return next;
    },

    async revokeOwner(tenant, owner, at, options): Promise<number> {
      const changes: Array<{ next: TokenRecord; event: TokenEvent | undefined }> = [];
      for (const record of records(namespaces.maybeUnrevoked(tenant, owner))) {
        if (record.revokedAt !== null || (record.type === 'master' && !options.includeMaster)) continue;
        const next = revoked(record, at);
        changes.push({ next, event: prepared(options.event?.(next)) });
      }
      for (const { next, event } of changes) {
        store(next);
        namespaces.revoked(next);
        writeEvent(event);
      }
      return changes.length;
    },

    async touch(id: string, at: number): Promise<void> {
      const current = tokens.get(id);
      if (current === undefined || (current.lastUsedAt !== null && current.lastUsedAt >= at)) return;
      store(frozenRecord({ ...current, lastUsedAt: at }, current.grants));
    },

    async purgeExpired(before: number): Promise<number> {
      const doomed: TokenRecord[] = [];
      for (const record of tokens.values()) {
        if (record.expiresAt !== null && record.expiresAt < before) doomed.push(record);
      }
      if (doomed.length === 0) return 0;
      const ids = new Set(doomed.map((record) => record.id));
      for (const id of ids) tokens.delete(id);
      namespaces.removeAll(doomed);
      for (const [codeHash, claim] of claims) if (ids.has(claim.tokenId)) claims.delete(codeHash);
      return doomed.length;
    },

    async insertClaim(claim: ClaimRecord, event?: TokenEvent): Promise<void> {
      if (claims.has(claim.codeHash)) throw new TokenError('conflict', 'This claim exists already.');
      const stored = frozenClaim(claim);
      const frozen = prepared(event);
      claims.set(claim.codeHash, stored);
      writeEvent(frozen);
    },

    async consumeClaim(codeHash: string, now: number): Promise<ClaimRecord | null> {
      const claim = claims.get(codeHash);
      if (claim === undefined || claim.expiresAt <= now) return null;
      claims.delete(codeHash);
      return claim;
    },

    async setPolicy(tenant: string, subject: PolicySubject, maxTtl: number | null, at: number): Promise<void> {
      const key = policyKey(tenant, subject);
      if (maxTtl === null) policies.delete(key);
      else policies.set(key, frozenPolicy({ tenant, subject, maxTtl, updatedAt: at }));
    },

    async policiesFor(tenant: string, user: string, roles: readonly string[]): Promise<DurationPolicy[]> {
      const found: DurationPolicy[] = [];
      const userPolicy = policies.get(policyKey(tenant, { kind: 'user', name: user }));
      if (userPolicy !== undefined) found.push(userPolicy);
      for (const role of new Set(roles)) {
        const rolePolicy = policies.get(policyKey(tenant, { kind: 'role', name: role }));
        if (rolePolicy !== undefined) found.push(rolePolicy);
      }
      return found;
    },

    async appendEvent(event: TokenEvent): Promise<void> {
      writeEvent(prepared(event));
    },

    async listEvents(query: EventQuery) {
      checkPageLimit(query.limit);
      const cursor = decodeOptionalCursor(query.cursor);
      const list = events.get(query.tokenId) ?? [];
      const items: TokenEvent[] = [];
      let more = false;
      for (let i = list.length - 1; i >= 0; i--) {
        const event = list[i]!;
        if (!isAfterCursor(eventKey(event), cursor)) continue;
        if (items.length === query.limit) {
          more = true;
          break;
        }
        items.push(event);
      }
      const last = items[items.length - 1];
      return { items, nextCursor: more && last ? encodeCursor(eventKey(last)) : null };
    },

    async pruneEvents(before: number): Promise<number> {
      let count = 0;
      for (const [tokenId, list] of events) {
        const kept = list.filter((event) => event.at >= before);
        count += list.length - kept.length;
        if (kept.length === 0) events.delete(tokenId);
        else if (kept.length !== list.length) events.set(tokenId, kept);
      }
      return count;
    },

    async close(): Promise<void> {},
  };
}

function isNewer(a: TokenRecord, b: TokenRecord): boolean {
  return compareNewestFirst(tokenKey(a), tokenKey(b)) < 0;
}

// `exactOptionalPropertyTypes` keeps `undefined` out of a RecordChange, but a
// JavaScript caller may still pass one; an absent field never overwrites.
function definedFields(change: RecordChange): Partial<TokenRecord> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(change)) if (value !== undefined) out[key] = value;
  return out as Partial<TokenRecord>;
}
