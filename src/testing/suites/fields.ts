/**
 * @internal Conformance: the fields of issue 13 on stored tokens — `meta`,
 * `enabled` and `lookupHash` kept as given by `insert` and `update`, and
 * `update` changing a token's name, grants and expiry in place (a rename
 * refused while another unrevoked token of the namespace holds the name).
 */
import type { TokenRecord } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { everyToken, expectTokenError, race, T0, tryMutate, type Writable } from '../fixtures.js';

const META = {
  customer: 'cus_4711',
  plan: 'pro',
  seats: 12,
  ratio: 0.25,
  beta: true,
  none: null,
  tags: ['eu', 'café'],
  nested: { depth: { deeper: 'ok' } },
};

export function fieldsContract(context: ContractContext): void {
  storedFieldsContract(context);
  updatedFieldsContract(context);
  renameContract(context);
}

function storedFieldsContract({ repo, fx, describe, it }: ContractContext): void {
  describe('meta, enabled and lookupHash', () => {
    it('insert keeps meta, enabled and lookupHash as given, and every listing returns them', async () => {
      const record = fx().token({ meta: META, enabled: false, lookupHash: `sha256:${'ab'.repeat(32)}` });
      const plain = fx().token();
      await repo().insert(record, { now: T0 });
      await repo().insert(plain, { now: T0 });
      expect(await repo().findById(record.id)).toEqual(record);
      expect(await repo().findById(plain.id)).toEqual(plain);
      expect(await repo().findByName(record.tenant, record.owner, record.name)).toEqual(record);
      const listed = (await repo().list(everyToken(fx().tenant))).items;
      expect(listed.find((item) => item.id === record.id)).toEqual(record);
    });

    it('meta handed out is no live view of storage, and the caller keeps no handle on it', async () => {
      const meta = { plan: 'pro', nested: { seats: 1 } };
      const record = fx().token({ meta });
      await repo().insert(record, { now: T0 });
      meta.nested.seats = 99;
      const found = await repo().findById(record.id);
      tryMutate(() => {
        ((found!.meta as Record<string, unknown>).nested as Writable<{ seats: number }>).seats = 42;
      });
      expect((await repo().findById(record.id))?.meta).toEqual({ plan: 'pro', nested: { seats: 1 } });
    });

    it('update sets and clears meta, disables and enables, sets and clears lookupHash', async () => {
      const record = fx().token();
      await repo().insert(record, { now: T0 });
      const hash = `sha256:${'cd'.repeat(32)}`;
      const changed = await repo().update(record.id, 1, { meta: META, enabled: false, lookupHash: hash });
      expect(changed).toEqual({ ...record, meta: META, enabled: false, lookupHash: hash, version: 2 });
      expect(await repo().findById(record.id)).toEqual(changed);
      const back = await repo().update(record.id, 2, { meta: null, enabled: true, lookupHash: null });
      expect(back).toEqual({ ...record, version: 3 });
      expect(await repo().findById(record.id)).toEqual(back);
    });
  });
}

function updatedFieldsContract({ repo, fx, describe, it }: ContractContext): void {
  describe('update of grants and expiry', () => {
    it('replaces the grants (null removes them) and the expiry (null: none), changing nothing else', async () => {
      const record = fx().token({ grants: [{ scope: 'reports' }], expiresAt: T0 + 60_000, comment: 'kept' });
      await repo().insert(record, { now: T0 });
      const grants = [{ bucket: 'in.c-main', access: 'read' as const }, { scope: 'exports' }];
      const narrowed = await repo().update(record.id, 1, { grants, expiresAt: T0 + 120_000 });
      expect(narrowed).toEqual({ ...record, grants, expiresAt: T0 + 120_000, version: 2 });
      const opened = await repo().update(record.id, 2, { grants: null, expiresAt: null });
      expect(opened).toEqual({ ...record, grants: null, expiresAt: null, version: 3 });
      expect(await repo().findById(record.id)).toEqual(opened);
    });

    it('grants handed back by update are no live view of storage', async () => {
      const record = fx().token();
      await repo().insert(record, { now: T0 });
      const grants = [{ scope: 'reports' }];
      const updated = await repo().update(record.id, 1, { grants });
      grants[0]!.scope = 'changed';
      tryMutate(() => {
        (updated!.grants as Writable<{ scope: string }>[])[0]!.scope = 'mutated';
      });
      expect((await repo().findById(record.id))?.grants).toEqual([{ scope: 'reports' }]);
    });
  });
}

function renameContract({ repo, fx, concurrency, describe, it }: ContractContext): void {
  describe('update of the name', () => {
    it('renames: the token is found by its new name, and its old name is free', async () => {
      const record = fx().token({ name: 'old' });
      await repo().insert(record, { now: T0 });
      const renamed = await repo().update(record.id, 1, { name: 'new' });
      expect(renamed).toEqual({ ...record, name: 'new', version: 2 });
      expect(await repo().findByName(record.tenant, record.owner, 'new')).toEqual(renamed);
      expect(await repo().findByName(record.tenant, record.owner, 'old')).toBeNull();
      await repo().insert(fx().token({ name: 'old' }), { now: T0 });
    });

    it('refuses a name another unrevoked token of the namespace holds, live or expired, and writes nothing', async () => {
      const f = fx();
      const live = f.token({ name: 'live' });
      const expired = f.token({ name: 'expired', expiresAt: T0 - 1 });
      const mover = f.token({ name: 'mover' });
      for (const record of [live, expired, mover]) await repo().insert(record, { now: T0 - 10 });
      const event = f.event(mover.id, { type: 'updated', operation: 'updated' });
      await expectTokenError(repo().update(mover.id, 1, { name: 'live' }, event), 'conflict');
      await expectTokenError(repo().update(mover.id, 1, { name: 'expired', comment: 'x' }), 'conflict');
      expect(await repo().findById(mover.id)).toEqual(mover);
      expect((await repo().listEvents({ tokenId: mover.id, limit: 10 })).items).toEqual([]);
    });

    it('takes the name of a revoked token, or one of another owner, namespace or tenant', async () => {
      const f = fx();
      const revoked = f.token({ name: 'taken' });
      const bob = f.token({ owner: 'bob', name: 'bobs' });
      const admin = f.token({ owner: null, type: 'administrative', name: 'tenant-wide' });
      const elsewhere = f.token({ tenant: f.otherTenant, name: 'abroad' });
      const mover = f.token({ name: 'mover' });
      for (const record of [revoked, bob, admin, elsewhere, mover]) await repo().insert(record, { now: T0 });
      await repo().revoke(revoked.id, T0 + 1);
      let version = 1;
      for (const name of ['taken', 'bobs', 'tenant-wide', 'abroad']) {
        expect(await repo().update(mover.id, version, { name })).toMatchObject({ name, version: ++version });
      }
      expect(await repo().findByName(f.tenant, 'alice', 'abroad')).toMatchObject({ id: mover.id });
    });

    it('keeps a version mismatch a null answer, not a conflict, when the name is taken too', async () => {
      const f = fx();
      const holder = f.token({ name: 'held' });
      const mover = f.token();
      for (const record of [holder, mover]) await repo().insert(record, { now: T0 });
      const answer = await repo()
        .update(mover.id, 7, { name: 'held' })
        .then(
          (value) => value,
          (error: unknown) => error,
        );
      // Either answer is allowed for a stale version, as long as nothing is written.
      if (answer !== null) expect((answer as { code?: string }).code).toBe('conflict');
      expect(await repo().findById(mover.id)).toEqual(mover);
    });

    it(`of ${concurrency} concurrent renames of different tokens to one name, exactly one wins`, async () => {
      const f = fx();
      const records: TokenRecord[] = Array.from({ length: concurrency }, () => f.token());
      for (const record of records) await repo().insert(record, { now: T0 });
      const outcome = await race(records.length, (i) => repo().update(records[i]!.id, 1, { name: 'winner' }));
      expect(outcome.values.filter((value) => value !== null)).toHaveLength(1);
      expect(outcome.codes).toEqual(Array(concurrency - 1).fill('conflict'));
      const named = (await repo().list(everyToken(f.tenant))).items.filter((item) => item.name === 'winner');
      expect(named).toHaveLength(1);
    });
  });
}
