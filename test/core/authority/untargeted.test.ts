/**
 * The cells of the actor × call table that aim at no single token — issue,
 * list, revokeAll, removeUser, setMaxTtl — for every acting token, against
 * lists written by hand (issue 8). Also: a token actor is read as it is at
 * the call, and a share records who made it.
 */
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../../src/core/errors.js';
import type { ListFilter } from '../../../src/service/types.js';
import { ACTORS, type ActorName, buildWorld, REPORTS, TARGETS, type TargetName } from './world.js';

async function outcome<T>(work: Promise<T>): Promise<{ code: string; value?: T }> {
  try {
    return { code: 'ok', value: await work };
  } catch (error) {
    if (error instanceof TokenError) return { code: error.code };
    throw error;
  }
}

describe('issue', () => {
  it.each<[string, object, readonly ActorName[], string]>([
    [
      'its own limited token',
      { type: 'limited', grants: [REPORTS], ttl: '1d' },
      ['masterAnalyst', 'masterAlice'],
      'forbidden',
    ],
    ['a token FOR USER', { owner: 'bob', ttl: '1d' }, ['masterAlice'], 'forbidden'],
    ['an administrative token', { type: 'administrative', ttl: '1d' }, ['masterAlice'], 'forbidden'],
  ])('%s: only %j… may', async (_what, input, allowed, refusal) => {
    const world = await buildWorld();
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const actor of ACTORS) {
      got[actor] = (await outcome(world.service.issue(input, world.actor(actor)))).code;
      want[actor] = allowed.includes(actor) ? 'ok' : refusal;
    }
    expect(got).toEqual(want);
  });

  it('a master token grants at most what its owner may do, with any lifetime the policy allows', async () => {
    const world = await buildWorld();
    const master = world.actor('masterAnalyst');
    const beyond = await outcome(world.service.issue({ type: 'limited', grants: [{ scope: 'other' }] }, master));
    expect(beyond.code).toBe('insufficient_scope');
    const long = await outcome(world.service.issue({ ttl: '365d' }, master));
    expect(long.code).toBe('ok');
    // An admin's master grants another user at most that user's privileges.
    const forAnalyst = world.service.issue({ owner: 'analyst', grants: [REPORTS] }, world.actor('masterAlice'));
    expect((await outcome(forAnalyst)).code).toBe('ok');
    const forBob = world.service.issue({ owner: 'bob', grants: [REPORTS] }, world.actor('masterAlice'));
    expect((await outcome(forBob)).code).toBe('insufficient_scope');
  });
});

describe('list', () => {
  const ANALYST_WITHIN: TargetName[] = [
    'personal',
    'narrow',
    'wideNarrow',
    'limited',
    'analystShort',
    'analystSmall',
    'analystBig',
  ];
  const MASTER_ANALYST: TargetName[] = ['masterAnalyst', ...ANALYST_WITHIN, 'analystLong'];
  const ADMINISTRATIVE: TargetName[] = ['admin', 'adminNarrow', 'adminShort', 'adminNarrowShort'];
  const MASTER_ALICE: TargetName[] = [
    ...MASTER_ANALYST.filter((name) => name !== 'masterAnalyst'),
    'masterAlice',
    'adminPersonal',
    'aliceShort',
    'bobShort',
    ...ADMINISTRATIVE,
  ];
  const ADMIN: TargetName[] = MASTER_ALICE.filter((name) => name !== 'masterAlice' && name !== 'analystLong');
  const ADMIN_NARROW: TargetName[] = ['narrow', 'limited', 'analystSmall', 'adminNarrow', 'adminNarrowShort'];
  const ACME: TargetName[] = TARGETS.filter((name) => name !== 'ginaShort');
  const ACME_BUT_MASTERS: TargetName[] = ACME.filter(
    (name) => !['masterAnalyst', 'masterAlice', 'masterBob'].includes(name),
  );
  type Answer = readonly TargetName[] | string;

  const CASES: readonly [string, ListFilter, Readonly<Record<ActorName, Answer>>][] = [
    [
      'own tokens (the default)',
      {},
      {
        masterAnalyst: MASTER_ANALYST,
        masterAlice: ['masterAlice', 'adminPersonal', 'aliceShort'],
        personal: ANALYST_WITHIN,
        narrow: ['narrow', 'limited', 'analystSmall'],
        wideNarrow: ['wideNarrow', 'narrow', 'limited', 'analystSmall', 'analystBig'],
        limited: ['limited'],
        adminPersonal: ['adminPersonal', 'aliceShort'],
        // Tokens without owner must name one.
        admin: 'invalid_request',
        adminNarrow: 'invalid_request',
        session: ANALYST_WITHIN,
        masterSession: MASTER_ANALYST,
        verification: 'invalid_request',
      },
    ],
    [
      'the whole tenant',
      { all: true },
      {
        ...(Object.fromEntries(ACTORS.map((name) => [name, 'forbidden'])) as Record<ActorName, Answer>),
        masterAlice: MASTER_ALICE,
        admin: ADMIN,
        adminNarrow: ADMIN_NARROW,
        // A token reaches no master token (SPEC §2): a verification token is shown none.
        verification: ACME_BUT_MASTERS,
      },
    ],
    [
      "another user's tokens",
      { owner: 'bob' },
      {
        ...(Object.fromEntries(ACTORS.map((name) => [name, 'forbidden'])) as Record<ActorName, Answer>),
        masterAlice: ['bobShort'],
        admin: ['bobShort'],
        adminNarrow: [],
        verification: ['bobShort'],
      },
    ],
    [
      'administrative tokens',
      { owner: null },
      {
        ...(Object.fromEntries(ACTORS.map((name) => [name, 'forbidden'])) as Record<ActorName, Answer>),
        masterAlice: ADMINISTRATIVE,
        admin: ADMINISTRATIVE,
        adminNarrow: ['adminNarrow', 'adminNarrowShort'],
        verification: ADMINISTRATIVE,
      },
    ],
  ];

  it.each(CASES)('%s', async (_what, filter, table) => {
    const world = await buildWorld();
    const name = Object.fromEntries(TARGETS.map((target) => [world.ids[target], target]));
    const got: Record<string, Answer> = {};
    const want: Record<string, Answer> = {};
    for (const actor of ACTORS) {
      const answer = await outcome(world.service.list({ ...filter, limit: 1000 }, world.actor(actor)));
      got[actor] = answer.value === undefined ? answer.code : answer.value.items.map((info) => name[info.id]!).sort();
      const expected = table[actor];
      want[actor] = typeof expected === 'string' ? expected : [...expected].sort();
    }
    expect(got).toEqual(want);
  });

  it('pages through only what a token may read, each token once, pages full but the last', async () => {
    const world = await buildWorld();
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof world.service.list>> = await world.service.list(
        { limit: 2, cursor },
        world.actor('personal'),
      );
      seen.push(...page.items.map((info) => info.id));
      sizes.push(page.items.length);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.sort()).toEqual(ANALYST_WITHIN.map((target) => world.ids[target]).sort());
    expect(sizes.slice(0, -1).every((size) => size === 2)).toBe(true);
  });
});

describe('revokeAll, removeUser, setMaxTtl', () => {
  it.each<[string, (world: Awaited<ReturnType<typeof buildWorld>>, actor: ActorName) => Promise<unknown>, ActorName[]]>(
    [
      [
        "revokeAll of the token's own user",
        (w, a) => w.service.revokeAll({ user: 'analyst' }, w.actor(a)),
        ['masterAnalyst', 'verification'],
      ],
      ['revokeAll of another user', (w, a) => w.service.revokeAll({ user: 'bob' }, w.actor(a)), ['verification']],
      ['removeUser', (w, a) => w.service.removeUser({ user: 'bob' }, w.actor(a)), ['verification']],
      ['setMaxTtl', (w, a) => w.service.setMaxTtl({ user: 'bob' }, '24h', w.actor(a)), ['masterAlice', 'verification']],
    ],
  )('%s', async (_what, call, allowed) => {
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const actor of ACTORS) {
      got[actor] = (await outcome(call(await buildWorld(), actor))).code;
      want[actor] = allowed.includes(actor) ? 'ok' : 'forbidden';
    }
    expect(got).toEqual(want);
  });

  it('revokeAll through the master takes every other token of its user and counts them', async () => {
    const world = await buildWorld();
    const count = await world.service.revokeAll({ user: 'analyst' }, world.actor('masterAnalyst'));
    expect(count).toBe(8);
    await expect(world.service.get(world.ids.masterAnalyst, world.actor('masterAnalyst'))).resolves.toMatchObject({
      status: 'active',
    });
  });
});

describe('a token actor is read as it is at the call', () => {
  it('revoked, expired or its owner gone since it was verified: it acts no more', async () => {
    const world = await buildWorld();
    const personal = world.actor('personal');
    await world.service.revoke(world.ids.personal, { tenant: 'acme', user: 'analyst' });
    expect((await outcome(world.service.get(world.ids.personal, personal))).code).toBe('token_revoked');

    const later = await buildWorld();
    later.h.clock.advance(5 * 60_000);
    expect((await outcome(later.service.list({}, later.actor('session')))).code).toBe('token_expired');
    later.h.clock.advance(30 * 86_400_000);
    expect((await outcome(later.service.list({}, later.actor('narrow')))).code).toBe('token_expired');

    const gone = await buildWorld();
    gone.h.users.acme!.analyst!.active = false;
    expect((await outcome(gone.service.list({}, gone.actor('masterAnalyst')))).code).toBe('token_invalid');
  });

  it('a target’s grants are its owner’s now: a token of a demoted user comes within a narrow actor, and leaves it again', async () => {
    const world = await buildWorld();
    const bobShort = world.ids.bobShort;
    const sees = async (): Promise<string> =>
      (await outcome(world.service.get(bobShort, world.actor('adminNarrow')))).code;
    // Bob reads a bucket; the administrative token only has `reports`.
    expect(await sees()).toBe('not_found');
    world.h.users.acme!.bob!.grants = [];
    expect(await sees()).toBe('ok');
    world.h.users.acme!.bob!.grants = [REPORTS];
    expect(await sees()).toBe('ok');
    world.h.users.acme!.bob!.grants = [REPORTS, { bucket: 'out.c-main', access: 'read' }];
    expect(await sees()).toBe('not_found');
  });
});

describe('share and claim through a token', () => {
  it('the share records the token that made it; the claim fails once the target is revoked', async () => {
    const world = await buildWorld();
    const narrow = world.actor('narrow');
    const shared = await world.service.share(world.ids.analystSmall, narrow);
    const claimed = await world.service.claim(shared.code);
    expect(claimed.info.id).toBe(world.ids.analystSmall);
    const history = await world.service.events(world.ids.analystSmall, narrow);
    const narrowId = (await world.service.get(world.ids.narrow, narrow)).id;
    expect(history.items.slice(0, 2).map((event) => [event.type, event.actor])).toEqual([
      ['claimed', `claim:token:${narrowId}`],
      ['shared', `token:${narrowId}`],
    ]);
    const pending = await world.service.share(world.ids.limited, narrow);
    await world.service.revoke(world.ids.limited, narrow);
    expect((await outcome(world.service.claim(pending.code))).code).toBe('token_revoked');
  });
});
