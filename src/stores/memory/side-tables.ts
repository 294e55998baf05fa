/** @internal The memory repository's claims, policies and events. */
import { TokenError } from '../../core/errors.js';
import type { EventQuery, TokenRepository } from '../../core/repository.js';
import type { ClaimRecord, DurationPolicy, PolicySubject, TokenEvent } from '../../core/types.js';
import { frozenClaim, frozenPolicy } from '../shared/freeze.js';
import { checkPageLimit, decodeOptionalCursor, eventKey, isAfterCursor, pageOf } from '../shared/paging.js';
import { type MemoryState, policyKey } from './state.js';

type SideTableCalls = Pick<
  TokenRepository,
  'insertClaim' | 'consumeClaim' | 'setPolicy' | 'policiesFor' | 'appendEvent' | 'listEvents' | 'pruneEvents'
>;

export function sideTableCalls(state: MemoryState): SideTableCalls {
  const { claims, policies, events } = state;
  return {
    async insertClaim(claim: ClaimRecord, event?: TokenEvent): Promise<void> {
      if (claims.has(claim.codeHash)) throw new TokenError('conflict', 'This claim exists already.');
      const stored = frozenClaim(claim);
      const prepared = events.prepared(event);
      claims.set(claim.codeHash, stored);
      events.write(prepared);
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
      events.write(events.prepared(event));
    },

    async listEvents(query: EventQuery) {
      checkPageLimit(query.limit);
      const cursor = decodeOptionalCursor(query.cursor);
      const read: TokenEvent[] = [];
      // Newest first, one more than a page so that a next page shows.
      for (const event of events.of(query.tokenId)) {
        if (read.length > query.limit) break;
        if (isAfterCursor(eventKey(event), cursor)) read.push(event);
      }
      return pageOf(read, query.limit, eventKey);
    },

    async pruneEvents(before: number): Promise<number> {
      return events.prune(before);
    },
  };
}
