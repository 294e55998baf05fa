/** @internal Conformance: `findById`, `findByName` and `list`. */

import type { ListQuery, TokenRepository } from '../../core/repository.js';
import type { TokenRecord } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { expectTokenError, T0 } from '../fixtures.js';
import { skipTest } from '../runner.js';

async function listAll(repository: TokenRepository, query: Omit<ListQuery, 'cursor'>): Promise<TokenRecord[][]> {
  const pages: TokenRecord[][] = [];
  let cursor: string | null = null;
  do {
    const page: { items: TokenRecord[]; nextCursor: string | null } = await repository.list({ ...query, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 1000) throw new Error('list paging does not end');
  } while (cursor !== null);
  return pages;
}

const ids = (records: readonly TokenRecord[]): string[] => records.map((record) => record.id);

export function lookupContract(context: ContractContext): void {
  findByIdContract(context);
  findByNameContract(context);
  listContract(context);
  listPagingContract(context);
}

function findByIdContract({ repo, fx, describe, it }: ContractContext): void {
  describe('findById', () => {
    it('returns null for an unknown id', async () => {
      expect(await repo().findById(fx().id())).toBeNull();
    });

    it('returns revoked and expired tokens too', async () => {
      const expired = fx().token({ expiresAt: T0 + 1 });
      const revoked = fx().token();
      await repo().insert(expired, { now: T0 });
      await repo().insert(revoked, { now: T0 });
      await repo().revoke(revoked.id, T0 + 2);
      expect(await repo().findById(expired.id)).toEqual(expired);
      expect(await repo().findById(revoked.id)).toMatchObject({ id: revoked.id, revokedAt: T0 + 2 });
    });

    it('findByIdSync, when the store has it, answers as findById after every kind of change', async function (this: unknown, ...args: unknown[]) {
      if (repo().findByIdSync === undefined) return skipTest(this, args, 'the store has no findByIdSync');
      const f = fx();
      const [kept, changed, revoked, purged] = [f.token(), f.token(), f.token(), f.token({ expiresAt: T0 + 5 })];
      for (const record of [kept, changed, revoked, purged]) await repo().insert(record, { now: T0 });
      await repo().update(changed.id, changed.version, {
        comment: 'changed',
        previousSecretHash: 'previous-hash',
        previousPepperVersion: 1,
        previousExpiresAt: T0 + 60_000,
        rotatedAt: T0 + 1,
      });
      await repo().touch(changed.id, T0 + 7);
      await repo().revoke(revoked.id, T0 + 3);
      await repo().purgeExpired(T0 + 10);
      for (const id of [kept.id, changed.id, revoked.id, purged.id, f.id()]) {
        const known = repo().findByIdSync!(id);
        // `undefined` is "not at hand", which the contract allows; any other answer is findById's.
        if (known !== undefined) expect(known).toEqual(await repo().findById(id));
      }
      expect(repo().findByIdSync!(purged.id) ?? null).toBeNull();
    });
  });
}

function findByNameContract({ repo, fx, describe, it }: ContractContext): void {
  describe('findByName', () => {
    it('finds a token by (tenant, owner, name), administrative ones with owner null', async () => {
      const f = fx();
      const personal = f.token({ name: 'ci' });
      const admin = f.token({ name: 'ci', owner: null, type: 'administrative' });
      await repo().insert(personal, { now: T0 });
      await repo().insert(admin, { now: T0 });
      expect(await repo().findByName(f.tenant, 'alice', 'ci')).toEqual(personal);
      expect(await repo().findByName(f.tenant, null, 'ci')).toEqual(admin);
      expect(await repo().findByName(f.tenant, 'bob', 'ci')).toBeNull();
      expect(await repo().findByName(f.otherTenant, 'alice', 'ci')).toBeNull();
      expect(await repo().findByName(f.tenant, 'alice', 'cd')).toBeNull();
    });

    it('prefers the live token over older revoked and expired ones of the same name', async () => {
      const f = fx();
      const expired = f.token({ name: 'ci', expiresAt: T0 + 10 });
      const revoked = f.token({ name: 'ci', createdAt: T0 + 20 });
      const live = f.token({ name: 'ci', createdAt: T0 + 30 });
      await repo().insert(expired, { now: T0 });
      await repo().insert(revoked, { now: T0 + 20 });
      await repo().revoke(revoked.id, T0 + 25);
      await repo().insert(live, { now: T0 + 30 });
      expect((await repo().findByName(f.tenant, 'alice', 'ci'))?.id).toBe(live.id);
    });

    it('prefers the live token even when a revoked one was created later', async () => {
      const f = fx();
      const revoked = f.token({ name: 'ci', createdAt: T0 + 50 });
      await repo().insert(revoked, { now: T0 + 50 });
      await repo().revoke(revoked.id, T0 + 60);
      const live = f.token({ name: 'ci', createdAt: T0 + 40 });
      await repo().insert(live, { now: T0 + 70 });
      expect((await repo().findByName(f.tenant, 'alice', 'ci'))?.id).toBe(live.id);
    });

    it('returns the most recently created one when none is live', async () => {
      const f = fx();
      const older = f.token({ name: 'ci' });
      const newer = f.token({ name: 'ci', createdAt: T0 + 10 });
      await repo().insert(older, { now: T0 });
      await repo().revoke(older.id, T0 + 5);
      await repo().insert(newer, { now: T0 + 10 });
      await repo().revoke(newer.id, T0 + 15);
      expect((await repo().findByName(f.tenant, 'alice', 'ci'))?.id).toBe(newer.id);
      const expired = f.token({ name: 'cd', expiresAt: T0 + 1 });
      await repo().insert(expired, { now: T0 });
      expect((await repo().findByName(f.tenant, 'alice', 'cd'))?.id).toBe(expired.id);
    });
  });
}

function listContract({ repo, fx, describe, it }: ContractContext): void {
  describe('list', () => {
    const base = { includeExpired: true, includeRevoked: true, now: T0 + 100, limit: 1000 } as const;

    it('lists only the tenant asked for, newest first with ties broken by id', async () => {
      const f = fx();
      const a = f.token({ createdAt: T0 });
      const b = f.token({ createdAt: T0 + 1 });
      const c = f.token({ createdAt: T0 + 1, owner: 'bob' });
      const d = f.token({ createdAt: T0 + 2, owner: null, type: 'administrative' });
      const foreign = f.token({ tenant: f.otherTenant, createdAt: T0 + 3 });
      for (const record of [c, a, foreign, d, b]) await repo().insert(record, { now: T0 });
      const page = await repo().list({ ...base, tenant: f.tenant });
      expect(ids(page.items)).toEqual([d.id, c.id, b.id, a.id]);
      expect(page.nextCursor).toBeNull();
      expect(page.items[0]).toEqual(d);
      expect(ids((await repo().list({ ...base, tenant: f.otherTenant })).items)).toEqual([foreign.id]);
      expect(await repo().list({ ...base, tenant: `${f.tenant}-none` })).toEqual({ items: [], nextCursor: null });
    });

    it('filters by owner, with null meaning tokens without owner', async () => {
      const f = fx();
      const alice = f.token();
      const bob = f.token({ owner: 'bob' });
      const admin = f.token({ owner: null, type: 'administrative' });
      for (const record of [alice, bob, admin]) await repo().insert(record, { now: T0 });
      expect(ids((await repo().list({ ...base, tenant: f.tenant, owner: 'alice' })).items)).toEqual([alice.id]);
      expect(ids((await repo().list({ ...base, tenant: f.tenant, owner: null })).items)).toEqual([admin.id]);
      expect(ids((await repo().list({ ...base, tenant: f.tenant, owner: 'carol' })).items)).toEqual([]);
      expect((await repo().list({ ...base, tenant: f.tenant })).items).toHaveLength(3);
    });

    it('filters by type', async () => {
      const f = fx();
      const personal = f.token();
      const limited = f.token({ type: 'limited', grants: [{ scope: 'x' }] });
      const master = f.token({ type: 'master', name: 'master' });
      await repo().insert(personal, { now: T0 });
      await repo().insert(limited, { now: T0 });
      await repo().insertMaster(master);
      const only = async (types: ListQuery['types']): Promise<string[]> =>
        ids((await repo().list({ ...base, tenant: f.tenant, ...(types ? { types } : {}) })).items).sort();
      expect(await only(['limited'])).toEqual([limited.id]);
      expect(await only(['personal', 'master'])).toEqual([personal.id, master.id].sort());
      expect(await only(['administrative'])).toEqual([]);
      expect(await only(undefined)).toEqual([personal.id, limited.id, master.id].sort());
    });

    it('includes or hides expired and revoked tokens as asked', async () => {
      const f = fx();
      const active = f.token({ createdAt: T0 + 4 });
      const expired = f.token({ createdAt: T0 + 3, expiresAt: T0 + 100 });
      const revoked = f.token({ createdAt: T0 + 2 });
      const both = f.token({ createdAt: T0 + 1, expiresAt: T0 + 50 });
      for (const record of [active, expired, revoked, both]) await repo().insert(record, { now: T0 });
      await repo().revoke(revoked.id, T0 + 10);
      await repo().revoke(both.id, T0 + 10);
      const query = (includeExpired: boolean, includeRevoked: boolean): Promise<{ items: TokenRecord[] }> =>
        repo().list({ tenant: f.tenant, includeExpired, includeRevoked, now: T0 + 100, limit: 100 });
      expect(ids((await query(true, true)).items)).toEqual([active.id, expired.id, revoked.id, both.id]);
      expect(ids((await query(true, false)).items)).toEqual([active.id, expired.id]);
      expect(ids((await query(false, true)).items)).toEqual([active.id, revoked.id]);
      expect(ids((await query(false, false)).items)).toEqual([active.id]);
      // One millisecond earlier `expired` is still active.
      const before = await repo().list({ ...base, tenant: f.tenant, includeExpired: false, now: T0 + 99 });
      expect(ids(before.items)).toEqual([active.id, expired.id, revoked.id]);
    });

    it('pages with cursors through every token exactly once, in order', async () => {
      const f = fx();
      const records = Array.from({ length: 25 }, (_, i) => f.token({ createdAt: T0 + Math.floor(i / 3) }));
      for (const record of records) await repo().insert(record, { now: T0 });
      const expected = ids(
        [...records].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)),
      );
      const pages = await listAll(repo(), { ...base, tenant: f.tenant, limit: 7 });
      expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 4]);
      expect(ids(pages.flat())).toEqual(expected);
    });
  });
}

function listPagingContract({ repo, fx, describe, it }: ContractContext): void {
  describe('list: paging', () => {
    const base = { includeExpired: true, includeRevoked: true, now: T0 + 100, limit: 1000 } as const;

    it('returns a null cursor on a last page that is exactly full', async () => {
      const f = fx();
      for (let i = 0; i < 6; i++) await repo().insert(f.token({ createdAt: T0 + i }), { now: T0 });
      const pages = await listAll(repo(), { ...base, tenant: f.tenant, limit: 3 });
      expect(pages.map((page) => page.length)).toEqual([3, 3]);
      const one = await repo().list({ ...base, tenant: f.tenant, limit: 1 });
      expect(one.items).toHaveLength(1);
      expect(typeof one.nextCursor).toBe('string');
    });

    it('pages a filtered list and keeps its place when the last item of a page goes away', async () => {
      const f = fx();
      const records = Array.from({ length: 9 }, (_, i) =>
        f.token({ createdAt: T0 + i, owner: i % 2 ? 'bob' : 'alice' }),
      );
      for (const record of records) await repo().insert(record, { now: T0 });
      const first = await repo().list({ ...base, tenant: f.tenant, owner: 'alice', limit: 2, includeRevoked: false });
      expect(ids(first.items)).toEqual([records[8]!.id, records[6]!.id]);
      await repo().revoke(records[6]!.id, T0 + 50);
      const rest = await listAll(repo(), {
        ...base,
        tenant: f.tenant,
        owner: 'alice',
        limit: 2,
        includeRevoked: false,
      });
      expect(ids(rest.flat())).toEqual([records[8]!.id, records[4]!.id, records[2]!.id, records[0]!.id]);
      const second = await repo().list({
        ...base,
        tenant: f.tenant,
        owner: 'alice',
        limit: 2,
        includeRevoked: false,
        cursor: first.nextCursor,
      });
      expect(ids(second.items)).toEqual([records[4]!.id, records[2]!.id]);
    });

    it('refuses a cursor it did not make', async () => {
      const error = await expectTokenError(
        repo().list({ ...base, tenant: fx().tenant, cursor: 'not a cursor!' }),
        'invalid_request',
      );
      expect(error.details.field).toBe('cursor');
    });
  });
}
