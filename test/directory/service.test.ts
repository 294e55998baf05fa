/**
 * The store-backed directory through the service (issue 11 §1): the system
 * makes the first admin, admins manage users and roles, a user's grants
 * are their own and their roles', tokens follow the directory live, and
 * every change leaves one audit entry.
 */
import { describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import { createTokenService } from '../../src/service/index.js';
import { memoryDirectoryStore, memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf, errorOf } from '../scenarios/support.js';
import { TEST_PEPPER } from '../support/service.js';
import { ALICE, ANALYST, BOB, directoryHarness, READ_MAIN } from './support.js';

describe('the store-backed directory as the service’s directory', () => {
  it('starts empty: the operator adds the first admin, who then manages the tenant', async () => {
    const service = createTokenService({
      repository: memoryRepository(),
      directoryStore: memoryDirectoryStore(),
      pepper: TEST_PEPPER,
    });
    // Nobody is known yet: a user actor is refused until the operator adds one.
    expect(await codeOf(service.directory.addUser({ name: 'alice' }, ALICE))).toBe('forbidden');
    expect(await codeOf(service.directory.addUser({ name: 'alice' }, 'system'))).toBe('invalid_request');
    const alice = await service.directory.addUser({ tenant: 'acme', name: 'alice', admin: true }, 'system');
    expect(alice).toMatchObject({ tenant: 'acme', name: 'alice', admin: true, active: true, effectiveGrants: 'all' });
    const bob = await service.directory.addUser({ name: 'bob', grants: [READ_MAIN] }, ALICE);
    expect(bob).toMatchObject({ tenant: 'acme', admin: false, roles: [], grants: [READ_MAIN] });
    const { token } = await service.issue({ name: 'ci' }, BOB);
    expect((await service.verify(token)).can(READ_MAIN)).toBe(true);
  });

  it('gives a user their own grants and their roles’ together, and their tokens follow changes live', async () => {
    const { service } = await directoryHarness();
    const analyst = await service.directory.getUser({ user: 'analyst' }, ALICE);
    expect(analyst.effectiveGrants).toEqual([READ_MAIN, { scope: 'reports' }]);
    const { token } = await service.issue({ name: 'etl' }, ANALYST);
    const before = await service.verify(token);
    expect([before.can(READ_MAIN), before.can({ scope: 'reports' })]).toEqual([true, true]);

    // A role's grants change: its holders' tokens follow at the next verification.
    await service.directory.updateRole({ role: 'service_accounts' }, { grants: [] }, ALICE);
    expect((await service.verify(token)).can(READ_MAIN)).toBe(false);
    await service.directory.updateRole({ role: 'service_accounts' }, { grants: [READ_MAIN] }, ALICE);
    // Taking the role away takes its grants away.
    await service.directory.updateUser({ user: 'analyst' }, { roles: [] }, ALICE);
    expect((await service.verify(token)).can(READ_MAIN)).toBe(false);
    expect((await service.verify(token)).can({ scope: 'reports' })).toBe(true);
    // An inactive user's tokens stop working, and work again when the user is active again.
    await service.directory.updateUser({ user: 'analyst' }, { active: false }, ALICE);
    expect(await codeOf(service.verify(token))).toBe('token_invalid');
    await service.directory.updateUser({ user: 'analyst' }, { active: true }, ALICE);
    expect((await service.verify(token)).owner).toBe('analyst');
    // An admin has everything.
    await service.directory.updateUser({ user: 'analyst' }, { admin: true }, ALICE);
    expect((await service.verify(token)).can({ bucket: 'anything', access: 'write' })).toBe(true);
  });

  it('applies role duration policies to the roles the store gives a user (Tengri)', async () => {
    const { service } = await directoryHarness();
    await service.setMaxTtl({ role: 'service_accounts' }, '30d', ALICE);
    expect(await codeOf(service.issue({ ttl: '90d' }, ANALYST))).toBe('duration_exceeds_policy');
    expect((await service.explainMaxTtl(ANALYST)).source).toEqual({ kind: 'role', name: 'service_accounts' });
    // Bob holds no role: the system default applies.
    await service.issue({ ttl: '90d' }, BOB);
  });

  it('removes a user: every token revoked (master included), the entry gone, and a new user of that name starts clean', async () => {
    const { service } = await directoryHarness();
    const personal = await service.issue({ name: 'ci' }, BOB);
    const master = await service.ensureMasterToken(BOB);
    const removed = await service.directory.removeUser({ user: 'bob' }, ALICE);
    expect(removed).toMatchObject({ revoked: 2, user: { name: 'bob' } });
    expect(await codeOf(service.directory.getUser({ user: 'bob' }, ALICE))).toBe('not_found');
    // Gone: nobody owns the token (any refusal will do); back under the same name: still revoked.
    expect(await codeOf(service.verify(personal.token))).toBe('token_invalid');
    await service.directory.addUser({ name: 'bob', grants: 'all' }, ALICE);
    expect(await codeOf(service.verify(personal.token))).toBe('token_revoked');
    expect(master.created && (await codeOf(service.verify(master.token)))).toBe('token_revoked');
    expect(await codeOf(service.directory.removeUser({ user: 'nobody' }, ALICE))).toBe('not_found');
  });

  it('manages roles: names are unique, a held role stays until nobody holds it, a missing role is named', async () => {
    const { service } = await directoryHarness();
    expect(await codeOf(service.directory.addRole({ name: 'service_accounts' }, ALICE))).toBe('conflict');
    expect(await codeOf(service.directory.removeRole({ role: 'service_accounts' }, ALICE))).toBe('conflict');
    const missing = await errorOf(service.directory.updateUser({ user: 'bob' }, { roles: ['ghosts'] }, ALICE));
    expect(missing).toMatchObject({ code: 'not_found', details: { field: 'patch.roles' } });
    const onAdd = await errorOf(service.directory.addUser({ name: 'carol', roles: ['ghosts'] }, ALICE));
    expect(onAdd).toMatchObject({ code: 'not_found', details: { field: 'input.roles' } });
    const holders = await service.directory.listUsers({ role: 'service_accounts' }, ALICE);
    expect(holders.items.map((user) => user.name)).toEqual(['analyst']);
    await service.directory.updateUser({ user: 'analyst' }, { roles: [] }, ALICE);
    expect(await service.directory.removeRole({ role: 'service_accounts' }, ALICE)).toMatchObject({
      name: 'service_accounts',
      grants: [READ_MAIN],
    });
    expect((await service.directory.listRoles({}, ALICE)).items).toEqual([]);
  });

  it('keeps an audit log: who changed what from what to what, newest first; nothing for a change that changes nothing', async () => {
    const { service, clock } = await directoryHarness();
    clock.advance(60_000);
    await service.directory.updateUser({ user: 'bob' }, { grants: [READ_MAIN], roles: ['service_accounts'] }, ALICE);
    await service.directory.updateUser({ user: 'bob' }, { grants: [READ_MAIN] }, ALICE);
    expect(await codeOf(service.directory.updateUser({ user: 'bob' }, { roles: ['ghosts'] }, ALICE))).toBe('not_found');
    const log = (await service.directory.auditLog({}, ALICE)).items;
    expect(log[0]).toMatchObject({
      tenant: 'acme',
      actor: 'user:alice',
      action: 'user_changed',
      subject: 'bob',
      changes: {
        roles: { from: [], to: ['service_accounts'] },
        grants: { from: [], to: [READ_MAIN] },
      },
    });
    expect(log[0]!.at).toEqual(new Date(clock.now()));
    expect(log.map((entry) => [entry.action, entry.subject, entry.actor])).toEqual([
      ['user_changed', 'bob', 'user:alice'],
      ['user_added', 'bob', 'system'],
      ['user_added', 'analyst', 'system'],
      ['role_added', 'service_accounts', 'system'],
      ['user_added', 'alice', 'system'],
    ]);
    expect(log[4]!.changes).toEqual({
      admin: { from: null, to: true },
      active: { from: null, to: true },
      roles: { from: null, to: [] },
      grants: { from: null, to: [] },
    });
    // Each tenant has its own log.
    expect((await service.directory.auditLog({ tenant: 'globex' }, 'system')).items).toHaveLength(1);
  });

  it('checks every input and names the field', async () => {
    const { service } = await directoryHarness();
    const cases: [Promise<unknown>, string][] = [
      [service.directory.addUser({ name: 'a b' }, ALICE), 'input.name'],
      [service.directory.addUser({ name: 'carol', admin: 'yes' as never }, ALICE), 'input.admin'],
      [service.directory.addUser({ name: 'carol', roles: 'x' as never }, ALICE), 'input.roles'],
      [service.directory.addUser({ name: 'carol', roles: ['ok', 'no way'] }, ALICE), 'input.roles[1]'],
      [service.directory.addUser({ name: 'carol', grants: [{ bucket: 'x' }] as never }, ALICE), 'input.grants[0]'],
      [service.directory.addUser({ name: 'carol', email: 'c@x' } as never, ALICE), 'input.email'],
      [service.directory.updateUser({ user: 'bob' }, { admin: 1 } as never, ALICE), 'patch.admin'],
      [service.directory.updateUser({ user: 'bob' }, { name: 'x' } as never, ALICE), 'patch.name'],
      [service.directory.getUser({ user: '' }, ALICE), 'target.user'],
      [service.directory.getRole({ role: '../x' }, ALICE), 'target.role'],
      [service.directory.listUsers({ limit: 0 }, ALICE), 'filter.limit'],
      [service.directory.listUsers({ cursor: 'nonsense' }, ALICE), 'cursor'],
      [service.directory.auditLog({ limit: 5000 }, ALICE), 'filter.limit'],
    ];
    for (const [call, field] of cases) {
      expect(await errorOf(call), field).toMatchObject({ code: 'invalid_request', details: { field } });
    }
    expect(await codeOf(service.directory.addUser({ name: 'alice' }, ALICE))).toBe('conflict');
    expect(await codeOf(service.directory.getUser({ user: 'nobody' }, ALICE))).toBe('not_found');
  });

  it('is refused with invalid_request naming directoryStore when the service has none; directory and directoryStore do not mix', async () => {
    const service = createTokenService({
      repository: memoryRepository(),
      pepper: TEST_PEPPER,
      directory: staticDirectory({ acme: { alice: { admin: true } } }),
    });
    const error = await errorOf(service.directory.listUsers({}, ALICE));
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'directoryStore' } });
    expect(() =>
      createTokenService({
        repository: memoryRepository(),
        pepper: TEST_PEPPER,
        directory: staticDirectory({}),
        directoryStore: memoryDirectoryStore(),
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_request', details: { field: 'directory' } }));
    expect(() =>
      createTokenService({ repository: memoryRepository(), pepper: TEST_PEPPER, directoryStore: {} as never }),
    ).toThrow(expect.objectContaining({ details: { field: 'directoryStore' } }));
  });

  it('answers unavailable, never a pass, when the store fails', async () => {
    const store = memoryDirectoryStore();
    const failing = { ...store, findUser: async () => Promise.reject(new Error('disk on fire')) };
    const service = createTokenService({
      repository: memoryRepository(),
      pepper: TEST_PEPPER,
      directoryStore: failing,
    });
    await store.insertUser(
      {
        tenant: 'acme',
        name: 'alice',
        admin: true,
        active: true,
        roles: [],
        grants: [],
        createdAt: 0,
        updatedAt: 0,
        version: 1,
      },
      {
        id: '01J00000000000000000000000',
        tenant: 'acme',
        at: 0,
        actor: 'system',
        action: 'user_added',
        subject: 'alice',
        changes: {},
      },
    );
    expect(await codeOf(service.directory.listUsers({}, ALICE))).toBe('unavailable');
    expect(await codeOf(service.issue({}, ALICE))).toBe('unavailable');
  });
});
