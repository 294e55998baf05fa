/** @internal Directory conformance: roles, and the rule that a held role stays. */
import { expect } from '../expect.js';
import { expectTokenError } from '../fixtures.js';
import { auditOf, changed, type DirectoryContext } from './context.js';

export function rolesContract({ store, fx, describe, it }: DirectoryContext): void {
  describe('roles', () => {
    it('stores roles and finds the stored ones among names, leaving the others out', async () => {
      const f = fx();
      const analysts = f.role('analysts', { grants: [{ bucket: 'in.c-main', access: 'read' }] });
      const admins = f.role('admins', { grants: 'all' });
      await store().insertRole(analysts, f.entry('analysts'));
      await store().insertRole(admins, f.entry('admins'));
      const found = await store().findRoles(f.tenant, ['admins', 'missing', 'analysts']);
      expect(found.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([admins, analysts]);
      expect(await store().findRoles(f.tenant, [])).toEqual([]);
      expect(await store().findRoles(f.otherTenant, ['analysts'])).toEqual([]);
    });

    it('refuses a second role of one name with conflict, writing nothing', async () => {
      const f = fx();
      await store().insertRole(f.role('analysts'), f.entry('analysts'));
      await expectTokenError(
        store().insertRole(f.role('analysts', { grants: 'all' }), f.entry('analysts')),
        'conflict',
      );
      expect((await store().findRoles(f.tenant, ['analysts']))[0]?.grants).toEqual([]);
      expect(await auditOf(store(), f.tenant)).toHaveLength(1);
    });

    it('changes a role by compare-and-set on its version', async () => {
      const f = fx();
      const role = f.role('analysts');
      await store().insertRole(role, f.entry('analysts'));
      const next = changed(role, { grants: [{ scope: 'reports' }] });
      expect(await store().updateRole(next, 1, f.entry('analysts'))).toBe(true);
      expect(await store().updateRole(changed(role, { grants: 'all' }), 1, f.entry('analysts'))).toBe(false);
      expect(await store().findRoles(f.tenant, ['analysts'])).toEqual([next]);
      expect(await auditOf(store(), f.tenant)).toHaveLength(2);
    });

    it('refuses to remove a role while a user holds it (conflict), and removes it once nobody does', async () => {
      const f = fx();
      const role = f.role('analysts');
      await store().insertRole(role, f.entry('analysts'));
      const alice = f.user('alice', { roles: ['analysts'] });
      await store().insertUser(alice, f.entry('alice'));
      await expectTokenError(store().deleteRole(f.tenant, 'analysts', 1, f.entry('analysts')), 'conflict');
      expect(await store().findRoles(f.tenant, ['analysts'])).toEqual([role]);
      expect(await auditOf(store(), f.tenant)).toHaveLength(2);
      await store().updateUser(changed(alice, { roles: [] }), 1, f.entry('alice'));
      expect(await store().deleteRole(f.tenant, 'analysts', 2, f.entry('analysts'))).toBe(false);
      expect(await store().deleteRole(f.tenant, 'analysts', 1, f.entry('analysts'))).toBe(true);
      expect(await store().findRoles(f.tenant, ['analysts'])).toEqual([]);
      expect(await auditOf(store(), f.tenant)).toHaveLength(4);
    });

    it('frees a role when its last holder is deleted', async () => {
      const f = fx();
      await store().insertRole(f.role('analysts'), f.entry('analysts'));
      await store().insertUser(f.user('alice', { roles: ['analysts'] }), f.entry('alice'));
      await store().deleteUser(f.tenant, 'alice', 1, f.entry('alice'));
      expect(await store().deleteRole(f.tenant, 'analysts', 1, f.entry('analysts'))).toBe(true);
      // A role of the same name in another tenant is another role.
      await store().insertRole(f.role('analysts', { tenant: f.otherTenant }), f.entry('x', { tenant: f.otherTenant }));
      await store().insertUser(
        f.user('bob', { tenant: f.otherTenant, roles: ['analysts'] }),
        f.entry('bob', { tenant: f.otherTenant }),
      );
      await store().insertRole(f.role('analysts'), f.entry('analysts'));
      expect(await store().deleteRole(f.tenant, 'analysts', 1, f.entry('analysts'))).toBe(true);
    });
  });
}
