/**
 * Random worlds for the authority properties: users with random privileges,
 * tokens of every kind with random grants and lifetimes (made by the system,
 * a root), every user's master token, and one acting token or a session of
 * it. The clock never moves, so lifetimes compare exactly.
 */
import fc from 'fast-check';
import { staticDirectory } from '../../../src/core/directory.js';
import type { Principal } from '../../../src/core/principal-types.js';
import type { Grant, Need, TokenInfo } from '../../../src/core/types.js';
import { createKeySet, generateSigningKey, type KeySet } from '../../../src/jwt/index.js';
import { jwtSessionCodec } from '../../../src/jwt/session.js';
import { createTokenService } from '../../../src/service/index.js';
import type { TokenService } from '../../../src/service/token-service.js';
import type { Actor, IssueInput } from '../../../src/service/types.js';
import { memoryRepository } from '../../../src/stores/memory/index.js';
import { TEST_PEPPER } from '../../support/service.js';

export const NOW = Date.UTC(2026, 0, 1);
/** The prefix of keys imported in these worlds. */
export const LEGACY_PREFIX = 'legacy_';
const USERS = ['alice', 'analyst', 'bob'] as const;
export type UserName = (typeof USERS)[number];

/** Grants that overlap, so that random sets are sometimes within each other and sometimes not. */
export const POOL: readonly Grant[] = [
  { scope: 'reports' },
  { bucket: 'in.c-csv-import', access: 'read' },
  { bucket: 'in.c-csv-import', access: 'write' },
  { component: 'keboola.ex-db-mysql', actions: ['run'] },
  { component: 'keboola.ex-db-mysql' },
];

/** Every need the pool touches, and one it never grants. */
export const NEEDS: readonly Need[] = [
  { scope: 'reports' },
  { scope: 'elsewhere' },
  { bucket: 'in.c-csv-import', access: 'read' },
  { bucket: 'in.c-csv-import', access: 'write' },
  { component: 'keboola.ex-db-mysql', action: 'run' },
  { component: 'keboola.ex-db-mysql', action: 'configure' },
];

const TTLS = ['1h', '1d', '30d', '90d', null] as const;

/**
 * Meters that are sometimes within each other and sometimes not (issue 13).
 * Every one has credits for the world's own verifications (an exchange and
 * a verification of a session spend two).
 */
export const METERS: readonly (Pick<IssueInput, 'ratelimit' | 'remaining' | 'refill'> | undefined)[] = [
  undefined,
  undefined,
  { remaining: 5 },
  { remaining: 9 },
  { remaining: 5, refill: { interval: '1h', amount: 3 } },
  { remaining: 5, refill: { interval: '1d', amount: 3 } },
  { ratelimit: { limit: 60, duration: '1m' } },
  { ratelimit: { limit: 10, duration: '1m' } },
  { ratelimit: { name: 'exports', limit: 10, duration: '1m' } },
  { remaining: 9, ratelimit: { limit: 10, duration: '1m' } },
];

export interface TokenSpec {
  readonly owner: UserName | null;
  readonly type: 'personal' | 'limited';
  readonly grants: Grant[] | undefined;
  readonly ttl: (typeof TTLS)[number];
  readonly meter: (typeof METERS)[number];
}

export interface WorldSpec {
  readonly users: Readonly<Record<UserName, { admin: boolean; grants: Grant[] }>>;
  readonly tokens: readonly TokenSpec[];
  /**
   * Which stored token acts (by position among all of them), and whether
   * through a session of it; `retired`: its secret was rotated away after
   * the principal was verified (`stale`), or the principal is of the
   * previous secret in a rotation's grace period (`grace`).
   */
  readonly actor: {
    readonly pick: number;
    readonly session: '1m' | '1h' | null;
    readonly retired?: 'stale' | 'grace' | null;
  };
}

const grants = fc.subarray([...POOL]).map((list) => list.map((grant) => structuredClone(grant)));

export const arbWorld: fc.Arbitrary<WorldSpec> = fc.record({
  users: fc.record({
    alice: fc.record({ admin: fc.constant(true), grants: fc.constant([] as Grant[]) }),
    analyst: fc.record({ admin: fc.constantFrom(false, false, false, true), grants }),
    bob: fc.record({ admin: fc.constant(false), grants }),
  }),
  tokens: fc.array(
    fc.record({
      owner: fc.constantFrom<UserName | null>('alice', 'analyst', 'analyst', 'bob', null),
      type: fc.constantFrom('personal' as const, 'limited' as const),
      grants: fc.option(grants, { nil: undefined, freq: 3 }),
      ttl: fc.constantFrom(...TTLS),
      meter: fc.constantFrom(...METERS),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  actor: fc.record({
    pick: fc.nat(),
    session: fc.oneof(
      { weight: 4, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('1m' as const, '1h' as const) },
    ),
    retired: fc.oneof(
      { weight: 8, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('stale' as const, 'grace' as const) },
    ),
  }),
});

export interface World {
  readonly service: TokenService;
  /** The directory's users (tenant acme) by name. */
  readonly users: Readonly<Record<string, { readonly admin: boolean; readonly grants: readonly Grant[] }>>;
  /** Every stored token with its current string, in creation order (masters first). */
  readonly tokens: { readonly info: TokenInfo; token: string }[];
  /** The stored token that acts (a session's parent). */
  readonly acting: { readonly info: TokenInfo; readonly token: string };
  readonly principal: Principal;
  readonly session: boolean;
  /** The principal's secret no longer is the token's current one (see `WorldSpec`): it may obtain nothing. */
  readonly retired: boolean;
  readonly actor: Actor;
  /** The token as it is stored now, read by the system. */
  readonly stored: (id: string) => Promise<TokenInfo>;
}

let keys: Promise<KeySet> | undefined;

export async function buildWorld(spec: WorldSpec): Promise<World> {
  keys ??= generateSigningKey('HS256', { kid: 'sessions' }).then((signing) => createKeySet({ signing }));
  const directoryData = { acme: structuredClone(spec.users) };
  const service = createTokenService({
    repository: memoryRepository(),
    pepper: TEST_PEPPER,
    prefix: 'acme',
    directory: staticDirectory(directoryData),
    policy: { allowNoExpiry: true },
    // Keys imported by the property of `importTokens` start with it.
    legacyPrefixes: [LEGACY_PREFIX],
    sessions: { codec: jwtSessionCodec({ keys: await keys, issuer: 'tw', audience: 'tw', now: () => NOW }) },
    now: () => NOW,
  });
  const tokens: World['tokens'] = [];
  for (const user of USERS) {
    const master = await service.ensureMasterToken({ tenant: 'acme', user });
    if (master.created) tokens.push({ info: master.info, token: master.token });
  }
  for (const [index, token] of spec.tokens.entries()) {
    const input = {
      tenant: 'acme',
      name: `t${index}`,
      type: token.owner === null ? ('administrative' as const) : token.type,
      ...(token.owner === null ? {} : { owner: token.owner }),
      ...(token.grants === undefined ? {} : { grants: token.grants }),
      ...token.meter,
      ttl: token.ttl,
    };
    // Grants beyond the owner's privileges are refused even to the system: such a spec makes no token.
    const issued = await service.issue(input, 'system').catch(() => null);
    if (issued !== null) tokens.push({ info: issued.info, token: issued.token });
  }
  const picked = tokens[spec.actor.pick % tokens.length]!;
  const actingString =
    spec.actor.session === null
      ? picked.token
      : (await service.exchange(picked.token, { ttl: spec.actor.session })).token;
  // A session's secret is its parent's: rotating it retires the session (`stale`); there is no grace for it.
  const retired =
    spec.actor.session !== null && spec.actor.retired === 'grace' ? 'stale' : (spec.actor.retired ?? null);
  // `grace`: rotated first, the principal is the old secret's; `stale`: rotated after the principal was verified.
  if (retired === 'grace') await service.rotate(picked.info.id, 'system', { gracePeriod: '1h' });
  const principal = await service.verify(actingString);
  if (retired === 'stale') await service.rotate(picked.info.id, 'system');
  // Read again: verifying (and exchanging) spent from its meter, and its authority is what it has now.
  const acting = { info: await service.get(picked.info.id, 'system'), token: picked.token };
  return {
    service,
    users: spec.users,
    tokens,
    acting,
    principal,
    session: spec.actor.session !== null,
    retired: retired !== null,
    actor: { principal },
    stored: (id) => service.get(id, 'system'),
  };
}
