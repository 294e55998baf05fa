/** @internal Directory conformance: users, and the roles they hold. */
import type { UserRecord } from '../../core/directory-store.js';
import { expect } from '../expect.js';
import { expectTokenError, tryMutate, type Writable } from '../fixtures.js';
import { auditOf, changed, type DirectoryContext } from './context.js';

export function usersContract(context: DirectoryContext): void {
  context.describe('users', () => {
    storingContract(context);
    changingContract(context);
  });
}

function storingContract({ store, fx, it }: DirectoryContext): void {
  it('stores a user and finds it by tenant and exact name, and nothing else', async () => {
    const f = fx();
    await store().insertRole(f.role('analysts'), f.entry('analysts'));
    const alice = f.user('alice', { admin: true, roles: ['analysts'], grants: [{ scope: 'reports' }] });
    await store().insertUser(alice, f.entry('alice'));
    expect(await store().findUser(f.tenant, 'alice')).toEqual(alice);
    expect(await store().findUser(f.tenant, 'Alice')).toBeNull();
    expect(await store().findUser(f.otherTenant, 'alice')).toBeNull();
    const all = f.user('root', { grants: 'all' });
    await store().insertUser(all, f.entry('root'));
    expect((await store().findUser(f.tenant, 'root'))?.grants).toBe('all');
  });

  it('refuses a second user of one name with conflict, writing nothing', async () => {
    const f = fx();
    await store().insertUser(f.user('alice'), f.entry('alice'));
    await expectTokenError(store().insertUser(f.user('alice', { admin: true }), f.entry('alice')), 'conflict');
    expect((await store().findUser(f.tenant, 'alice'))?.admin).toBe(false);
    expect(await auditOf(store(), f.tenant)).toHaveLength(1);
    // Another tenant has its own names.
    await store().insertUser(f.user('alice', { tenant: f.otherTenant }), f.entry('alice', { tenant: f.otherTenant }));
  });

  it('refuses a user holding a role that is not stored (not_found, field roles), writing nothing', async () => {
    const f = fx();
    await store().insertRole(f.role('known'), f.entry('known'));
    const error = await expectTokenError(
      store().insertUser(f.user('alice', { roles: ['known', 'unknown'] }), f.entry('alice')),
      'not_found',
    );
    expect(error.details.field).toBe('roles');
    expect(await store().findUser(f.tenant, 'alice')).toBeNull();
    expect(await auditOf(store(), f.tenant)).toHaveLength(1);
    // A role of another tenant is not this tenant's.
    await store().insertRole(f.role('theirs', { tenant: f.otherTenant }), f.entry('theirs', { tenant: f.otherTenant }));
    await expectTokenError(store().insertUser(f.user('bob', { roles: ['theirs'] }), f.entry('bob')), 'not_found');
  });
}

function changingContract({ store, fx, it }: DirectoryContext): void {
  it('changes a user by compare-and-set on its version', async () => {
    const f = fx();
    await store().insertRole(f.role('a'), f.entry('a'));
    await store().insertRole(f.role('b'), f.entry('b'));
    const alice = f.user('alice', { roles: ['a'] });
    await store().insertUser(alice, f.entry('alice'));
    const next = changed(alice, { admin: true, active: false, roles: ['b'], grants: [{ scope: 'x' }] });
    expect(await store().updateUser(next, 1, f.entry('alice'))).toBe(true);
    expect(await store().findUser(f.tenant, 'alice')).toEqual(next);
    // The version moved: a write from the old one loses and changes nothing.
    expect(await store().updateUser(changed(alice, { admin: false }), 1, f.entry('alice'))).toBe(false);
    expect(await store().findUser(f.tenant, 'alice')).toEqual(next);
    expect(await store().updateUser(f.user('nobody', { version: 2 }), 1, f.entry('nobody'))).toBe(false);
    expect(await store().findUser(f.tenant, 'nobody')).toBeNull();
    expect(await auditOf(store(), f.tenant)).toHaveLength(4);
  });

  it('keeps exactly the roles a change names, and refuses a missing one without changing anything', async () => {
    const f = fx();
    for (const name of ['a', 'b', 'c']) await store().insertRole(f.role(name), f.entry(name));
    const alice = f.user('alice', { roles: ['a', 'b'] });
    await store().insertUser(alice, f.entry('alice'));
    const next = changed(alice, { roles: ['b', 'c'] });
    expect(await store().updateUser(next, 1, f.entry('alice'))).toBe(true);
    expect((await store().findUser(f.tenant, 'alice'))?.roles).toEqual(['b', 'c']);
    const error = await expectTokenError(
      store().updateUser(changed(next, { roles: ['a', 'gone'], admin: true }), 2, f.entry('alice')),
      'not_found',
    );
    expect(error.details.field).toBe('roles');
    expect(await store().findUser(f.tenant, 'alice')).toEqual(next);
    expect(await auditOf(store(), f.tenant)).toHaveLength(5);
  });

  it('deletes a user by compare-and-set; the name can then be taken again, fresh', async () => {
    const f = fx();
    await store().insertRole(f.role('a'), f.entry('a'));
    await store().insertUser(f.user('alice', { roles: ['a'] }), f.entry('alice'));
    expect(await store().deleteUser(f.tenant, 'alice', 2, f.entry('alice'))).toBe(false);
    expect(await store().findUser(f.tenant, 'alice')).not.toBeNull();
    expect(await store().deleteUser(f.tenant, 'alice', 1, f.entry('alice'))).toBe(true);
    expect(await store().findUser(f.tenant, 'alice')).toBeNull();
    expect(await store().deleteUser(f.tenant, 'alice', 1, f.entry('alice'))).toBe(false);
    await store().insertUser(f.user('alice'), f.entry('alice'));
    expect((await store().findUser(f.tenant, 'alice'))?.roles).toEqual([]);
    expect(await auditOf(store(), f.tenant)).toHaveLength(4);
  });

  it('hands out records that are not live views of storage, and keeps none of the caller’s objects', async () => {
    const f = fx();
    await store().insertRole(f.role('a'), f.entry('a'));
    const given: Writable<UserRecord> = f.user('alice', { roles: ['a'], grants: [{ scope: 'x' }] });
    const alice = f.user('alice', { roles: ['a'], grants: [{ scope: 'x' }] });
    await store().insertUser(given, f.entry('alice'));
    tryMutate(() => (given.roles as string[]).push('b'));
    tryMutate(() => (given.grants as { scope: string }[]).push({ scope: 'y' }));
    const found = (await store().findUser(f.tenant, 'alice'))!;
    expect(found).toEqual(alice);
    tryMutate(() => {
      (found as Writable<UserRecord>).admin = true;
    });
    tryMutate(() => (found.roles as string[]).push('b'));
    tryMutate(() => (found.grants as { scope: string }[]).push({ scope: 'z' }));
    expect(await store().findUser(f.tenant, 'alice')).toEqual(alice);
  });
}
