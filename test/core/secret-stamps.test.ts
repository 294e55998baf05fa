/**
 * A secret is named by its token's `rotatedAt` (outside review 3): the
 * principals, sessions and claim codes of a secret must stop working once
 * it is rotated away, even when the clock does not move between rotations
 * (a frozen clock, automation rotating twice in one millisecond) or steps
 * back (NTP). fast-check runs sequences of rotate / share / claim / update /
 * exchange calls on one token over every store and checks, after each
 * call, that everything made from a rotated-away secret is refused and
 * everything made from the current one still works.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/principal-types.js';
import { nextRotation } from '../../src/core/records.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { testRecord } from '../support/records.js';
import { BOB, type Harness } from '../support/service.js';
import { sessionHarness } from '../support/sessions.js';

const T0 = Date.UTC(2026, 2, 1);
/** Token names are unique per owner, and the SQL stores are shared by the runs. */
let runs = 0;

/** What the clock does before a call: nothing (frozen), one ms forward, or a step back. */
type Tick = { kind: 'hold' } | { kind: 'forward' } | { kind: 'back'; ms: number };
type Call =
  | { kind: 'rotate' }
  | { kind: 'verify' }
  | { kind: 'share'; by: 'principal' | 'owner' }
  | { kind: 'claim'; pick: number }
  | { kind: 'exchange' };

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.constant<Call>({ kind: 'rotate' }),
  fc.constant<Call>({ kind: 'verify' }),
  fc.constantFrom<Call>({ kind: 'share', by: 'principal' }, { kind: 'share', by: 'owner' }),
  fc.nat().map<Call>((pick) => ({ kind: 'claim', pick })),
  fc.constant<Call>({ kind: 'exchange' }),
);
const frozen: fc.Arbitrary<Tick> = fc.constant({ kind: 'hold' });
const stepping: fc.Arbitrary<Tick> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Tick>({ kind: 'hold' }) },
  { weight: 1, arbitrary: fc.constant<Tick>({ kind: 'forward' }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 5_000 }).map<Tick>((ms) => ({ kind: 'back', ms })) },
);

/** A thing made from one secret of the token: `secret` counts the secrets (0 is the issued one). */
interface Made<T> {
  readonly secret: number;
  readonly value: T;
}

interface World {
  readonly harness: Harness;
  readonly id: string;
  token: string;
  secret: number;
  principals: Made<Principal>[];
  sessions: Made<string>[];
  /** Claim codes; `secret` is the sharing secret, or null for the owner (a user: no secret to lose). */
  codes: { readonly secret: number | null; readonly code: string; used: boolean; readonly sharedAt: number }[];
  /** The latest time the clock was set back below, for the one case a stamp cannot decide (below). */
  lowest: number;
  /** The latest time the clock showed. */
  highest: number;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'accepted',
    (error: { code?: string }) => error.code ?? 'thrown',
  );
}

async function step(world: World, tick: Tick, next: Call): Promise<void> {
  const { service, clock } = world.harness;
  if (tick.kind === 'forward') clock.advance(1);
  // Back at most 4 s behind the latest time seen: a session's JWT with an `iat` further ahead than its
  // 5 s tolerance is refused for that reason alone.
  if (tick.kind === 'back') clock.set(Math.max(clock.now() - tick.ms, world.highest - 4_000));
  world.highest = Math.max(world.highest, clock.now());
  world.lowest = Math.min(world.lowest, clock.now());
  switch (next.kind) {
    case 'rotate': {
      world.token = (await service.rotate(world.id, BOB)).token;
      world.secret++;
      return;
    }
    case 'verify': {
      world.principals.push({ secret: world.secret, value: await service.verify(world.token) });
      return;
    }
    case 'share': {
      const current = world.principals.find((one) => one.secret === world.secret);
      if (next.by === 'principal' && current === undefined) return;
      const actor = next.by === 'principal' ? { principal: current!.value } : BOB;
      const { code } = await service.share(world.id, actor);
      const secret = next.by === 'principal' ? world.secret : null;
      world.codes.push({ secret, code, used: false, sharedAt: clock.now() });
      return;
    }
    case 'claim': {
      const open = world.codes.filter((one) => !one.used);
      const chosen = open[next.pick % Math.max(open.length, 1)];
      if (chosen === undefined) return;
      chosen.used = true;
      const stale = chosen.secret !== null && chosen.secret !== world.secret;
      // A rotation made after the clock stepped back behind the share time cannot be told from
      // the sharing secret by time stamps alone (no column holds the sharing secret's stamp):
      // the one case left out, documented in docs/lifecycle.md.
      const undecidable = stale && world.lowest < chosen.sharedAt;
      const outcome = await refusal(
        service.claim(chosen.code).then((claimed) => {
          world.token = claimed.token;
          world.secret++;
        }),
      );
      if (!undecidable)
        expect(outcome, `claim of a code shared by secret ${chosen.secret}`).toBe(stale ? 'forbidden' : 'accepted');
      return;
    }
    case 'exchange': {
      world.sessions.push({ secret: world.secret, value: (await service.exchange(world.token)).token });
      return;
    }
  }
}

/** Everything made from a rotated-away secret is refused; everything from the current one works. */
async function check(world: World): Promise<void> {
  const { service } = world.harness;
  for (const { secret, value } of world.principals) {
    const outcome = await refusal(service.updateComment(world.id, `by ${secret}`, { principal: value }));
    expect(outcome, `principal of secret ${secret} (current ${world.secret})`).toBe(
      secret === world.secret ? 'accepted' : 'token_invalid',
    );
  }
  for (const { secret, value } of world.sessions) {
    const outcome = await refusal(service.verify(value));
    expect(outcome, `session of secret ${secret} (current ${world.secret})`).toBe(
      secret === world.secret ? 'accepted' : 'token_revoked',
    );
  }
  expect(await refusal(service.verify(world.token))).toBe('accepted');
}

async function run(repository: () => Promise<TokenRepository> | TokenRepository, ticks: fc.Arbitrary<Tick>) {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(ticks, call), { minLength: 1, maxLength: 12 }), async (calls) => {
      const harness = await sessionHarness({ repository: await repository() });
      harness.clock.set(T0);
      const issued = await harness.service.issue({ name: `stamped-${++runs}`, ttl: '30d' }, BOB);
      const world: World = {
        harness,
        id: issued.info.id,
        token: issued.token,
        secret: 0,
        principals: [],
        sessions: [],
        codes: [],
        lowest: T0,
        highest: T0,
      };
      for (const [tick, next] of calls) {
        await step(world, tick, next);
        await check(world);
      }
    }),
    { numRuns: 30 },
  );
}

function stores(name: string, repository: () => Promise<TokenRepository> | TokenRepository): void {
  describe(`secret stamps over ${name}`, () => {
    it('a frozen clock: nothing of a rotated-away secret works, everything of the current one does', async () => {
      await run(repository, frozen);
    });
    it('a clock that holds, creeps and steps back: the same', async () => {
      await run(repository, stepping);
    });
  });
}

describe('nextRotation', () => {
  const record = (createdAt: number, rotatedAt: number | null) =>
    testRecord('01J0000000000000000000STMP', { createdAt, rotatedAt });
  it('is the clock when it is past the current secret, else 1 ms after that secret', () => {
    expect(nextRotation(record(10, null), 50)).toBe(50);
    expect(nextRotation(record(10, null), 10)).toBe(11);
    expect(nextRotation(record(10, null), 3)).toBe(11);
    expect(nextRotation(record(10, 20), 50)).toBe(50);
    expect(nextRotation(record(10, 20), 20)).toBe(21);
    expect(nextRotation(record(10, 20), 15)).toBe(21);
    // A stamp written before this rule, equal to the creation time.
    expect(nextRotation(record(10, 10), 10)).toBe(11);
  });
});

describe("the reviewer's examples, on a clock that does not move", () => {
  it('shares by a never-rotated token, a user and the system are claimed in the same millisecond', async () => {
    const { service, clock } = await sessionHarness();
    clock.set(T0);
    const issued = await service.issue({ name: 'plain' }, BOB);
    const byToken = await service.share(issued.info.id, { principal: await service.verify(issued.token) });
    const first = await service.claim(byToken.code);
    for (const actor of [BOB, 'system'] as const) {
      const { code } = await service.share(issued.info.id, actor);
      expect(await refusal(service.claim(code)), JSON.stringify(actor)).toBe('accepted');
    }
    expect(first.info.rotatedAt?.getTime()).toBe(T0 + 1);
  });

  it('a principal and a session of a secret rotated away in the same millisecond act no more', async () => {
    const { service, clock } = await sessionHarness();
    clock.set(T0);
    const issued = await service.issue({ name: 'x' }, BOB);
    const first = await service.rotate(issued.info.id, BOB);
    const stale = await service.verify(first.token);
    const session = await service.exchange(first.token);
    const second = await service.rotate(issued.info.id, BOB);
    // Each rotation is stamped after the one before, however still the clock.
    expect(first.info.rotatedAt?.getTime()).toBe(T0 + 1);
    expect(second.info.rotatedAt?.getTime()).toBe(T0 + 2);
    const actor = { principal: stale };
    expect(await refusal(service.rotate(issued.info.id, actor))).toBe('token_invalid');
    expect(await refusal(service.share(issued.info.id, actor))).toBe('token_invalid');
    expect(await refusal(service.update(issued.info.id, { comment: 'pwned' }, actor))).toBe('token_invalid');
    expect(await refusal(service.verify(session.token))).toBe('token_revoked');
    expect(await refusal(service.verify(second.token))).toBe('accepted');
  });

  it('a claim code shared by a secret rotated away in the same millisecond is refused', async () => {
    const { service, clock } = await sessionHarness();
    clock.set(T0);
    const issued = await service.issue({ name: 'leaky' }, BOB);
    const { code } = await service.share(issued.info.id, { principal: await service.verify(issued.token) });
    const rotated = await service.rotate(issued.info.id, BOB);
    expect(await refusal(service.claim(code))).toBe('forbidden');
    expect(await refusal(service.verify(rotated.token))).toBe('accepted');
  });

  it('a share made after the last rotation, in the same millisecond, is claimed', async () => {
    const { service, clock } = await sessionHarness();
    clock.set(T0);
    const issued = await service.issue({ name: 'kept' }, BOB);
    const rotated = await service.rotate(issued.info.id, BOB);
    const { code } = await service.share(issued.info.id, { principal: await service.verify(rotated.token) });
    const claimed = await service.claim(code);
    expect(claimed.info.rotatedAt?.getTime()).toBe(T0 + 2);
    expect(await refusal(service.verify(rotated.token))).toBe('token_invalid');
  });
});

describe('a share stamped after its sharing secret', () => {
  // Found by test/postgres/outage.test.ts: a pending claim and its `shared` event must bear one instant.
  it("records its `shared` event at the claim's own stamp, a millisecond ahead of a still clock", async () => {
    const path = join(dir, 'shared-event.sqlite');
    const { service, clock } = await sessionHarness({ repository: sqliteRepository({ path }) });
    clock.set(T0);
    const issued = await service.issue({ name: 'stamped' }, BOB);
    const rotated = await service.rotate(issued.info.id, BOB);
    await service.share(issued.info.id, { principal: await service.verify(rotated.token) });
    const db = new Database(path, { readonly: true });
    try {
      const claims = db.prepare('SELECT created_at AS at FROM tokenward_claims').all() as { at: number }[];
      const shared = db.prepare("SELECT at FROM tokenward_events WHERE type = 'shared'").all() as { at: number }[];
      expect(claims.map(({ at }) => Number(at))).toEqual([T0 + 2]);
      expect(shared.map(({ at }) => Number(at))).toEqual([T0 + 2]);
    } finally {
      db.close();
    }
  });
});

const dir = mkdtempSync(join(tmpdir(), 'tokenward-stamps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

stores('memory', () => memoryRepository());
stores('SQLite', () => sqliteRepository({ path: join(dir, `stamps-${++files}.sqlite`) }));

const server = await testPostgres();
describePostgres('secret stamps over PostgreSQL', server, (url) => {
  const schema = uniqueSchema('stamps');
  const pool = testPool(url, 4);
  let migrated: Promise<void> | undefined;
  afterAll(async () => {
    await pool.end();
    await dropSchema(url, schema);
  });
  stores('PostgreSQL', async () => {
    migrated ??= migrate(pool, { schema }).then(() => undefined);
    await migrated;
    return postgresRepository({ pool, schema });
  });
});
