/**
 * A memory store with the two optional capabilities of a store with policy
 * versions (`policiesWithVersion`, `insertAtPolicyVersion`), offered the way
 * the PostgreSQL store offers them: a version per tenant that every
 * `setPolicy` moves, and an insert refused (`false`, nothing written) when
 * the version it was decided under has moved. It counts what the service
 * asks of it. For the policies `issue` keeps (src/service/policy-cache.ts).
 */
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';

/** Which of the two capabilities the store offers. */
export type VersionCapabilities = 'both' | 'read only' | 'insert only';

export interface VersionedStore {
  readonly repository: TokenRepository;
  /** Calls of `policiesFor`, `policiesWithVersion`, `insertAtPolicyVersion`, and the inserts refused as stale. */
  readonly calls: { policiesFor: number; withVersion: number; insertAt: number; stale: number };
}

export function versionedStore(capabilities: VersionCapabilities = 'both'): VersionedStore {
  const inner = memoryRepository();
  const versions = new Map<string, number>();
  const calls = { policiesFor: 0, withVersion: 0, insertAt: 0, stale: 0 };
  const versionOf = (tenant: string): number => versions.get(tenant) ?? 0;
  const repository: TokenRepository = {
    ...inner,
    async setPolicy(tenant, subject, maxTtl, at) {
      await inner.setPolicy(tenant, subject, maxTtl, at);
      versions.set(tenant, versionOf(tenant) + 1);
    },
    async policiesFor(tenant, user, roles) {
      calls.policiesFor++;
      return inner.policiesFor(tenant, user, roles);
    },
  };
  if (capabilities !== 'insert only') {
    repository.policiesWithVersion = async (tenant, user, roles) => {
      calls.withVersion++;
      return { policies: await inner.policiesFor(tenant, user, roles), version: versionOf(tenant) };
    };
  }
  if (capabilities !== 'read only') {
    repository.insertAtPolicyVersion = async (record, limits, policyVersion, event) => {
      calls.insertAt++;
      // One process: nothing runs between this check and the insert's own checks.
      if (versionOf(record.tenant) !== policyVersion) {
        calls.stale++;
        return false;
      }
      await inner.insert(record, limits, event);
      return true;
    };
  }
  return { repository, calls };
}
