/** @internal Conformance: `setPolicy` and `policiesFor`. */

import type { DurationPolicy } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { T0 } from '../fixtures.js';

const DAY = 86_400_000;

function sorted(policies: readonly DurationPolicy[]): DurationPolicy[] {
  const key = (policy: DurationPolicy): string => `${policy.subject.kind}:${policy.subject.name}`;
  return [...policies].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function policiesContract({ repo, fx, describe, it }: ContractContext): void {
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
}
