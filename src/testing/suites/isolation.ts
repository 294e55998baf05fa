/**
 * @internal Conformance: objects handed to or returned by the repository are
 * not live views of storage. Changing them must not change a later read.
 */

import type { Grant } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { T0, tryMutate, type Writable } from '../fixtures.js';

export function isolationContract({ repo, fx, describe, it }: ContractContext): void {
  describe('records are not live views of storage', () => {
    it('changing the inserted object afterwards does not change storage', async () => {
      const grants: Grant[] = [{ scope: 'report' }];
      const record = fx().token({ type: 'limited', grants });
      const expected = structuredClone(record);
      await repo().insert(record, { now: T0 });
      (record as Writable<typeof record>).comment = 'changed';
      grants.push({ scope: 'admin' });
      expect(await repo().findById(record.id)).toEqual(expected);
    });

    it('changing a returned record does not change storage', async () => {
      const record = fx().token({ type: 'limited', grants: [{ component: 'ex-db', actions: ['run'] }] });
      await repo().insert(record, { now: T0 });
      const expected = structuredClone(record);
      const found = (await repo().findById(record.id))!;
      tryMutate(() => {
        (found as Writable<typeof found>).revokedAt = T0;
      });
      tryMutate(() => {
        (found.grants as Grant[]).push({ scope: 'admin' });
      });
      tryMutate(() => {
        (found.grants![0] as unknown as { actions: string[] }).actions.push('configure');
      });
      const listed = (
        await repo().list({ tenant: fx().tenant, includeExpired: true, includeRevoked: true, now: T0, limit: 10 })
      ).items[0]!;
      tryMutate(() => {
        (listed as Writable<typeof listed>).name = 'changed';
      });
      const byName = (await repo().findByName(fx().tenant, 'alice', record.name))!;
      tryMutate(() => {
        (byName as Writable<typeof byName>).version = 99;
      });
      const updated = (await repo().update(record.id, 1, { comment: 'new' }))!;
      tryMutate(() => {
        (updated as Writable<typeof updated>).comment = 'changed';
      });
      expect(await repo().findById(record.id)).toEqual({ ...expected, comment: 'new', version: 2 });
    });

    it('changing events, claims and policies after the call does not change storage', async () => {
      const f = fx();
      const tokenId = f.id();
      const detail = { list: [1, 2] };
      const event = f.event(tokenId, { detail });
      await repo().appendEvent(event);
      detail.list.push(3);
      const listed = (await repo().listEvents({ tokenId, limit: 10 })).items[0]!;
      tryMutate(() => {
        (listed.detail as { list: number[] }).list.push(4);
      });
      expect((await repo().listEvents({ tokenId, limit: 10 })).items).toEqual([{ ...event, detail: { list: [1, 2] } }]);

      const claim = f.claim(tokenId);
      const expectedClaim = { ...claim };
      await repo().insertClaim(claim);
      (claim as Writable<typeof claim>).expiresAt = T0;
      expect(await repo().consumeClaim(claim.codeHash, T0 + 1)).toEqual(expectedClaim);

      const subject = { kind: 'user' as 'user' | 'role', name: 'analyst' };
      await repo().setPolicy(f.tenant, subject, 1000, T0);
      subject.kind = 'role';
      const [policy] = await repo().policiesFor(f.tenant, 'analyst', []);
      tryMutate(() => {
        (policy as Writable<NonNullable<typeof policy>>).maxTtl = 1;
      });
      expect(await repo().policiesFor(f.tenant, 'analyst', [])).toEqual([
        { tenant: f.tenant, subject: { kind: 'user', name: 'analyst' }, maxTtl: 1000, updatedAt: T0 },
      ]);
    });
  });
}
