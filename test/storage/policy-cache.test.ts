/**
 * The policies a service keeps for `issue` (src/service/policy-cache.ts), on
 * a third-party store that offers the two optional capabilities
 * (`policiesWithVersion`, `insertAtPolicyVersion`) the way the PostgreSQL
 * store does: a stale version is noticed, the bound holds (least recently
 * used out first), a `setMaxTtl` through the service drops its tenant's
 * entries, and a store with only one of the two is read every time.
 */
import { describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { POLICY_CACHE_ENTRIES } from '../../src/service/policy-cache.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { ALICE, ANALYST, makeHarness } from '../support/service.js';

/** A memory store with a policy version per tenant, counting what the service asks of it. */
function versionedStore(capabilities: 'both' | 'read only' = 'both') {
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
    async policiesWithVersion(tenant, user, roles) {
      calls.withVersion++;
      return { policies: await inner.policiesFor(tenant, user, roles), version: versionOf(tenant) };
    },
  };
  if (capabilities === 'both') {
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

describe('policies kept for issue', () => {
  it('are read once while the version holds; a policy written elsewhere is noticed and governs', async () => {
    const { repository, calls } = versionedStore();
    const h = makeHarness({ repository });
    for (let i = 0; i < 3; i++) await h.service.issue({ ttl: '30d' }, ANALYST);
    expect(calls).toMatchObject({ withVersion: 1, insertAt: 2, stale: 0, policiesFor: 0 });
    // Another instance tightens the policy: straight on the store, not through this service.
    await repository.setPolicy('acme', { kind: 'user', name: 'analyst' }, 86_400_000, h.clock.now());
    await expect(h.service.issue({ ttl: '30d' }, ANALYST)).rejects.toMatchObject({ code: 'duration_exceeds_policy' });
    expect(calls).toMatchObject({ withVersion: 2, insertAt: 3, stale: 1 });
    const issued = await h.service.issue({}, ANALYST);
    expect(issued.info.expiresAt).toEqual(new Date(h.clock.now() + 86_400_000));
    expect(calls).toMatchObject({ withVersion: 2, insertAt: 4, stale: 1 });
  });

  it('a refusal under kept policies is checked against fresh ones (a policy loosened elsewhere)', async () => {
    const { repository, calls } = versionedStore();
    const h = makeHarness({ repository });
    await h.service.setMaxTtl({ tenant: 'acme', user: 'analyst' }, '1d', ALICE);
    await h.service.issue({ ttl: '1d' }, ANALYST);
    await repository.setPolicy('acme', { kind: 'user', name: 'analyst' }, null, h.clock.now());
    await h.service.issue({ ttl: '30d' }, ANALYST);
    expect(calls).toMatchObject({ withVersion: 2, insertAt: 0, stale: 0 });
  });

  it(`keep at most ${POLICY_CACHE_ENTRIES} entries, the least recently used out first`, async () => {
    const users: Record<string, object> = { alice: { admin: true } };
    for (let i = 0; i <= POLICY_CACHE_ENTRIES; i++) users[`u${i}`] = { grants: 'all' };
    const { repository, calls } = versionedStore();
    const h = makeHarness({ repository, directory: staticDirectory({ acme: users }) });
    const issueFor = (i: number) => h.service.issue({ tenant: 'acme', owner: `u${i}` }, ALICE);
    for (let i = 0; i < POLICY_CACHE_ENTRIES; i++) await issueFor(i);
    expect(calls.withVersion).toBe(POLICY_CACHE_ENTRIES);
    await issueFor(0); // kept, and now the most recently used
    expect(calls.withVersion).toBe(POLICY_CACHE_ENTRIES);
    await issueFor(POLICY_CACHE_ENTRIES); // one more: u1, the least recently used, goes
    await issueFor(0);
    expect(calls.withVersion).toBe(POLICY_CACHE_ENTRIES + 1);
    await issueFor(1);
    expect(calls.withVersion).toBe(POLICY_CACHE_ENTRIES + 2);
  });

  it('a setMaxTtl through the service drops its tenant: the next issue reads without a refused insert', async () => {
    const { repository, calls } = versionedStore();
    const h = makeHarness({ repository });
    await h.service.issue({}, ANALYST);
    await h.service.setMaxTtl({ tenant: 'acme', role: 'service_accounts' }, '2d', ALICE);
    await h.service.issue({}, ANALYST);
    expect(calls).toMatchObject({ withVersion: 2, stale: 0 });
  });

  it('a store with policiesWithVersion but no insertAtPolicyVersion is read every time, with policiesFor', async () => {
    const { repository, calls } = versionedStore('read only');
    const h = makeHarness({ repository });
    for (let i = 0; i < 3; i++) await h.service.issue({}, ANALYST);
    expect(calls).toMatchObject({ policiesFor: 3, withVersion: 0 });
  });
});
