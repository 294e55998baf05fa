/** @internal Conformance: `insert` and `insertMaster`. */

import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { expectTokenError, T0 } from '../fixtures.js';

export function insertContract(context: ContractContext): void {
  insertNamesContract(context);
  insertCapContract(context);
  insertMasterContract(context);
}

function insertNamesContract({ repo, fx, describe, it }: ContractContext): void {
  describe('insert', () => {
    it('stores the record as given', async () => {
      const record = fx().token({
        grants: [
          { bucket: 'in.c-main', access: 'read' },
          { component: 'ex-db', actions: ['run'] },
          { scope: 'report' },
        ],
        comment: 'ci pipeline',
        expiresAt: T0 + 1000,
      });
      await repo().insert(record, { now: T0 });
      expect(await repo().findById(record.id)).toEqual(record);
    });

    it('refuses a second live token with the same name in the namespace, writing nothing', async () => {
      const first = fx().token({ name: 'ci' });
      const second = fx().token({ name: 'ci', type: 'limited', grants: [] });
      await repo().insert(first, { now: T0 });
      await expectTokenError(repo().insert(second, { now: T0 }, fx().event(second.id)), 'conflict');
      expect(await repo().findById(second.id)).toBeNull();
      expect((await repo().listEvents({ tokenId: second.id, limit: 10 })).items).toEqual([]);
    });

    it('allows the name again once the first token is revoked', async () => {
      const first = fx().token({ name: 'ci' });
      await repo().insert(first, { now: T0 });
      await repo().revoke(first.id, T0 + 1);
      const second = fx().token({ name: 'ci', createdAt: T0 + 2 });
      await repo().insert(second, { now: T0 + 2 });
      expect((await repo().findById(second.id))?.name).toBe('ci');
    });

    it('allows the name again once the first token has expired, and not a moment earlier', async () => {
      const first = fx().token({ name: 'ci', expiresAt: T0 + 10 });
      await repo().insert(first, { now: T0 });
      const early = fx().token({ name: 'ci', createdAt: T0 + 9 });
      await expectTokenError(repo().insert(early, { now: T0 + 9 }), 'conflict');
      const onTime = fx().token({ name: 'ci', createdAt: T0 + 10 });
      await repo().insert(onTime, { now: T0 + 10 });
      expect(await repo().findById(onTime.id)).not.toBeNull();
    });

    it('keeps names per (tenant, owner), with administrative tokens in a namespace of their own', async () => {
      const f = fx();
      const records = [
        f.token({ name: 'ci', owner: 'alice' }),
        f.token({ name: 'ci', owner: 'bob' }),
        f.token({ name: 'ci', owner: 'alice', tenant: f.otherTenant }),
        f.token({ name: 'ci', owner: null, type: 'administrative' }),
        f.token({ name: 'ci', owner: null, type: 'administrative', tenant: f.otherTenant }),
      ];
      for (const record of records) await repo().insert(record, { now: T0 });
      for (const record of records) expect(await repo().findById(record.id)).toEqual(record);
      const duplicateAdmin = f.token({ name: 'ci', owner: null, type: 'administrative' });
      await expectTokenError(repo().insert(duplicateAdmin, { now: T0 }), 'conflict');
    });

    it('refuses a duplicate id, even in another namespace and after revocation', async () => {
      const first = fx().token();
      await repo().insert(first, { now: T0 });
      await repo().revoke(first.id, T0 + 1);
      const copy = fx().token({ id: first.id, owner: 'bob', name: 'other', tenant: fx().otherTenant });
      await expectTokenError(repo().insert(copy, { now: T0 + 2 }), 'conflict');
      expect((await repo().findById(first.id))?.owner).toBe('alice');
    });
  });
}

function insertCapContract({ repo, fx, describe, it }: ContractContext): void {
  describe('insert: the per-owner cap and the event', () => {
    it('enforces maxLivePerOwner over live non-master tokens only', async () => {
      const f = fx();
      const limits = { now: T0 + 100, maxLivePerOwner: 2 };
      await repo().insertMaster(f.token({ type: 'master', name: 'master' }));
      const revoked = f.token();
      await repo().insert(revoked, limits);
      await repo().revoke(revoked.id, T0 + 50);
      await repo().insert(f.token({ expiresAt: T0 + 100 }), { now: T0 });
      await repo().insert(f.token(), limits);
      await repo().insert(f.token({ type: 'limited', grants: [] }), limits);
      const third = f.token();
      const error = await expectTokenError(repo().insert(third, limits, f.event(third.id)), 'limit_exceeded');
      expect(error.message).not.toContain(third.secretHash);
      expect(await repo().findById(third.id)).toBeNull();
      expect((await repo().listEvents({ tokenId: third.id, limit: 10 })).items).toEqual([]);
      // Without the limit, or for another owner or tenant, the insert goes through.
      await repo().insert(f.token(), { now: T0 + 100 });
      await repo().insert(f.token({ owner: 'bob' }), limits);
      await repo().insert(f.token({ tenant: f.otherTenant }), limits);
    });

    it('frees a place under the cap when a token is revoked or expires', async () => {
      const f = fx();
      const a = f.token({ expiresAt: T0 + 10 });
      const b = f.token();
      await repo().insert(a, { now: T0, maxLivePerOwner: 2 });
      await repo().insert(b, { now: T0, maxLivePerOwner: 2 });
      await expectTokenError(repo().insert(f.token(), { now: T0 + 9, maxLivePerOwner: 2 }), 'limit_exceeded');
      await repo().insert(f.token({ createdAt: T0 + 10 }), { now: T0 + 10, maxLivePerOwner: 2 });
      await expectTokenError(repo().insert(f.token(), { now: T0 + 10, maxLivePerOwner: 2 }), 'limit_exceeded');
      await repo().revoke(b.id, T0 + 11);
      await repo().insert(f.token({ createdAt: T0 + 12 }), { now: T0 + 12, maxLivePerOwner: 2 });
    });

    it('writes the event together with the record', async () => {
      const record = fx().token();
      const event = fx().event(record.id, { detail: { type: 'personal', ttl: 86_400_000 } });
      await repo().insert(record, { now: T0 }, event);
      expect((await repo().listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([event]);
    });
  });
}

function insertMasterContract({ repo, fx, describe, it }: ContractContext): void {
  describe('insertMaster', () => {
    it('creates the master token when the user has none, with its event', async () => {
      const f = fx();
      await repo().insert(f.token({ name: 'personal' }), { now: T0 });
      const master = f.token({ type: 'master', name: 'master' });
      const event = f.event(master.id);
      const result = await repo().insertMaster(master, event);
      expect(result).toEqual({ created: true, record: master });
      expect(await repo().findById(master.id)).toEqual(master);
      expect((await repo().listEvents({ tokenId: master.id, limit: 10 })).items).toEqual([event]);
    });

    it('returns the existing live master instead of creating a second one', async () => {
      const f = fx();
      const first = f.token({ type: 'master', name: 'master' });
      await repo().insertMaster(first);
      const second = f.token({ type: 'master', name: 'master', createdAt: T0 + 5 });
      const result = await repo().insertMaster(second, f.event(second.id));
      expect(result.created).toBe(false);
      expect(result.record).toEqual(first);
      expect(await repo().findById(second.id)).toBeNull();
      expect((await repo().listEvents({ tokenId: second.id, limit: 10 })).items).toEqual([]);
    });

    it('keeps one master per (tenant, owner)', async () => {
      const f = fx();
      const masters = [
        f.token({ type: 'master', name: 'master', owner: 'alice' }),
        f.token({ type: 'master', name: 'master', owner: 'bob' }),
        f.token({ type: 'master', name: 'master', owner: 'alice', tenant: f.otherTenant }),
      ];
      for (const master of masters) expect((await repo().insertMaster(master)).created).toBe(true);
    });

    it('creates a new master after the old one is revoked', async () => {
      const f = fx();
      const old = f.token({ type: 'master', name: 'master' });
      await repo().insertMaster(old);
      await repo().revoke(old.id, T0 + 1);
      const fresh = f.token({ type: 'master', name: 'master', createdAt: T0 + 2 });
      expect(await repo().insertMaster(fresh)).toEqual({ created: true, record: fresh });
    });
  });
}
