/**
 * A tenant with one token of every kind that acts, and targets around them,
 * all made at one instant: the fixture of the actor × call table tests
 * (issue 8). Every token is live, so each answer is decided by who may reach
 * what, never by a token's state.
 */

import type { Principal } from '../../../src/core/principal-types.js';
import type { Grant } from '../../../src/core/types.js';
import { createKeySet, generateSigningKey, type KeySet } from '../../../src/jwt/index.js';
import { jwtSessionCodec } from '../../../src/jwt/session.js';
import type { TokenService } from '../../../src/service/token-service.js';
import type { Actor, IssueInput } from '../../../src/service/types.js';
import { type Harness, makeHarness } from '../../support/service.js';

export const REPORTS: Grant = { scope: 'reports' };
export const WRITE_CSV: Grant = { bucket: 'in.c-csv-import', access: 'write' };
export const VERIFICATION_SECRET = 'operator-root-secret-0123456789';

const ALICE = { tenant: 'acme', user: 'alice' } as const;
const ANALYST = { tenant: 'acme', user: 'analyst' } as const;
const BOB = { tenant: 'acme', user: 'bob' } as const;
const GINA = { tenant: 'globex', user: 'gina' } as const;

/**
 * The acting tokens, one per row of the table (and the variants a row
 * depends on), and the verification token, a root. The directory of
 * `test/support/service.ts`: alice is an admin, the analyst has `reports`
 * and write access to `in.c-csv-import`, bob read access to it.
 */
export const ACTORS = [
  'masterAnalyst', // the analyst's master token
  'masterAlice', // an admin's master token
  'personal', // the analyst's, not narrowed, 30 days
  'narrow', // the analyst's, narrowed to reports, 30 days
  'wideNarrow', // the analyst's, narrowed to every privilege the analyst has: as strong today as `personal`
  'limited', // the analyst's, reports, 30 days
  'adminPersonal', // alice's personal token, not narrowed, 30 days
  'admin', // administrative, every grant, 30 days
  'adminNarrow', // administrative, reports, 30 days
  'session', // exchanged from `personal`, 5 minutes
  'masterSession', // exchanged from `masterAnalyst`, 5 minutes
  'verification', // the operator's root secret (a root: keeps the admin rules)
] as const;
export type ActorName = (typeof ACTORS)[number];

/** Stored tokens that are only ever targets. */
export const OTHERS = [
  'analystShort', // analyst, personal, 1 day
  'analystLong', // analyst, personal, 60 days: outlives every 30-day actor
  'analystSmall', // analyst, limited, reports, 1 day
  'analystBig', // analyst, limited, reports + write, 1 day
  'bobShort', // bob, personal, 1 day
  'masterBob', // bob's master token
  'aliceShort', // alice, personal, 1 day
  'adminShort', // administrative, every grant, 1 day
  'adminNarrowShort', // administrative, reports, 1 day
  'ginaShort', // another tenant, personal, 1 day
] as const;

/** Every stored token, in an order where the acting tokens come last (a revocation of itself ends an actor). */
export const TARGETS = [
  ...OTHERS,
  'narrow',
  'wideNarrow',
  'limited',
  'adminPersonal',
  'adminNarrow',
  'admin',
  'personal',
  'masterAlice',
  'masterAnalyst',
] as const;
export type TargetName = (typeof TARGETS)[number];

export interface World {
  readonly h: Harness;
  readonly service: TokenService;
  /** Token ids by name. */
  readonly ids: Readonly<Record<TargetName, string>>;
  readonly actor: (name: ActorName) => Actor;
}

let keys: Promise<KeySet> | undefined;

/** Builds the world on a fresh memory repository, with sessions and a verification token. */
export async function buildWorld(): Promise<World> {
  keys ??= generateSigningKey('HS256', { kid: 'sessions' }).then((signing) => createKeySet({ signing }));
  const sessionKeys = await keys;
  let clock: () => number = () => 0;
  const codec = jwtSessionCodec({ keys: sessionKeys, issuer: 'tw', audience: 'tw', now: () => clock() });
  const h = makeHarness({
    sessions: { codec },
    verificationTokens: [{ secret: VERIFICATION_SECRET, tenant: 'acme', name: 'operator' }],
  });
  clock = h.clock.now;
  const { service } = h;
  const made: Partial<Record<TargetName, { id: string; token: string }>> = {};
  const issue = async (name: TargetName, input: IssueInput, by: Actor): Promise<void> => {
    const issued = await service.issue({ name, ...input }, by);
    made[name] = { id: issued.info.id, token: issued.token };
  };
  const master = async (name: TargetName, user: { tenant: string; user: string }): Promise<void> => {
    const result = await service.ensureMasterToken(user);
    if (!result.created) throw new Error('expected a new master token');
    made[name] = { id: result.info.id, token: result.token };
  };
  await master('masterAnalyst', ANALYST);
  await master('masterAlice', ALICE);
  await master('masterBob', BOB);
  await issue('personal', { ttl: '30d' }, ANALYST);
  await issue('narrow', { ttl: '30d', grants: [REPORTS] }, ANALYST);
  await issue('wideNarrow', { ttl: '30d', grants: [REPORTS, WRITE_CSV] }, ANALYST);
  await issue('limited', { type: 'limited', ttl: '30d', grants: [REPORTS] }, ANALYST);
  await issue('adminPersonal', { ttl: '30d' }, ALICE);
  await issue('admin', { type: 'administrative', ttl: '30d' }, ALICE);
  await issue('adminNarrow', { type: 'administrative', ttl: '30d', grants: [REPORTS] }, ALICE);
  await issue('analystShort', { ttl: '1d' }, ANALYST);
  await issue('analystLong', { ttl: '60d' }, ANALYST);
  await issue('analystSmall', { type: 'limited', ttl: '1d', grants: [REPORTS] }, ANALYST);
  await issue('analystBig', { type: 'limited', ttl: '1d', grants: [REPORTS, WRITE_CSV] }, ANALYST);
  await issue('bobShort', { ttl: '1d' }, BOB);
  await issue('aliceShort', { ttl: '1d' }, ALICE);
  await issue('adminShort', { type: 'administrative', ttl: '1d' }, ALICE);
  await issue('adminNarrowShort', { type: 'administrative', ttl: '1d', grants: [REPORTS] }, ALICE);
  await issue('ginaShort', { ttl: '1d' }, GINA);

  const strings = made as Record<TargetName, { id: string; token: string }>;
  const principals = new Map<ActorName, Principal>();
  for (const name of ACTORS) {
    let token: string;
    if (name === 'verification') token = VERIFICATION_SECRET;
    else if (name === 'session') token = (await service.exchange(strings.personal.token, { ttl: '5m' })).token;
    else if (name === 'masterSession')
      token = (await service.exchange(strings.masterAnalyst.token, { ttl: '5m' })).token;
    else token = strings[name].token;
    principals.set(name, await service.verify(token));
  }
  const ids = Object.fromEntries(TARGETS.map((name) => [name, strings[name].id])) as Record<TargetName, string>;
  return { h, service, ids, actor: (name) => ({ principal: principals.get(name)! }) };
}
