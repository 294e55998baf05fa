/** @internal Conformance: `setPolicy` and `policiesFor`, and the optional policy versions (`policiesWithVersion`, `insertAtPolicyVersion`). */

import type { DurationPolicy } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { expectTokenError, T0 } from '../fixtures.js';
import { skipTest } from '../runner.js';

const DAY = 86_400_000;

function sorted(policies: readonly DurationPolicy[]): DurationPolicy[] {
  const key = (policy: DurationPolicy): string => `${policy.subject.kind}:${policy.subject.name}`;
  return [...policies].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function policiesContract(context: ContractContext): void {
  const { repo, fx, describe, it } = context;
  describe('duration policies', () => {
    it('sets, replaces and removes the policy of a user', async () => {
      const { tenant } = fx();
      const subject = { kind: 'user', name: 'analyst' } as const;
      await repo().setPolicy(tenant, subject, DAY, T0);
      expect(await repo().policiesFor(tenant, 'analyst', [])).toEqual([
        { tenant, subject, maxTtl: DAY, updatedAt: T0 },
      ]);
      await repo().setPolicy(tenant, subject, 2 * DAY, T0 + 1);
      expect(await repo().policiesFor(tenant, 'analyst', [])).toEqual([
        { tenant, subject, maxTtl: 2 * DAY, updatedAt: T0 + 1 },
      ]);
      await repo().setPolicy(tenant, subject, null, T0 + 2);
      expect(await repo().policiesFor(tenant, 'analyst', [])).toEqual([]);
      await expect(repo().setPolicy(tenant, subject, null, T0 + 3)).resolves.toBeUndefined();
    });

    it("returns the user's policy and those of the listed roles only", async () => {
      const { tenant } = fx();
      await repo().setPolicy(tenant, { kind: 'user', name: 'analyst' }, DAY, T0);
      await repo().setPolicy(tenant, { kind: 'user', name: 'ops' }, 3 * DAY, T0);
      await repo().setPolicy(tenant, { kind: 'role', name: 'ops' }, 30 * DAY, T0);
      await repo().setPolicy(tenant, { kind: 'role', name: 'service_accounts' }, 7 * DAY, T0);
      await repo().setPolicy(tenant, { kind: 'role', name: 'auditors' }, 2 * DAY, T0);
      const found = await repo().policiesFor(tenant, 'analyst', ['ops', 'service_accounts', 'unknown']);
      expect(sorted(found)).toEqual([
        { tenant, subject: { kind: 'role', name: 'ops' }, maxTtl: 30 * DAY, updatedAt: T0 },
        { tenant, subject: { kind: 'role', name: 'service_accounts' }, maxTtl: 7 * DAY, updatedAt: T0 },
        { tenant, subject: { kind: 'user', name: 'analyst' }, maxTtl: DAY, updatedAt: T0 },
      ]);
      expect(await repo().policiesFor(tenant, 'nobody', [])).toEqual([]);
      expect(sorted(await repo().policiesFor(tenant, 'ops', []))).toEqual([
        { tenant, subject: { kind: 'user', name: 'ops' }, maxTtl: 3 * DAY, updatedAt: T0 },
      ]);
    });

    it('keeps tenants apart', async () => {
      const { tenant, otherTenant } = fx();
      await repo().setPolicy(tenant, { kind: 'user', name: 'analyst' }, DAY, T0);
      await repo().setPolicy(tenant, { kind: 'role', name: 'ops' }, DAY, T0);
      expect(await repo().policiesFor(otherTenant, 'analyst', ['ops'])).toEqual([]);
      await repo().setPolicy(otherTenant, { kind: 'user', name: 'analyst' }, null, T0);
      expect(await repo().policiesFor(tenant, 'analyst', [])).toHaveLength(1);
    });
  });

  policyVersionsContract(context);
}

/** Optional capabilities, as a pair: with them the service keeps the policies it read (issue 12). */
function policyVersionsContract({ repo, fx, describe, it }: ContractContext): void {
  describe('policy versions, when the store has them', () => {
    it('one version per tenant, changed by every policy write of that tenant only', async function (this: unknown, ...args: unknown[]) {
      const store = repo();
      if (store.policiesWithVersion === undefined || store.insertAtPolicyVersion === undefined) {
        return skipTest(this, args, 'the store has no policy versions');
      }
      const { tenant, otherTenant } = fx();
      const first = await store.policiesWithVersion(tenant, 'analyst', ['ops']);
      expect(first.policies).toEqual([]);
      await store.setPolicy(tenant, { kind: 'role', name: 'ops' }, DAY, T0);
      const second = await store.policiesWithVersion(tenant, 'analyst', ['ops', 'ops']);
      expect(second.version === first.version, 'the version after a write').toBe(false);
      expect(second.policies).toEqual(await store.policiesFor(tenant, 'analyst', ['ops']));
      await store.setPolicy(otherTenant, { kind: 'user', name: 'analyst' }, DAY, T0);
      expect((await store.policiesWithVersion(tenant, 'analyst', [])).version).toBe(second.version);
      await store.setPolicy(tenant, { kind: 'role', name: 'ops' }, null, T0 + 1);
      expect(
        (await store.policiesWithVersion(tenant, 'analyst', [])).version === second.version,
        'the version after a removal',
      ).toBe(false);
    });

    it('an insert at an old version writes nothing and answers false; at the current one it stores, and refuses as insert does', async function (this: unknown, ...args: unknown[]) {
      const store = repo();
      if (store.policiesWithVersion === undefined || store.insertAtPolicyVersion === undefined) {
        return skipTest(this, args, 'the store has no policy versions');
      }
      const f = fx();
      const { version } = await store.policiesWithVersion(f.tenant, 'alice', []);
      await store.setPolicy(f.tenant, { kind: 'user', name: 'alice' }, DAY, T0);
      const record = f.token({ name: 'at_a_version' });
      expect(await store.insertAtPolicyVersion(record, { now: T0 }, version, f.event(record.id))).toBe(false);
      expect(await store.findById(record.id)).toBeNull();
      expect((await store.listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([]);
      const current = await store.policiesWithVersion(f.tenant, 'alice', []);
      expect(await store.insertAtPolicyVersion(record, { now: T0 }, current.version, f.event(record.id))).toBe(true);
      expect(await store.findById(record.id)).toEqual(record);
      await expectTokenError(
        store.insertAtPolicyVersion(f.token({ name: 'at_a_version' }), { now: T0 }, current.version),
        'conflict',
      );
    });
  });
}
