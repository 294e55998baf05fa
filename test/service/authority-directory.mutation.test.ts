/**
 * Who may read and change the store-backed directory (issue 11), and the
 * calls that aim at no single token, against written answers (issue 15):
 * each actor kind with the answer the rule gives it.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/principal-types.js';
import { memoryDirectoryStore } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, BOB, makeHarness } from '../support/service.js';
import { newMasterToken, withoutDirectory } from './master-support.js';
import { plainCodec } from './plain-codec.js';

const ENGINE = 'engine-verification-token-0123456789';

/** A service on a memory directory store with acme's admin alice and user bob, and a verification token. */
async function storeHarness() {
  const h = makeHarness(
    withoutDirectory({
      directoryStore: memoryDirectoryStore(),
      verificationTokens: [{ secret: ENGINE, tenant: 'acme' }],
      sessions: { codec: plainCodec },
    }),
  );
  await h.service.directory.addUser({ tenant: 'acme', name: 'alice', admin: true }, 'system');
  await h.service.directory.addUser({ tenant: 'acme', name: 'bob' }, 'system');
  const master = await newMasterToken(h.service, ALICE);
  const principal = async (issued: Promise<{ token: string | null }>) => ({
    principal: await h.service.verify((await issued).token!),
  });
  return {
    h,
    actors: {
      system: 'system' as const,
      'admin user': ALICE,
      'plain user': BOB,
      "admin's master token": { principal: await h.service.verify(master) },
      "admin's personal token": await principal(h.service.issue({}, ALICE)),
      "admin's administrative token": await principal(h.service.issue({ type: 'administrative' }, ALICE)),
      'verification token': { principal: await h.service.verify(ENGINE) },
      "a session of the admin's master token": await principal(h.service.exchange(master)),
    },
  };
}

type ActorName = keyof Awaited<ReturnType<typeof storeHarness>>['actors'];

describe('the directory: who may change it, who may read it', () => {
  const answers: [ActorName, string, string][] = [
    ['system', 'allowed', 'allowed'],
    ['admin user', 'allowed', 'allowed'],
    ['plain user', 'forbidden', 'forbidden'],
    ["admin's master token", 'allowed', 'allowed'],
    ["admin's personal token", 'forbidden', 'forbidden'],
    ["admin's administrative token", 'forbidden', 'forbidden'],
    ['verification token', 'forbidden', 'allowed'],
    ["a session of the admin's master token", 'forbidden', 'allowed'],
  ];
  it.each(answers)('%s: change %s, read %s', async (name, change, read) => {
    const { h, actors } = await storeHarness();
    const actor = actors[name] as never;
    const outcome = (call: Promise<unknown>) =>
      call.then(
        () => 'allowed',
        (error: { code: string }) => error.code,
      );
    expect(await outcome(h.service.directory.addUser({ tenant: 'acme', name: 'carol' }, actor))).toBe(change);
    expect(await outcome(h.service.directory.listUsers({ tenant: 'acme' }, actor))).toBe(read);
  });
});

describe('calls that aim at no single token', () => {
  it("a master token revokes its own user's tokens, never another's, and removes no user, not even its own", async () => {
    const h = makeHarness();
    await h.service.issue({}, ALICE);
    await h.service.issue({}, BOB);
    const principal: Principal = await h.service.verify(await newMasterToken(h.service, ALICE));
    for (const user of ['alice', 'bob']) {
      expect(await codeOf(h.service.removeUser({ tenant: 'acme', user }, { principal }))).toBe('forbidden');
    }
    expect(await codeOf(h.service.revokeAll({ tenant: 'acme', user: 'bob' }, { principal }))).toBe('forbidden');
    await expect(h.service.revokeAll({ tenant: 'acme', user: 'alice' }, { principal })).resolves.toBeDefined();
  });
});
