/**
 * Who may manage the store-backed directory (issue 11 §1, under issue 8's
 * authority table): changing a user's admin flag, roles or grants changes
 * authority, so changes are for the system, an admin acting as themself and
 * an admin's master token only; reading takes admin rights. Every other
 * actor is refused, whatever its grants, and nothing is written.
 */
import { describe, expect, it } from 'vitest';
import type { TokenService } from '../../src/service/token-service.js';
import type { Actor } from '../../src/service/types.js';
import { codeOf } from '../scenarios/support.js';
import { ALICE, ANALYST, BOB, directoryHarness, masterActor, READ_MAIN } from './support.js';

/** One call of each kind: the changes, then the reads. */
function changes(service: TokenService, actor: Actor): Promise<unknown>[] {
  const { directory } = service;
  return [
    directory.addUser({ tenant: 'acme', name: 'mallory', admin: true }, actor),
    directory.updateUser({ tenant: 'acme', user: 'bob' }, { admin: true }, actor),
    directory.updateUser({ tenant: 'acme', user: 'bob' }, { roles: ['service_accounts'] }, actor),
    directory.updateUser({ tenant: 'acme', user: 'bob' }, { grants: 'all' }, actor),
    directory.removeUser({ tenant: 'acme', user: 'analyst' }, actor),
    directory.addRole({ tenant: 'acme', name: 'everything', grants: 'all' }, actor),
    directory.updateRole({ tenant: 'acme', role: 'service_accounts' }, { grants: 'all' }, actor),
    directory.removeRole({ tenant: 'acme', role: 'service_accounts' }, actor),
  ];
}

function reads(service: TokenService, actor: Actor): Promise<unknown>[] {
  const { directory } = service;
  return [
    directory.listUsers({ tenant: 'acme' }, actor),
    directory.getUser({ tenant: 'acme', user: 'analyst' }, actor),
    directory.listRoles({ tenant: 'acme' }, actor),
    directory.getRole({ tenant: 'acme', role: 'service_accounts' }, actor),
    directory.auditLog({ tenant: 'acme' }, actor),
  ];
}

async function codes(calls: Promise<unknown>[]): Promise<string[]> {
  const out: string[] = [];
  for (const call of calls) out.push(await codeOf(call));
  return out;
}

/** The directory as it stands, to show that refused calls wrote nothing. */
async function snapshot(service: TokenService): Promise<unknown> {
  const { directory } = service;
  return {
    users: (await directory.listUsers({ tenant: 'acme' }, 'system')).items,
    roles: (await directory.listRoles({ tenant: 'acme' }, 'system')).items,
    log: (await directory.auditLog({ tenant: 'acme' }, 'system')).items,
  };
}

async function expectRefused(service: TokenService, actor: Actor, alsoReads: boolean): Promise<void> {
  const before = await snapshot(service);
  expect(await codes(changes(service, actor))).toEqual(Array(8).fill('forbidden'));
  if (alsoReads) expect(await codes(reads(service, actor))).toEqual(Array(5).fill('forbidden'));
  expect(await snapshot(service)).toEqual(before);
}

describe('who may manage the store-backed directory', () => {
  it('a user who is not an admin changes nothing and reads nothing but their own entry', async () => {
    const { service } = await directoryHarness();
    await expectRefused(service, BOB, true);
    expect((await service.directory.getUser({ user: 'bob' }, BOB)).name).toBe('bob');
    // Not even to take the admin flag for themself.
    expect(await codeOf(service.directory.updateUser({ user: 'bob' }, { admin: true }, BOB))).toBe('forbidden');
  });

  it('an admin acting as themself, the system and an admin’s master token may change it', async () => {
    for (const make of [
      async () => ALICE as Actor,
      async () => 'system' as Actor,
      async (service: TokenService) => masterActor(service, ALICE),
    ]) {
      const { service } = await directoryHarness();
      const actor = await make(service);
      expect((await service.directory.updateUser({ tenant: 'acme', user: 'bob' }, { admin: true }, actor)).admin).toBe(
        true,
      );
      const entry = (await service.directory.auditLog({ tenant: 'acme' }, actor)).items[0]!;
      expect(entry.actor).toMatch(actor === 'system' ? /^system$/ : /^(user:alice|token:[0-9A-Z]{26})$/);
    }
  });

  it('no narrowed token changes it: personal, limited, administrative and verification tokens, sessions, and a non-admin’s master', async () => {
    const verification = 'verification-secret-0123456789abcdef';
    // Real time: the session codec checks its JWTs against the real clock.
    const { service } = await directoryHarness({
      verificationTokens: [{ secret: verification, tenant: 'acme' }],
      now: Date.now,
    });
    const personal = await service.issue({ name: 'p' }, ALICE);
    const limited = await service.issue({ type: 'limited', name: 'l', grants: [READ_MAIN] }, ALICE);
    const administrative = await service.issue({ type: 'administrative', name: 'a' }, ALICE);
    const adminMaster = await service.ensureMasterToken(ALICE);
    if (!adminMaster.created) throw new Error('expected a new master');
    const session = await service.exchange(adminMaster.token);
    const analystMaster = await masterActor(service, ANALYST);
    const actors: [string, Actor, boolean][] = [
      ['personal token of an admin', { principal: await service.verify(personal.token) }, false],
      ['limited token of an admin', { principal: await service.verify(limited.token) }, true],
      ['administrative token', { principal: await service.verify(administrative.token) }, true],
      ['session of an admin’s master token', { principal: await service.verify(session.token) }, false],
      ['master token of a non-admin', analystMaster, true],
    ];
    for (const [what, actor, alsoReads] of actors) {
      const before = await snapshot(service);
      expect(await codes(changes(service, actor)), what).toEqual(Array(8).fill('forbidden'));
      if (alsoReads) expect(await codes(reads(service, actor)), what).toEqual(Array(5).fill('forbidden'));
      expect(await snapshot(service), what).toEqual(before);
    }
    // The verification token is the operator's root secret: it reads, but it changes no authority.
    const root = { principal: await service.verify(verification) };
    await expectRefused(service, root, false);
    expect((await service.directory.listUsers({}, root)).items.length).toBeGreaterThan(0);
  });

  it('decides on the actor as it is now: an admin demoted, or their master token revoked, loses it at once', async () => {
    const { service } = await directoryHarness();
    await service.directory.addUser({ tenant: 'acme', name: 'carol', admin: true }, 'system');
    const carol = { tenant: 'acme', user: 'carol' } as const;
    const master = await masterActor(service, carol);
    expect((await service.directory.listUsers({}, master)).items.length).toBeGreaterThan(0);
    await service.directory.updateUser({ user: 'carol' }, { admin: false }, ALICE);
    await expectRefused(service, master, true);
    await expectRefused(service, carol, true);
    await service.directory.updateUser({ user: 'carol' }, { active: false, admin: true }, ALICE);
    expect(await codeOf(service.directory.listUsers({}, carol))).toBe('forbidden');
    expect(await codeOf(service.directory.listUsers({}, master))).toBe('token_invalid');
  });

  it('an admin of one tenant does not reach another', async () => {
    const { service } = await directoryHarness();
    expect(await codeOf(service.directory.addUser({ tenant: 'globex', name: 'spy', admin: true }, ALICE))).toBe(
      'forbidden',
    );
    expect(await codeOf(service.directory.listUsers({ tenant: 'globex' }, ALICE))).toBe('forbidden');
    expect(await codeOf(service.directory.getUser({ tenant: 'globex', user: 'gina' }, ALICE))).toBe('forbidden');
  });
});
