/**
 * Differential property test: random sequences of repository calls run on
 * the memory and the SQLite repository side by side must give the same
 * answers (records, pages, counts and error codes) at every step. The
 * conformance suite pins each rule with examples; this catches the cases
 * in between where two stores could read the contract differently.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { StoredTokenType, TokenEvent, TokenRecord } from '../../src/core/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';

const T0 = 1_750_000_000_000;
// Small, skewed domains, so names, owners and instants collide often.
const tenant = fc.constantFrom('acme', 'acme', 'acme', 'globex');
const owner = fc.constantFrom<string | null>(null, 'u1', 'u1', 'u2');
const user = fc.constantFrom('u1', 'u2');
const name = fc.constantFrom<string>('n1', 'n1', 'n2');
const pick = fc.nat(50);

const command = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      tenant,
      owner,
      name,
      limited: fc.boolean(),
      ttl: fc.constantFrom<number | null>(null, 5, 10),
      cap: fc.constantFrom<number | undefined>(undefined, 1, 2),
      event: fc.boolean(),
    }),
    weight: 5,
  },
  fc.record({ op: fc.constant('insertMaster' as const), tenant, user, ttl: fc.constantFrom<number | null>(null, 20) }),
  fc.record({
    op: fc.constant('update' as const),
    pick,
    versionDelta: fc.constantFrom(0, 0, 1, -1),
    rotate: fc.boolean(),
  }),
  fc.record({ op: fc.constant('revoke' as const), pick }),
  { arbitrary: fc.record({ op: fc.constant('revokeLatest' as const) }), weight: 2 },
  fc.record({ op: fc.constant('revokeOwner' as const), tenant, user, includeMaster: fc.boolean() }),
  fc.record({ op: fc.constant('touch' as const), pick, delta: fc.integer({ min: -10, max: 10 }) }),
  fc.record({ op: fc.constant('purgeExpired' as const), delta: fc.integer({ min: -20, max: 20 }) }),
  { arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(1, 2, 5) }), weight: 3 },
  fc.record({
    op: fc.constant('insertClaim' as const),
    pick,
    ttl: fc.integer({ min: 1, max: 30 }),
    reuse: fc.boolean(),
  }),
  fc.record({ op: fc.constant('consumeClaim' as const), pick }),
  fc.record({ op: fc.constant('findById' as const), pick }),
  { arbitrary: fc.record({ op: fc.constant('findByName' as const), tenant, owner, name }), weight: 3 },
  {
    arbitrary: fc.record({
      op: fc.constant('list' as const),
      tenant,
      owner: fc.option(owner, { nil: undefined }),
      types: fc.option(fc.subarray<StoredTokenType>(['administrative', 'personal', 'master', 'limited']), {
        nil: undefined,
      }),
      includeExpired: fc.boolean(),
      includeRevoked: fc.boolean(),
      limit: fc.integer({ min: 1, max: 4 }),
    }),
    weight: 3,
  },
  fc.record({ op: fc.constant('listEvents' as const), pick, limit: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('pruneEvents' as const), delta: fc.integer({ min: -30, max: 5 }) }),
  fc.record({
    op: fc.constant('setPolicy' as const),
    tenant,
    role: fc.boolean(),
    subject: fc.constantFrom('u1', 'ops'),
    maxTtl: fc.constantFrom<number | null>(null, 1000, 2000),
  }),
  fc.record({ op: fc.constant('policiesFor' as const), tenant, user, roles: fc.subarray(['ops', 'dev']) }),
);

type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

/** Runs one call, turning a `TokenError` into its code so outcomes compare. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { value: await call() };
  } catch (error) {
    if (error instanceof TokenError) return { error: error.code };
    throw error;
  }
}

/** Every page of a paged call, concatenated, with the page sizes. */
async function allPages<T>(
  page: (cursor: string | null) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const result: { items: T[]; nextCursor: string | null } = await page(cursor);
    items.push(...result.items);
    sizes.push(result.items.length);
    cursor = result.nextCursor;
  } while (cursor !== null && sizes.length < 200);
  return { items, sizes };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Ids: every other one a ULID, so both the memory store's index of ULIDs
 * by their 128 bits (and its events kept in the token's row) and its
 * fallback for other id text are exercised.
 */
function idText(prefix: string, serial: number): string {
  if (serial % 2 === 1) return `${prefix}${String(serial).padStart(6, '0')}`;
  let digits = '';
  for (let rest = serial; digits.length < 25; rest = Math.floor(rest / 32)) digits = CROCKFORD[rest % 32] + digits;
  return `0${digits}`;
}

/** Applies one command to one repository; `ids` and `claims` are the names both runs share. */
async function apply(
  repo: TokenRepository,
  c: Command,
  world: { now: number; ids: string[]; claims: string[]; serial: number },
): Promise<unknown> {
  const id = (n: number): string => world.ids[n % Math.max(1, world.ids.length)] ?? 'T-missing';
  const event = (tokenId: string, type: TokenEvent['type'] = 'issued'): TokenEvent => ({
    id: idText('E', ++world.serial),
    tokenId,
    tenant: 'acme',
    type,
    actor: 'system',
    operation: type,
    detail: { serial: world.serial },
    at: world.now,
  });
  const record = (fields: Partial<TokenRecord>): TokenRecord => {
    const tokenId = idText('T', ++world.serial);
    world.ids.push(tokenId);
    return {
      id: tokenId,
      tenant: 'acme',
      type: 'personal',
      owner: 'u1',
      name: 'n1',
      comment: '',
      grants: null,
      secretHash: `hash-${tokenId}`,
      pepperVersion: 1,
      previousSecretHash: null,
      previousPepperVersion: null,
      previousExpiresAt: null,
      createdAt: world.now,
      expiresAt: null,
      revokedAt: null,
      rotatedAt: null,
      lastUsedAt: null,
      createdBy: 'system',
      version: 1,
      meter: null,
      meta: null,
      enabled: true,
      lookupHash: null,
      ...fields,
    };
  };
  switch (c.op) {
    case 'insert': {
      const r = record({
        tenant: c.tenant,
        owner: c.owner,
        name: c.name,
        type: c.owner === null ? 'administrative' : c.limited ? 'limited' : 'personal',
        grants: c.limited && c.owner !== null ? [{ scope: 'reports' }] : null,
        expiresAt: c.ttl === null ? null : world.now + c.ttl,
      });
      const limits = c.cap === undefined ? { now: world.now } : { now: world.now, maxLivePerOwner: c.cap };
      return outcome(() => repo.insert(r, limits, c.event ? event(r.id) : undefined));
    }
    case 'insertMaster': {
      const r = record({
        tenant: c.tenant,
        owner: c.user,
        type: 'master',
        name: 'master',
        expiresAt: c.ttl === null ? null : world.now + c.ttl,
      });
      return outcome(() => repo.insertMaster(r, event(r.id)));
    }
    case 'update': {
      const target = id(c.pick);
      const current = await repo.findById(target);
      const version = (current?.version ?? 1) + c.versionDelta;
      const change = c.rotate
        ? { secretHash: `hash-${world.serial}`, previousSecretHash: current?.secretHash ?? null, rotatedAt: world.now }
        : { comment: `comment ${world.serial}` };
      return outcome(() => repo.update(target, version, change, event(target, 'rotated')));
    }
    case 'revoke':
      return outcome(() => repo.revoke(id(c.pick), world.now, event(id(c.pick), 'revoked')));
    case 'revokeLatest': {
      const latest = world.ids[world.ids.length - 1] ?? 'T-missing';
      return outcome(() => repo.revoke(latest, world.now, event(latest, 'revoked')));
    }
    case 'revokeOwner':
      return outcome(() =>
        repo.revokeOwner(c.tenant, c.user, world.now, {
          includeMaster: c.includeMaster,
          event: (r) => event(r.id, 'revoked'),
        }),
      );
    case 'touch':
      return outcome(() => repo.touch(id(c.pick), world.now + c.delta));
    case 'purgeExpired':
      return outcome(() => repo.purgeExpired(world.now + c.delta));
    case 'advance':
      world.now += c.ms;
      return null;
    case 'insertClaim': {
      const code =
        c.reuse && world.claims.length > 0 ? world.claims[c.pick % world.claims.length]! : `code-${++world.serial}`;
      if (!world.claims.includes(code)) world.claims.push(code);
      const claim = {
        codeHash: code,
        tokenId: id(c.pick),
        tenant: 'acme',
        createdAt: world.now,
        expiresAt: world.now + c.ttl,
        createdBy: 'system',
      };
      return outcome(() => repo.insertClaim(claim, event(id(c.pick), 'shared')));
    }
    case 'consumeClaim':
      return outcome(() =>
        repo.consumeClaim(world.claims[c.pick % Math.max(1, world.claims.length)] ?? 'none', world.now),
      );
    case 'findById':
      return outcome(() => repo.findById(id(c.pick)));
    case 'findByName':
      return outcome(() => repo.findByName(c.tenant, c.owner, c.name));
    case 'list':
      return outcome(() =>
        allPages((cursor) =>
          repo.list({
            tenant: c.tenant,
            ...(c.owner === undefined ? {} : { owner: c.owner }),
            ...(c.types === undefined ? {} : { types: c.types }),
            includeExpired: c.includeExpired,
            includeRevoked: c.includeRevoked,
            now: world.now,
            limit: c.limit,
            cursor,
          }),
        ),
      );
    case 'listEvents':
      return outcome(() => allPages((cursor) => repo.listEvents({ tokenId: id(c.pick), limit: c.limit, cursor })));
    case 'pruneEvents':
      return outcome(() => repo.pruneEvents(world.now + c.delta));
    case 'setPolicy':
      return outcome(() =>
        repo.setPolicy(c.tenant, { kind: c.role ? 'role' : 'user', name: c.subject }, c.maxTtl, world.now),
      );
    case 'policiesFor':
      return outcome(async () => {
        const found = await repo.policiesFor(c.tenant, c.user, c.roles);
        return [...found].sort((a, b) =>
          a.subject.kind < b.subject.kind ? -1 : a.subject.kind > b.subject.kind ? 1 : 0,
        );
      });
  }
}

describe('memory and SQLite repositories answer alike', () => {
  it('for random sequences of calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(command, { minLength: 10, maxLength: 80, size: 'max' }),
        async (crowded, commands) => {
          const memory = memoryRepository();
          const db = new Database(':memory:');
          const sqlite = sqliteRepository({ database: db });
          const memoryWorld = { now: T0, ids: [] as string[], claims: [] as string[], serial: 0 };
          const sqliteWorld = { now: T0, ids: [] as string[], claims: [] as string[], serial: 0 };
          try {
            // Crowded namespaces take the memory store's large-namespace path.
            if (crowded) {
              for (const world of [memoryWorld, sqliteWorld]) {
                const repo = world === memoryWorld ? memory : sqlite;
                for (let i = 0; i < 80; i++) {
                  for (const owner of ['u1', null]) {
                    const c: Command = {
                      op: 'insert',
                      tenant: 'acme',
                      owner,
                      name: `p${i}`,
                      limited: false,
                      ttl: i % 2 ? 5 : null,
                      cap: undefined,
                      event: false,
                    };
                    await apply(repo, c, world);
                  }
                }
              }
            }
            for (const [step, c] of commands.entries()) {
              const expected = await apply(memory, c, memoryWorld);
              const actual = await apply(sqlite, c, sqliteWorld);
              expect(actual, `step ${step}: ${c.op}`).toEqual(expected);
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: Number(process.env.TOKENWARD_PROPERTY_RUNS ?? 400) },
    );
  });
});
