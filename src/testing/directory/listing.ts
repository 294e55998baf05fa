/** @internal Directory conformance: listing users and roles by name, paged. */
import type { DirectoryPage, DirectoryStore, UserQuery } from '../../core/directory-store.js';
import { expect } from '../expect.js';
import { expectTokenError } from '../fixtures.js';
import type { DirectoryContext } from './context.js';

/** Every item of a listing, read `limit` at a time through its cursors. */
async function readAll<T>(page: (cursor: string | null) => Promise<DirectoryPage<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const next: DirectoryPage<T> = await page(cursor);
    pages.push(next.items);
    cursor = next.nextCursor;
  } while (cursor !== null && pages.length < 100);
  return pages;
}

function users(store: DirectoryStore, query: Omit<UserQuery, 'cursor'>) {
  return readAll((cursor) => store.listUsers({ ...query, cursor }));
}

// Code-point order: ASCII capitals, then small letters, then U+FF5A, then U+1D400 (above U+FFFF, where
// UTF-16 code units would put it before U+FF5A).
const NAMES = ['𝐀lpha', 'ｚed', 'bob', 'Zoe', 'alice', 'al', 'a.b', 'a-b', 'a_b', 'A1'];
const CODE_POINT_ORDER = ['A1', 'Zoe', 'a-b', 'a.b', 'a_b', 'al', 'alice', 'bob', 'ｚed', '𝐀lpha'];

export function listingContract({ store, fx, describe, it }: DirectoryContext): void {
  describe('listing', () => {
    it('lists users by name in code-point order, every one exactly once across pages', async () => {
      const f = fx();
      for (const name of NAMES) await store().insertUser(f.user(name), f.entry(name));
      await store().insertUser(f.user('elsewhere', { tenant: f.otherTenant }), f.entry('x', { tenant: f.otherTenant }));
      const pages = await users(store(), { tenant: f.tenant, limit: 3 });
      expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
      expect(pages.flat().map((user) => user.name)).toEqual(CODE_POINT_ORDER);
      const one = await users(store(), { tenant: f.tenant, limit: 1000 });
      expect(one).toHaveLength(1);
      expect(await users(store(), { tenant: `${f.tenant}-none`, limit: 10 })).toEqual([[]]);
    });

    it('lists the holders of a role only, paged', async () => {
      const f = fx();
      await store().insertRole(f.role('analysts'), f.entry('analysts'));
      await store().insertRole(f.role('other'), f.entry('other'));
      const holders = ['dan', 'bea', 'cid', 'abe'];
      for (const name of holders) await store().insertUser(f.user(name, { roles: ['analysts'] }), f.entry(name));
      await store().insertUser(f.user('eve', { roles: ['other'] }), f.entry('eve'));
      await store().insertUser(f.user('fay'), f.entry('fay'));
      const pages = await users(store(), { tenant: f.tenant, role: 'analysts', limit: 3 });
      expect(pages.flat().map((user) => user.name)).toEqual(['abe', 'bea', 'cid', 'dan']);
      expect(pages.flat().every((user) => user.roles.includes('analysts'))).toBe(true);
      expect(await users(store(), { tenant: f.tenant, role: 'nobody', limit: 3 })).toEqual([[]]);
    });

    it('lists roles by name in code-point order, paged', async () => {
      const f = fx();
      for (const name of NAMES) await store().insertRole(f.role(name), f.entry(name));
      const pages = await readAll((cursor) => store().listRoles({ tenant: f.tenant, limit: 4, cursor }));
      expect(pages.flat().map((role) => role.name)).toEqual(CODE_POINT_ORDER);
      expect(pages).toHaveLength(3);
    });

    it('refuses a bad page size or cursor with invalid_request', async () => {
      const f = fx();
      for (const limit of [0, 1001, 1.5]) {
        await expectTokenError(store().listUsers({ tenant: f.tenant, limit }), 'invalid_request');
        await expectTokenError(store().listRoles({ tenant: f.tenant, limit }), 'invalid_request');
        await expectTokenError(store().listAudit({ tenant: f.tenant, limit }), 'invalid_request');
      }
      for (const cursor of ['', 'not a cursor', '%%%']) {
        await expectTokenError(store().listUsers({ tenant: f.tenant, limit: 5, cursor }), 'invalid_request');
        await expectTokenError(store().listAudit({ tenant: f.tenant, limit: 5, cursor }), 'invalid_request');
      }
    });
  });
}
