/**
 * The store-backed directory through the service at its edges (issue 15):
 * input defaults and limits (100 roles, deduplicated and sorted), who reads
 * an entry (a user their own, a token never), reads and pages, changes that
 * change nothing, compare-and-set races lost four and five times for each
 * kind of change, and a token issued while its owner is being removed.
 */
import { describe, expect, it } from 'vitest';
import type { DirectoryStore } from '../../src/core/directory-store.js';
import { memoryDirectoryStore } from '../../src/stores/memory/index.js';
import { ALICE, BOB, directoryHarness, READ_MAIN } from '../directory/support.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';

const MINUTE = 60_000;

describe('directory input', () => {
  it('a new user is active and no admin, with no roles and no grants, unless told', async () => {
    const { service, clock } = await directoryHarness();
    clock.advance(MINUTE);
    const carol = await service.directory.addUser({ name: 'carol' }, ALICE);
    expect(carol).toEqual({
      tenant: 'acme',
      name: 'carol',
      admin: false,
      active: true,
      roles: [],
      grants: [],
      effectiveGrants: [],
      createdAt: new Date(clock.now()),
      updatedAt: new Date(clock.now()),
    });
    const dave = await service.directory.addUser({ name: 'dave', admin: true, active: false, grants: 'all' }, ALICE);
    expect(dave).toMatchObject({ admin: true, active: false, grants: 'all', effectiveGrants: 'all' });
    // An admin has everything, whatever their own grants.
    const erin = await service.directory.addUser({ name: 'erin', admin: true, grants: [READ_MAIN] }, ALICE);
    expect(erin.effectiveGrants).toBe('all');
  });

  it('roles are deduplicated and sorted by code point; 100 are accepted, 101 refused', async () => {
    const { service } = await directoryHarness();
    for (const name of ['zeta', 'Zulu', 'alpha']) await service.directory.addRole({ name }, ALICE);
    const carol = await service.directory.addUser({ name: 'carol', roles: ['zeta', 'alpha', 'Zulu', 'zeta'] }, ALICE);
    expect(carol.roles).toEqual(['Zulu', 'alpha', 'zeta']);
    const hundred = await service.directory.addUser({ name: 'dave', roles: Array(100).fill('alpha') }, ALICE);
    expect(hundred.roles).toEqual(['alpha']);
    expect(
      await rejectionOf(service.directory.addUser({ name: 'erin', roles: Array(101).fill('alpha') }, ALICE)),
    ).toEqual({ code: 'invalid_request', field: 'input.roles' });
    expect(
      await rejectionOf(service.directory.updateUser({ user: 'bob' }, { roles: Array(101).fill('alpha') }, ALICE)),
    ).toEqual({ code: 'invalid_request', field: 'patch.roles' });
  });

  it.each([
    ['active as text', { active: 'no' }, 'patch.active'],
    ['roles as text', { roles: 'alpha' }, 'patch.roles'],
    ['a bad role name', { roles: ['ok', 'no way'] }, 'patch.roles[1]'],
    ['grants as text', { grants: 'some' }, 'patch.grants'],
    ['a patch that is not an object', 'admin', 'patch'],
  ])('updateUser: %s names %s', async (_label, patch, field) => {
    const { service } = await directoryHarness();
    expect(await rejectionOf(service.directory.updateUser({ user: 'bob' }, patch as never, ALICE))).toEqual({
      code: 'invalid_request',
      field,
    });
  });

  it.each([
    ['addRole: a bad name', (s: Svc) => s.addRole({ name: 'no way' }, ALICE), 'input.name'],
    ['addRole: grants as text', (s: Svc) => s.addRole({ name: 'r', grants: 'some' as never }, ALICE), 'input.grants'],
    ['addRole: an unknown field', (s: Svc) => s.addRole({ name: 'r', admin: true } as never, ALICE), 'input.admin'],
    [
      'updateRole: an unknown field',
      (s: Svc) => s.updateRole({ role: 'service_accounts' }, { name: 'x' } as never, ALICE),
      'patch.name',
    ],
    [
      'updateRole: grants as text',
      (s: Svc) => s.updateRole({ role: 'service_accounts' }, { grants: 'x' as never }, ALICE),
      'patch.grants',
    ],
    ['updateRole: a target without role', (s: Svc) => s.updateRole({ user: 'bob' } as never, {}, ALICE), 'target.user'],
    ['removeRole: a bad role', (s: Svc) => s.removeRole({ role: '' }, ALICE), 'target.role'],
    ['removeUser: a bad user', (s: Svc) => s.removeUser({ user: 'a b' }, ALICE), 'target.user'],
    ['updateUser: a bad user', (s: Svc) => s.updateUser({ user: 'a b' }, { admin: true }, ALICE), 'target.user'],
    ['listUsers: a bad role', (s: Svc) => s.listUsers({ role: 'a b' }, ALICE), 'filter.role'],
    ['listRoles: an unknown field', (s: Svc) => s.listRoles({ role: 'x' } as never, ALICE), 'filter.role'],
    ['listRoles: a bad limit', (s: Svc) => s.listRoles({ limit: 0 }, ALICE), 'filter.limit'],
    ['auditLog: an unknown field', (s: Svc) => s.auditLog({ user: 'x' } as never, ALICE), 'filter.user'],
    [
      'addUser: active as text',
      (s: Svc) => s.addUser({ name: 'carol', active: 'yes' as never }, ALICE),
      'input.active',
    ],
    ['listUsers: a filter that is not an object', (s: Svc) => s.listUsers('acme' as never, ALICE), 'filter'],
    [
      'updateUser: a target that is not an object',
      (s: Svc) => s.updateUser('bob' as never, { admin: true }, ALICE),
      'target',
    ],
    ['removeUser: a target that is not an object', (s: Svc) => s.removeUser('bob' as never, ALICE), 'target'],
    ['getUser: an unknown field', (s: Svc) => s.getUser({ user: 'bob', role: 'x' } as never, ALICE), 'target.role'],
  ])('%s names %s', async (_label, call, field) => {
    const { service } = await directoryHarness();
    expect(await rejectionOf(call(service.directory) as Promise<unknown>)).toEqual({ code: 'invalid_request', field });
  });
});

type Svc = Awaited<ReturnType<typeof directoryHarness>>['service']['directory'];

describe('who reads the directory', () => {
  it('a user reads their own entry, nobody else’s; a token of theirs reads none', async () => {
    const { service } = await directoryHarness();
    expect(await service.directory.getUser({ user: 'bob' }, BOB)).toMatchObject({ name: 'bob', admin: false });
    expect(await codeOf(service.directory.getUser({ user: 'analyst' }, BOB))).toBe('forbidden');
    expect(await codeOf(service.directory.updateUser({ user: 'bob' }, { admin: true }, BOB))).toBe('forbidden');
    expect(await codeOf(service.directory.listUsers({}, BOB))).toBe('forbidden');
    const { token } = await service.issue({ name: 'ci' }, BOB);
    const principal = await service.verify(token);
    expect(await codeOf(service.directory.getUser({ user: 'bob' }, { principal }))).toBe('forbidden');
  });
});

describe('readers that may not change the directory', () => {
  it('the verification token reads users, roles and the log', async () => {
    const secret = 'verification-secret-0123456789abcdef';
    const { service } = await directoryHarness({ verificationTokens: [{ secret, tenant: 'acme' }] });
    const actor = { principal: await service.verify(secret) };
    const { directory } = service;
    expect((await directory.getUser({ tenant: 'acme', user: 'bob' }, actor)).name).toBe('bob');
    expect((await directory.listUsers({ tenant: 'acme' }, actor)).items.length).toBe(3);
    expect((await directory.getRole({ tenant: 'acme', role: 'service_accounts' }, actor)).grants).toEqual([READ_MAIN]);
    expect((await directory.listRoles({ tenant: 'acme' }, actor)).items.length).toBe(1);
    expect((await directory.auditLog({ tenant: 'acme' }, actor)).items.length).toBe(4);
    expect(await codeOf(directory.updateUser({ tenant: 'acme', user: 'bob' }, { admin: true }, actor))).toBe(
      'forbidden',
    );
  });
});

describe('directory reads', () => {
  it('getRole and listRoles answer the roles as stored, a page at a time', async () => {
    const { service, clock } = await directoryHarness();
    clock.advance(MINUTE);
    await service.directory.addRole({ name: 'auditors', grants: [{ scope: 'reports' }] }, ALICE);
    expect(await service.directory.getRole({ role: 'auditors' }, ALICE)).toEqual({
      tenant: 'acme',
      name: 'auditors',
      grants: [{ scope: 'reports' }],
      createdAt: new Date(clock.now()),
      updatedAt: new Date(clock.now()),
    });
    expect(await codeOf(service.directory.getRole({ role: 'ghosts' }, ALICE))).toBe('not_found');
    const first = await service.directory.listRoles({ limit: 1 }, ALICE);
    expect(first.items.map((role) => role.name)).toEqual(['auditors']);
    expect(first.nextCursor).not.toBeNull();
    const second = await service.directory.listRoles({ limit: 1, cursor: first.nextCursor! }, ALICE);
    expect(second).toMatchObject({ items: [{ name: 'service_accounts', grants: [READ_MAIN] }], nextCursor: null });
  });

  it('listUsers pages, filters by role and gives each user their effective grants', async () => {
    const { service } = await directoryHarness();
    const first = await service.directory.listUsers({ limit: 2 }, ALICE);
    expect(first.items.map((user) => [user.name, user.effectiveGrants])).toEqual([
      ['alice', 'all'],
      ['analyst', [READ_MAIN, { scope: 'reports' }]],
    ]);
    const rest = await service.directory.listUsers({ limit: 2, cursor: first.nextCursor! }, ALICE);
    expect(rest).toMatchObject({ items: [{ name: 'bob', effectiveGrants: [] }], nextCursor: null });
    const holders = await service.directory.listUsers({ role: 'service_accounts' }, ALICE);
    expect(holders.items.map((user) => user.name)).toEqual(['analyst']);
    // Another tenant's admin sees their own tenant only.
    const globex = await service.directory.listUsers({}, { tenant: 'globex', user: 'gina' });
    expect(globex.items.map((user) => user.name)).toEqual(['gina']);
  });

  it('auditLog pages, newest first', async () => {
    const { service } = await directoryHarness();
    const first = await service.directory.auditLog({ limit: 1 }, ALICE);
    expect(first.items.map((entry) => [entry.action, entry.subject])).toEqual([['user_added', 'bob']]);
    const second = await service.directory.auditLog({ limit: 1, cursor: first.nextCursor! }, ALICE);
    expect(second.items.map((entry) => [entry.action, entry.subject])).toEqual([['user_added', 'analyst']]);
  });
});

describe('directory changes', () => {
  it('updateRole and updateUser that change nothing write nothing; a change moves updatedAt and is audited', async () => {
    const { service, clock } = await directoryHarness();
    const before = (await service.directory.auditLog({}, ALICE)).items.length;
    clock.advance(MINUTE);
    const same = await service.directory.updateRole({ role: 'service_accounts' }, { grants: [READ_MAIN] }, ALICE);
    expect(same.updatedAt).toEqual(same.createdAt);
    expect((await service.directory.updateRole({ role: 'service_accounts' }, {}, ALICE)).updatedAt).toEqual(
      same.createdAt,
    );
    const bob = await service.directory.updateUser({ user: 'bob' }, { admin: false, active: true, roles: [] }, ALICE);
    expect(bob.updatedAt).toEqual(bob.createdAt);
    expect((await service.directory.auditLog({}, ALICE)).items).toHaveLength(before);

    const changed = await service.directory.updateRole({ role: 'service_accounts' }, { grants: [] }, ALICE);
    expect(changed).toMatchObject({ grants: [], updatedAt: new Date(clock.now()) });
    const [entry] = (await service.directory.auditLog({}, ALICE)).items;
    expect(entry).toMatchObject({
      action: 'role_changed',
      subject: 'service_accounts',
      actor: 'user:alice',
      changes: { grants: { from: [READ_MAIN], to: [] } },
    });
    const active = await service.directory.updateUser({ user: 'bob' }, { active: false }, ALICE);
    expect(active).toMatchObject({ active: false, updatedAt: new Date(clock.now()) });
    expect(await codeOf(service.directory.updateRole({ role: 'ghosts' }, { grants: [] }, ALICE))).toBe('not_found');
    expect(await codeOf(service.directory.updateUser({ user: 'ghost' }, { admin: true }, ALICE))).toBe('not_found');
  });

  it('a patch leaves the flags it does not name as they were', async () => {
    const { service } = await directoryHarness();
    expect(await service.directory.updateUser({ user: 'alice' }, { grants: [READ_MAIN] }, ALICE)).toMatchObject({
      admin: true,
      active: true,
    });
    await service.directory.updateUser({ user: 'bob' }, { active: false }, ALICE);
    expect(await service.directory.updateUser({ user: 'bob' }, { roles: ['service_accounts'] }, ALICE)).toMatchObject({
      admin: false,
      active: false,
      roles: ['service_accounts'],
    });
  });

  it('removeUser revokes the tokens with reason user_removed and audits the removal', async () => {
    const { service } = await directoryHarness();
    const issued = await service.issue({ name: 'ci' }, BOB);
    await service.directory.removeUser({ user: 'bob' }, ALICE);
    const [event] = (await service.events(issued.info.id, ALICE)).items;
    expect(event).toMatchObject({ type: 'revoked', actor: 'user:alice', detail: { reason: 'user_removed' } });
    const [entry] = (await service.directory.auditLog({}, ALICE)).items;
    expect(entry).toMatchObject({
      action: 'user_removed',
      subject: 'bob',
      actor: 'user:alice',
      changes: { admin: { from: false, to: null } },
    });
  });

  it('removeRole answers the role removed and audits it', async () => {
    const { service } = await directoryHarness();
    await service.directory.addRole({ name: 'spare', grants: [READ_MAIN] }, ALICE);
    expect(await service.directory.removeRole({ role: 'spare' }, ALICE)).toMatchObject({
      name: 'spare',
      grants: [READ_MAIN],
    });
    const [entry] = (await service.directory.auditLog({}, ALICE)).items;
    expect(entry).toMatchObject({
      action: 'role_removed',
      subject: 'spare',
      changes: { grants: { from: [READ_MAIN] } },
    });
    expect(await codeOf(service.directory.getRole({ role: 'spare' }, ALICE))).toBe('not_found');
  });

  it('removeUser answers the user as they were, with their effective grants', async () => {
    const { service } = await directoryHarness();
    const removed = await service.directory.removeUser({ user: 'analyst' }, ALICE);
    expect(removed).toMatchObject({
      revoked: 0,
      user: { name: 'analyst', roles: ['service_accounts'], effectiveGrants: [READ_MAIN, { scope: 'reports' }] },
    });
  });
});

/** A memory directory store whose compare-and-set writes lose `losses` times once armed; `before` runs before a loss. */
function racingStore() {
  const base = memoryDirectoryStore();
  const state = { losses: 0, writes: 0, before: async () => {}, during: async () => {} };
  const lose = async <T>(write: () => Promise<T>): Promise<T | false> => {
    state.writes++;
    if (state.losses > 0) {
      state.losses--;
      await state.before();
      return false;
    }
    await state.during();
    return write();
  };
  const store: DirectoryStore = {
    ...base,
    updateUser: (...args) => lose(() => base.updateUser(...args)) as Promise<boolean>,
    deleteUser: (...args) => lose(() => base.deleteUser(...args)) as Promise<boolean>,
    updateRole: (...args) => lose(() => base.updateRole(...args)) as Promise<boolean>,
    deleteRole: (...args) => lose(() => base.deleteRole(...args)) as Promise<boolean>,
  };
  return { store, state };
}

describe('directory changes retry a lost compare-and-set', () => {
  const calls: [string, (s: Svc) => Promise<unknown>][] = [
    ['updateUser', (s) => s.updateUser({ user: 'bob' }, { admin: true }, ALICE)],
    ['removeUser', (s) => s.removeUser({ user: 'bob' }, ALICE)],
    ['updateRole', (s) => s.updateRole({ role: 'spare' }, { grants: [READ_MAIN] }, ALICE)],
    ['removeRole', (s) => s.removeRole({ role: 'spare' }, ALICE)],
  ];

  it.each(calls)('%s succeeds after four lost races', async (_name, call) => {
    const { store, state } = racingStore();
    const { service } = await directoryHarness({ directoryStore: store });
    await service.directory.addRole({ name: 'spare' }, ALICE);
    state.losses = 4;
    await expect(call(service.directory)).resolves.toBeDefined();
    expect(state.writes).toBe(5);
  });

  it.each(calls)('%s gives up with conflict after five', async (_name, call) => {
    const { store, state } = racingStore();
    const { service } = await directoryHarness({ directoryStore: store });
    await service.directory.addRole({ name: 'spare' }, ALICE);
    state.losses = 5;
    expect(await codeOf(call(service.directory))).toBe('conflict');
    expect(state.writes).toBe(5);
  });

  it('a token issued while its owner is being removed is revoked too', async () => {
    const { store, state } = racingStore();
    const { service } = await directoryHarness({ directoryStore: store });
    const first = await service.issue({ name: 'one' }, BOB);
    let late = '';
    state.losses = 1;
    state.before = async () => {
      late = (await service.issue({ name: 'late' }, BOB)).token;
    };
    const removed = await service.directory.removeUser({ user: 'bob' }, ALICE);
    expect(removed.revoked).toBe(2);
    await service.directory.addUser({ name: 'bob' }, ALICE);
    expect(await codeOf(service.verify(first.token))).toBe('token_revoked');
    expect(await codeOf(service.verify(late))).toBe('token_revoked');
  });

  it('a token issued while the winning delete runs is revoked after it', async () => {
    const { store, state } = racingStore();
    const { service } = await directoryHarness({ directoryStore: store });
    const first = await service.issue({ name: 'one' }, BOB);
    let late = '';
    state.during = async () => {
      state.during = async () => {};
      late = (await service.issue({ name: 'late' }, BOB)).token;
    };
    const removed = await service.directory.removeUser({ user: 'bob' }, ALICE);
    expect(removed.revoked).toBe(2);
    await service.directory.addUser({ name: 'bob' }, ALICE);
    expect(await codeOf(service.verify(first.token))).toBe('token_revoked');
    expect(await codeOf(service.verify(late))).toBe('token_revoked');
  });
});
