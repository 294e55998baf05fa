/**
 * Every cell of the actor × call table (docs/concepts.md, issue 8), checked
 * against lists written here by hand from the table and the authority rule,
 * not computed by the code under test. A target the actor may not see
 * answers `not_found`; one it sees but may not change answers `forbidden`.
 */
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../../src/core/errors.js';
import { ACTORS, type ActorName, buildWorld, TARGETS, type TargetName, type World } from './world.js';

type Call = 'get' | 'events' | 'rotate' | 'share' | 'revoke' | 'comment';
type Changing = Exclude<Call, 'get' | 'events'>;

interface Row {
  /** What it may read (get, events); everything else answers not_found. */
  readonly sees: readonly TargetName[];
  /** Of those, what each changing call may reach; the rest answer forbidden. */
  readonly calls: Readonly<Record<Changing, readonly TargetName[]>>;
}

function same(list: readonly TargetName[]): Row {
  return { sees: list, calls: { rotate: list, share: list, revoke: list, comment: list } };
}
const without = (list: readonly TargetName[], ...gone: TargetName[]): TargetName[] =>
  list.filter((name) => !gone.includes(name));

// The analyst's tokens within a 30-day token with the analyst's full privileges.
const ANALYST_WITHIN_PERSONAL: TargetName[] = [
  'personal',
  'narrow',
  'wideNarrow',
  'limited',
  'analystShort',
  'analystSmall',
  'analystBig',
];
// Every analyst token (a master is unbounded): all but other masters.
const ANALYST_ALL: TargetName[] = [...ANALYST_WITHIN_PERSONAL, 'analystLong'];
const MASTER_ANALYST: TargetName[] = ['masterAnalyst', ...ANALYST_ALL];
const MASTER_ALICE_SEES: TargetName[] = [
  'masterAlice',
  ...ANALYST_ALL,
  'adminPersonal',
  'admin',
  'adminNarrow',
  'bobShort',
  'aliceShort',
  'adminShort',
  'adminNarrowShort',
];
// Within 30 days and every grant: the tenant's non-master tokens but the 60-day one.
const ADMIN_SEES: TargetName[] = without(MASTER_ALICE_SEES, 'masterAlice', 'analystLong');
// Within `reports` and 30 days.
const ADMIN_NARROW_SEES: TargetName[] = ['narrow', 'limited', 'adminNarrow', 'analystSmall', 'adminNarrowShort'];
const ACME: TargetName[] = TARGETS.filter((name) => name !== 'ginaShort');
const MASTERS: TargetName[] = ['masterAnalyst', 'masterAlice', 'masterBob'];

const NOTHING = { rotate: [], share: [], revoke: [], comment: [] } as const;

const TABLE: Readonly<Record<ActorName, Row>> = {
  // Own tokens, and itself; a master token is never shared, revoked or commented.
  masterAnalyst: {
    sees: MASTER_ANALYST,
    calls: {
      rotate: MASTER_ANALYST,
      share: ANALYST_ALL,
      revoke: ANALYST_ALL,
      comment: ANALYST_ALL,
    },
  },
  // Reads the tenant (its owner is an admin), changes only its own user's tokens.
  masterAlice: {
    sees: MASTER_ALICE_SEES,
    calls: {
      rotate: ['masterAlice', 'adminPersonal', 'aliceShort'],
      share: ['adminPersonal', 'aliceShort'],
      revoke: ['adminPersonal', 'aliceShort'],
      comment: ['adminPersonal', 'aliceShort'],
    },
  },
  // Own tokens within it: not the master, not the 60-day one.
  personal: same(ANALYST_WITHIN_PERSONAL),
  // Narrowed to reports: only tokens narrowed to reports as well.
  narrow: same(['narrow', 'limited', 'analystSmall']),
  // As strong today as `personal`, but narrowed: never a token that is not, which would grow with the analyst.
  wideNarrow: same(['wideNarrow', 'narrow', 'limited', 'analystSmall', 'analystBig']),
  // Itself only, and only to revoke itself (RFC 7009).
  limited: { sees: ['limited'], calls: { ...NOTHING, revoke: ['limited'] } },
  // An admin's personal token is not an admin: its owner's tokens within it.
  adminPersonal: same(['adminPersonal', 'aliceShort']),
  admin: {
    sees: ADMIN_SEES,
    calls: { rotate: ['admin'], share: [], revoke: ADMIN_SEES, comment: ADMIN_SEES },
  },
  adminNarrow: {
    sees: ADMIN_NARROW_SEES,
    calls: { rotate: ['adminNarrow'], share: [], revoke: ADMIN_NARROW_SEES, comment: ADMIN_NARROW_SEES },
  },
  // A session reads as its parent and changes nothing.
  session: { sees: ANALYST_WITHIN_PERSONAL, calls: NOTHING },
  masterSession: { sees: MASTER_ANALYST, calls: NOTHING },
  // A root for its tenant's other tokens, but a token: it never reaches a master token (SPEC §2).
  verification: same(without(ACME, ...MASTERS)),
};

function expected(actor: ActorName, target: TargetName, call: Call): string {
  const row = TABLE[actor];
  if (!row.sees.includes(target)) return 'not_found';
  if (call === 'get' || call === 'events') return 'ok';
  return row.calls[call].includes(target) ? 'ok' : 'forbidden';
}

async function outcome(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

function run(world: World, actorName: ActorName, call: Call, id: string): Promise<unknown> {
  const { service } = world;
  const actor = world.actor(actorName);
  switch (call) {
    case 'get':
      return service.get(id, actor);
    case 'events':
      return service.events(id, actor);
    case 'rotate':
      return service.rotate(id, actor);
    case 'share':
      return service.share(id, actor);
    case 'revoke':
      return service.revoke(id, actor);
    case 'comment':
      return service.updateComment(id, 'changed', actor);
  }
}

/** The acting token's own record comes last: revoking itself ends an actor. */
function order(actor: ActorName): TargetName[] {
  const own = actor === 'session' ? 'personal' : actor === 'masterSession' ? 'masterAnalyst' : actor;
  return [...TARGETS.filter((name) => name !== own), ...TARGETS.filter((name) => name === own)];
}

describe.each(ACTORS)('%s acting on every token', (actor) => {
  it.each<Call>(['get', 'events', 'rotate', 'share', 'revoke', 'comment'])('%s', async (call) => {
    const world = await buildWorld();
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const target of order(actor)) {
      got[target] = await outcome(run(world, actor, call, world.ids[target]));
      want[target] = expected(actor, target, call);
    }
    expect(got).toEqual(want);
  });
});
