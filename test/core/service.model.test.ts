/**
 * Model-based test of the token service: fast-check generates sequences of
 * calls (issue, verify, rotate, revoke, share, claim, policies, the clock,
 * the directory…), made by users or by tokens that verify at that moment
 * (held to the actor × call table, `model/authority.ts`), runs each on a
 * real service (over the memory repository,
 * and over SQLite) and on a plain model written from SPEC §2–§5, and fails
 * on the first call where the two disagree, shrinking the sequence to a
 * short one.
 */
import fc from 'fast-check';
import { afterEach, describe, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import type { Grant } from '../../src/core/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { makeHarness } from '../support/service.js';
import type { Who } from './model/authority.js';
import type { Command, Pick, Real } from './model/checks.js';
import { IssueCommand } from './model/issue.js';
import {
  EnsureMasterCommand,
  RevokeCommand,
  RevokeUserCommand,
  RotateCommand,
  SetMaxTtlCommand,
  UpdateCommentCommand,
} from './model/manage.js';
import { type ActorName, DAY, HOUR, type Model, type ModelConfig } from './model/model.js';
import { EventsCommand, GetCommand, ListCommand, type ListScope } from './model/read.js';
import { ClaimCommand, ShareCommand } from './model/share.js';
import { VerifyCommand, type VerifyKind } from './model/verify.js';
import {
  AdvanceCommand,
  AdvanceToDeadlineCommand,
  DirectoryCommand,
  PruneEventsCommand,
  PurgeCommand,
  RecordCommand,
} from './model/world.js';

/** Users mostly; sometimes a token that verifies now, which acts under the actor × call table (issue 8). */
const actor: fc.Arbitrary<Who> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<ActorName>('alice', 'analyst', 'analyst', 'bob') },
  { weight: 1, arbitrary: fc.constantFrom<ActorName>('gone', 'gina') },
  { weight: 3, arbitrary: fc.nat().map((via) => ({ via })) },
);
const target: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ index: fc.nat(), among: fc.constant('manageable' as const) }) },
  { weight: 3, arbitrary: fc.record({ index: fc.nat(), among: fc.constant('any' as const) }) },
  { weight: 1, arbitrary: fc.constant('ghost' as const) },
);

/** Grants that overlap what the directory's users have, so some requests fit and some exceed the creator. */
const GRANT_POOL: readonly Grant[] = [
  { bucket: 'in.c-csv-import', access: 'read' },
  { bucket: 'in.c-csv-import', access: 'write' },
  { bucket: 'out.c-main', access: 'read' },
  { component: 'keboola.ex-db-mysql', actions: ['run'] },
  { component: 'keboola.ex-db-mysql' },
  { scope: 'reports' },
];

/** Mostly calls that can succeed, so sequences build up state; sometimes ones that break a rule. */
function mostly<T>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 9, arbitrary: usual }, { weight: 1, arbitrary: rare });
}

const issue = fc
  .record({
    // Sometimes with a verified token instead: only master tokens may create tokens.
    viaToken: fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.record({ index: fc.nat(), master: fc.boolean() }) },
    ),
    actor: mostly(
      fc.constantFrom<ActorName>('alice', 'analyst', 'analyst', 'bob'),
      fc.constantFrom<ActorName>('gone', 'gina'),
    ),
    type: mostly(
      fc.constantFrom(undefined, 'personal', 'limited', 'limited'),
      fc.constantFrom('administrative' as const, 'master' as const),
    ),
    owner: mostly(fc.constant(undefined), fc.constantFrom('analyst', 'bob', 'gone', 'nobody')),
    // Small pools so names collide; 'master' may collide with a master token's name.
    name: mostly(fc.constantFrom(undefined, undefined, 'ci_pipeline', 'report_bot', 'deploy'), fc.constant('master')),
    // Indexes into TTL_CHOICES: the first eight are well-formed lifetimes under the ceiling.
    ttl: mostly(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 8, max: 10 })),
    grants: fc.option(
      fc.subarray([...GRANT_POOL], { maxLength: 2 }).map((grants) => grants.map((grant) => ({ ...grant }))),
      { nil: undefined, freq: 3 },
    ),
    comment: fc.constantFrom(undefined, 'CI', 'Токен для сборочного конвейера'),
  })
  .map((params) => new IssueCommand(params));

const verify = fc
  .record({
    kind: fc.constantFrom<VerifyKind>(
      'live',
      'live',
      'current',
      'grace',
      'grace',
      'retired',
      'retired',
      'garbage',
      'mutation',
    ),
    pick: fc.nat(),
    position: fc.nat(),
    replacement: fc.constantFrom('A', 'z', '0', '_', '-', '.', ' ', 'é'),
    garbage: fc.oneof(fc.string({ maxLength: 90 }), fc.constant('acme_p_01ARZ3NDEKTSV4RRFFQ69G5FAV')),
    tenant: fc.constantFrom(undefined, undefined, 'acme', 'globex'),
  })
  .map((params) => new VerifyCommand(params));

const advance = fc
  .oneof(
    { weight: 30, arbitrary: fc.integer({ min: 1, max: 3_600 }).map((s) => s * 1000) },
    { weight: 20, arbitrary: fc.integer({ min: 1, max: 48 }).map((h) => h * HOUR) },
    { weight: 10, arbitrary: fc.integer({ min: 1, max: 60 }).map((d) => d * DAY) },
    // Sometimes months at once, past the six months events are kept.
    { weight: 3, arbitrary: fc.integer({ min: 100, max: 200 }).map((d) => d * DAY) },
  )
  .map((ms) => new AdvanceCommand(ms));

const rotate = fc.tuple(actor, target, fc.nat()).map(([who, pick, grace]) => new RotateCommand(who, pick, grace));
const revoke = fc.tuple(actor, target).map(([who, pick]) => new RevokeCommand(who, pick));
const revokeUser = fc
  .tuple(actor, fc.constantFrom('alice' as const, 'analyst' as const, 'bob' as const), fc.boolean())
  .map(([who, user, remove]) => new RevokeUserCommand(who, user, remove));
const updateComment = fc
  .tuple(actor, target, fc.boolean(), fc.constantFrom<string | number>('moved to the new runner', '', 'ü', 42))
  .map(([who, pick, byId, text]) => new UpdateCommentCommand(who, pick, byId, text));
const get = fc.tuple(actor, target, fc.boolean()).map(([who, pick, byId]) => new GetCommand(who, pick, byId));
const list = fc
  .tuple(
    actor,
    fc.constantFrom<ListScope>('own', 'alice', 'analyst', 'bob', 'administrative', 'all'),
    fc.constantFrom(undefined, true, false),
    fc.constantFrom(undefined, true, false),
  )
  .map(([who, scope, hideExpired, hideRevoked]) => new ListCommand(who, scope, hideExpired, hideRevoked));
const share = fc
  .tuple(actor, target, fc.constantFrom(undefined, '1h' as const, '2d' as const))
  .map(([who, pick, ttl]) => new ShareCommand(who, pick, ttl));
const claim = fc
  .tuple(
    fc.option(fc.record({ index: fc.nat(), fresh: fc.boolean() }), { nil: null, freq: 5 }),
    fc.constantFrom('acme_claim_nope', 'x', ''),
  )
  .map(([pick, garbage]) => new ClaimCommand(pick, garbage));
const setMaxTtl = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom<Who>('alice', 'alice', 'analyst') },
      { weight: 1, arbitrary: fc.nat().map((via): Who => ({ via })) },
    ),
    // Mostly the analyst and their role, so user and role policies meet.
    fc.constantFrom(
      { user: 'analyst' },
      { user: 'analyst' },
      { role: 'service_accounts' },
      { role: 'service_accounts' },
      { user: 'alice' },
      { user: 'bob' },
      { user: 'nobody' },
      { role: 'auditors' },
    ),
    fc.constantFrom('1h', '24h', '30d', '400d', '0d', null),
  )
  .map(([who, subject, ttl]) => new SetMaxTtlCommand(who, subject, ttl));
const ensureMaster = fc
  .constantFrom<ActorName>('alice', 'analyst', 'bob', 'gone', 'gina')
  .map((user) => new EnsureMasterCommand(user));
const advanceToDeadline = fc.nat().map((pick) => new AdvanceToDeadlineCommand(pick));
const purge = fc.constant(new PurgeCommand());
const events = fc.tuple(actor, target).map(([who, pick]) => new EventsCommand(who, pick));
const record = fc
  .tuple(fc.nat(), fc.constantFrom('GET /buckets', 'storage.tables.import', 'SELECT 1'))
  .map(([pick, operation]) => new RecordCommand(pick, operation));
const pruneEvents = fc.constant(new PruneEventsCommand());
const directory = fc
  .constantFrom('analyst-demoted' as const, 'analyst-demoted' as const, 'bob-active' as const)
  .map((change) => new DirectoryCommand(change));

/** Repeats weigh the choice: issuing and verifying most, then the changes that make verification interesting. */
const commands: fc.Arbitrary<Command>[] = [
  ...[issue, issue, issue, issue, issue],
  ...[verify, verify, verify, verify],
  ...[rotate, rotate, revoke, revokeUser, updateComment, get, list],
  ...[share, share, claim, claim, claim, setMaxTtl, setMaxTtl, ensureMaster],
  ...[advance, advance, advanceToDeadline, purge, directory],
  ...[events, record, pruneEvents],
];

const config: fc.Arbitrary<ModelConfig> = fc.record({
  maxTokensPerUser: fc.integer({ min: 1, max: 3 }),
  allowNoExpiry: fc.boolean(),
});

function setup(settings: ModelConfig, repository: () => TokenRepository): () => { model: Model; real: Real } {
  return () => {
    const real = makeHarness({
      repository: repository(),
      policy: { maxTokensPerUser: settings.maxTokensPerUser, allowNoExpiry: settings.allowNoExpiry },
    });
    const model: Model = {
      now: real.clock.now(),
      config: settings,
      users: {
        acme: {
          alice: { admin: true, roles: [], grants: [], active: true },
          analyst: {
            admin: false,
            roles: ['service_accounts'],
            grants: [{ scope: 'reports' }, { bucket: 'in.c-csv-import', access: 'write' }],
            active: true,
          },
          bob: { admin: false, roles: [], grants: [{ bucket: 'in.c-csv-import', access: 'read' }], active: true },
          gone: { admin: false, roles: [], grants: [], active: false },
        },
        globex: { gina: { admin: true, roles: [], grants: [], active: true } },
      },
      tokens: [],
      claims: [],
      policies: new Map(),
    };
    return { model, real };
  };
}

/**
 * The service's rules hold whatever stores the tokens: the same model runs
 * on the memory repository and on SQLite (an in-memory database, so no files).
 */
const REPOSITORIES: { name: string; runs: number; open: () => TokenRepository }[] = [
  { name: 'the memory repository', runs: 200, open: () => memoryRepository() },
  { name: 'SQLite', runs: 60, open: () => sqliteRepository({ path: ':memory:' }) },
];

describe.each(REPOSITORIES)('token service on $name against its model', ({ runs, open }) => {
  const opened: TokenRepository[] = [];
  afterEach(async () => {
    for (const repository of opened.splice(0)) await repository.close?.();
  });

  it('agrees with the model on every generated sequence of calls', async () => {
    const tracked = (): TokenRepository => {
      const repository = open();
      opened.push(repository);
      return repository;
    };
    await fc.assert(
      fc.asyncProperty(config, fc.commands(commands, { maxCommands: 40, size: 'max' }), async (settings, sequence) => {
        await fc.asyncModelRun(setup(settings, tracked), sequence);
      }),
      { numRuns: runs },
    );
  });
});
