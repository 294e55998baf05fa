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
import { POLICY_CACHE_ENTRIES } from '../../src/service/policy-cache.js';
import { ALICE, ANALYST, makeHarness } from '../support/service.js';
import { versionedStore } from '../support/versioned-store.js';

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
