/**
 * Issue 8, finding 8: every option of the core factories (the service, the
 * memory store, the JWT helpers, the conformance suite) is checked at
 * construction, and a bad one is a `TokenError('invalid_request')` naming
 * the field, never a `TypeError` later, a silent default or a service that
 * accepts nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import type { SessionCodec } from '../../src/core/format-types.js';
import { createKeySet, generateSigningKey, jwtFormat, jwtSessionCodec } from '../../src/jwt/index.js';
import { nodeHasher } from '../../src/node/index.js';
import { createTokenService } from '../../src/service/index.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { describeRepositoryContract } from '../../src/testing/index.js';
import { refusalOf, rejectionOf } from '../support/refusal.js';
import { ALICE, TEST_PEPPER, testClock, USERS } from '../support/service.js';

const SECRET = 'engine-secret-0123456789';
const keys = await createKeySet({ signing: await generateSigningKey('HS256', { kid: 'k1' }) });
const codec: SessionCodec = jwtSessionCodec({ keys, issuer: 'https://auth.test', audience: 'https://api.test' });
const pair = await generateSigningKey('EdDSA', { kid: 'p1' });

const base = (): TokenServiceOptions => ({
  repository: memoryRepository(),
  pepper: TEST_PEPPER,
  directory: staticDirectory(USERS),
});

/** `createTokenService(overrides(base))`: each row breaks one thing; `field` is what the error must name. */
const BAD_SERVICE_OPTIONS: readonly (readonly [string, (options: TokenServiceOptions) => unknown, string])[] = [
  ['no options at all', () => undefined, 'options'],
  ['null options', () => null, 'options'],
  ['an unknown option', (o) => ({ ...o, expiresIn: '1d' }), 'options.expiresIn'],
  ['no repository', ({ repository: _, ...o }) => o, 'repository'],
  ['memoryRepository not called', (o) => ({ ...o, repository: memoryRepository }), 'repository'],
  ['a promise of a repository', (o) => ({ ...o, repository: Promise.resolve(memoryRepository()) }), 'repository'],
  ['no pepper', ({ pepper: _, ...o }) => o, 'pepper'],
  ['a short pepper', (o) => ({ ...o, pepper: 'short' }), 'pepper'],
  ['a pepper set without peppers', (o) => ({ ...o, pepper: { current: 1, peppers: null } }), 'pepper.peppers'],
  [
    'a pepper set with a text version',
    (o) => ({ ...o, pepper: { current: '1', peppers: { 1: TEST_PEPPER } } }),
    'pepper.current',
  ],
  [
    'a pepper set with a stray key',
    (o) => ({ ...o, pepper: { current: 1, peppers: { 1: TEST_PEPPER }, next: 2 } }),
    'pepper.next',
  ],
  ['an uppercase prefix', (o) => ({ ...o, prefix: 'ACME' }), 'prefix'],
  [
    'a bad prefix beside a format (it still names claim codes)',
    (o) => ({ ...o, prefix: 'a.b', format: jwtFormatFor() }),
    'prefix',
  ],
  ['a directory without getUser', (o) => ({ ...o, directory: { users: {} } }), 'directory'],
  ['a policy that is a string', (o) => ({ ...o, policy: 'strict' }), 'policy'],
  ['a null policy', (o) => ({ ...o, policy: null }), 'policy'],
  ['an unknown policy option', (o) => ({ ...o, policy: { maxTTL: '1d' } }), 'policy.maxTTL'],
  ['policy.maxTtl null (no ceiling is not a thing)', (o) => ({ ...o, policy: { maxTtl: null } }), 'policy.maxTtl'],
  ['policy.defaultTtl null', (o) => ({ ...o, policy: { defaultTtl: null } }), 'policy.defaultTtl'],
  ['policy.allowNoExpiry as text', (o) => ({ ...o, policy: { allowNoExpiry: 'yes' } }), 'policy.allowNoExpiry'],
  ['policy.maxTokensPerUser 0', (o) => ({ ...o, policy: { maxTokensPerUser: 0 } }), 'policy.maxTokensPerUser'],
  ['policy.maxTokensPerUser 2.5', (o) => ({ ...o, policy: { maxTokensPerUser: 2.5 } }), 'policy.maxTokensPerUser'],
  ['policy.creation unknown', (o) => ({ ...o, policy: { creation: 'everyone' } }), 'policy.creation'],
  ['policy.purgeAfter 0', (o) => ({ ...o, policy: { purgeAfter: 0 } }), 'policy.purgeAfter'],
  ['policy.claimTtl garbage', (o) => ({ ...o, policy: { claimTtl: 'a week' } }), 'policy.claimTtl'],
  [
    'verificationTokens: [process.env.UNSET]',
    (o) => ({ ...o, verificationTokens: [process.env.TOKENWARD_UNSET_FOR_TEST] }),
    'verificationTokens[0]',
  ],
  ['verificationTokens: [null]', (o) => ({ ...o, verificationTokens: [null] }), 'verificationTokens[0]'],
  ['verificationTokens: a bare string', (o) => ({ ...o, verificationTokens: SECRET }), 'verificationTokens'],
  [
    'a verification token object without secret',
    (o) => ({ ...o, verificationTokens: [{ name: 'engine' }] }),
    'verificationTokens[0].secret',
  ],
  [
    'a verification token with a stray key',
    (o) => ({ ...o, verificationTokens: [{ secret: SECRET, tenat: 'acme' }] }),
    'verificationTokens[0].tenat',
  ],
  [
    'a verification token with a bad tenant',
    (o) => ({ ...o, verificationTokens: [{ secret: SECRET, tenant: 'a b' }] }),
    'verificationTokens[0].tenant',
  ],
  ['a short verification secret', (o) => ({ ...o, verificationTokens: [SECRET, 'short'] }), 'verificationTokens[1]'],
  [
    'a verification secret with a trailing newline',
    (o) => ({ ...o, verificationTokens: [`${SECRET}\n`] }),
    'verificationTokens[0]',
  ],
  [
    'a verification secret with surrounding spaces',
    (o) => ({ ...o, verificationTokens: [` ${SECRET} `] }),
    'verificationTokens[0]',
  ],
  ['a non-ASCII verification secret', (o) => ({ ...o, verificationTokens: [`${SECRET}é`] }), 'verificationTokens[0]'],
  [
    'the same verification secret twice',
    (o) => ({ ...o, verificationTokens: [SECRET, { secret: SECRET, name: 'b' }] }),
    'verificationTokens[1].secret',
  ],
  [
    'enablePersonalTokens as text',
    (o) => ({ ...o, verificationTokens: [SECRET], enablePersonalTokens: 'false' }),
    'enablePersonalTokens',
  ],
  ['personalTokensOnly as a number', (o) => ({ ...o, personalTokensOnly: 1 }), 'personalTokensOnly'],
  [
    'both switches: enablePersonalTokens false and personalTokensOnly true',
    (o) => ({ ...o, verificationTokens: [SECRET], enablePersonalTokens: false, personalTokensOnly: true }),
    'personalTokensOnly',
  ],
  [
    'personal tokens off and no verification token',
    (o) => ({ ...o, enablePersonalTokens: false }),
    'verificationTokens',
  ],
  [
    'personal tokens off and an empty list',
    (o) => ({ ...o, enablePersonalTokens: false, verificationTokens: [] }),
    'verificationTokens',
  ],
  [
    'sessions with personal tokens off',
    (o) => ({ ...o, verificationTokens: [SECRET], enablePersonalTokens: false, sessions: { codec } }),
    'sessions',
  ],
  ['a bad defaultTenant', (o) => ({ ...o, defaultTenant: 'a b' }), 'defaultTenant'],
  ['a negative touchInterval', (o) => ({ ...o, touchInterval: -1 }), 'touchInterval'],
  ['a format that is a name', (o) => ({ ...o, format: 'jwt' }), 'format'],
  [
    'a format without parse',
    (o) => ({ ...o, format: { kind: 'x', encode: () => '', looksLike: () => false } }),
    'format',
  ],
  ['sessions without a codec', (o) => ({ ...o, sessions: {} }), 'sessions.codec'],
  [
    'sessions with a codec lacking sign',
    (o) => ({ ...o, sessions: { codec: { parse: () => null, looksLike: () => false } } }),
    'sessions.codec',
  ],
  ['sessions with a bad maxTtl', (o) => ({ ...o, sessions: { codec, maxTtl: 'long' } }), 'sessions.maxTtl'],
  ['sessions with an unknown option', (o) => ({ ...o, sessions: { codec, ttl: '1h' } }), 'sessions.ttl'],
  ['sessions: null', (o) => ({ ...o, sessions: null }), 'sessions'],
  ['a hasher that is a name', (o) => ({ ...o, hasher: 'sha256' }), 'hasher'],
  ['a hasher that is not HMAC-SHA-256', (o) => ({ ...o, hasher: () => () => new Uint8Array(32) }), 'hasher'],
  [
    'a hasher that throws',
    (o) => ({
      ...o,
      hasher: () => {
        throw new Error('no');
      },
    }),
    'hasher',
  ],
  ['a clock that is a number', (o) => ({ ...o, now: 0 }), 'now'],
  ['random that is a boolean', (o) => ({ ...o, random: true }), 'random'],
];

function jwtFormatFor() {
  return jwtFormat({ keys, issuer: 'https://auth.test', audience: 'https://api.test' });
}

describe('createTokenService refuses bad configuration', () => {
  it.each(BAD_SERVICE_OPTIONS)('%s → invalid_request naming the field', (_label, change, field) => {
    expect(refusalOf(() => createTokenService(change(base()) as TokenServiceOptions))).toEqual({
      code: 'invalid_request',
      field,
    });
  });

  it('does not change the options object it was given', () => {
    const options = {
      ...base(),
      policy: Object.freeze({ maxTtl: '30d' }),
      verificationTokens: Object.freeze([SECRET]),
    };
    const frozen = Object.freeze(options);
    expect(() => createTokenService(frozen)).not.toThrow();
  });
});

describe('createTokenService accepts what is not a contradiction', () => {
  it('a defaultTtl above maxTtl: the smaller applies (SPEC §4)', async () => {
    const clock = testClock();
    const service = createTokenService({ ...base(), now: clock.now, policy: { defaultTtl: '400d', maxTtl: '30d' } });
    const { info } = await service.issue({}, ALICE);
    expect(info.expiresAt?.getTime()).toBe(clock.now() + 30 * 86_400_000);
  });

  it('a sessions defaultTtl above its maxTtl: the smaller applies here too', async () => {
    const clock = testClock(Date.now());
    const service = createTokenService({
      ...base(),
      now: clock.now,
      sessions: { codec, defaultTtl: '1d', maxTtl: '1h' },
    });
    const { token } = await service.issue({}, ALICE);
    const session = await service.exchange(token);
    expect(session.expiresAt.getTime()).toBe(clock.now() + 3_600_000);
  });

  it('personalTokensOnly with verification tokens listed (the switch turns them off)', async () => {
    const service = createTokenService({ ...base(), verificationTokens: [SECRET], personalTokensOnly: true });
    expect((await rejectionOf(service.verify(SECRET))).code).toBe('token_invalid');
  });

  it('a pepper given as bytes, or as a versioned set of bytes', async () => {
    const bytes = new TextEncoder().encode(TEST_PEPPER);
    for (const pepper of [bytes, { current: 2, peppers: { 1: TEST_PEPPER, 2: bytes } }]) {
      const service = createTokenService({ ...base(), pepper });
      const { token } = await service.issue({}, ALICE);
      expect((await service.verify(token)).owner).toBe('alice');
    }
  });

  it('only verification tokens', async () => {
    const service = createTokenService({ ...base(), verificationTokens: [SECRET], enablePersonalTokens: false });
    expect((await service.verify(SECRET)).type).toBe('verification');
  });

  it('two verification tokens of the same name (rotating the secret) and the native hasher', async () => {
    const other = `${SECRET}-next`;
    const service = createTokenService({ ...base(), hasher: nodeHasher, verificationTokens: [SECRET, other] });
    expect((await service.verify(other)).name).toBe('verification');
  });
});

describe('setMaxTtl checks users against the directory', () => {
  it('refuses a user the directory does not know, or keeps inactive, with not_found and sets nothing', async () => {
    const service = createTokenService(base());
    for (const user of ['nobody', 'gone']) {
      expect((await rejectionOf(service.setMaxTtl({ user }, '1d', ALICE))).code).toBe('not_found');
    }
    await service.setMaxTtl({ user: 'bob' }, '1d', ALICE);
    expect((await service.explainMaxTtl({ tenant: 'acme', user: 'bob' })).maxTtl).toBe(86_400_000);
  });

  it('still removes the policy of a user who is gone', async () => {
    const users = structuredClone(USERS) as Record<string, Record<string, { active?: boolean }>>;
    const service = createTokenService({ ...base(), directory: staticDirectory(users) });
    await service.setMaxTtl({ user: 'bob' }, '1d', ALICE);
    delete users.acme!.bob;
    await expect(service.setMaxTtl({ user: 'bob' }, null, ALICE)).resolves.toBeUndefined();
  });

  it('cannot check roles (the directory answers for users only): any role name is accepted', async () => {
    const service = createTokenService(base());
    await expect(service.setMaxTtl({ role: 'no_such_role' }, '1d', ALICE)).resolves.toBeUndefined();
  });
});

const RUNNER = { describe, it, beforeEach, afterEach };

describe('the memory store and the conformance suite refuse bad options', () => {
  it('memoryRepository takes no options: a path is refused', () => {
    expect(refusalOf(() => (memoryRepository as (options: unknown) => unknown)({ path: 'x.db' }))).toEqual({
      code: 'invalid_request',
      field: 'options.path',
    });
  });

  it.each([
    ['no runner', {}, 'runner'],
    ['a runner without afterEach', { runner: { describe, it, beforeEach } }, 'runner'],
    ['a runner that is vitest itself', { runner: 'vitest' }, 'runner'],
    ['concurrency 1', { runner: RUNNER, concurrency: 1 }, 'concurrency'],
    ['concurrency 2.5', { runner: RUNNER, concurrency: 2.5 }, 'concurrency'],
    ['a teardown that is not a function', { runner: RUNNER, teardown: 'drop' }, 'teardown'],
    ['an unknown option', { runner: RUNNER, concurrent: 20 }, 'options.concurrent'],
  ])('describeRepositoryContract refuses %s', (_label, options, field) => {
    expect(refusalOf(() => describeRepositoryContract('bad', () => memoryRepository(), options as never))).toEqual({
      code: 'invalid_request',
      field,
    });
  });
});

describe('the JWT factories refuse bad options', () => {
  const signing = { kid: 'k2', alg: 'HS256', secret: 'x'.repeat(32) } as const;

  it.each([
    ['jwtFormat without options', () => jwtFormat(undefined as never), 'options'],
    [
      'jwtFormat with a misspelt option',
      () => jwtFormat({ keys, issuer: 'i', audience: 'a', prefx: 'x' } as never),
      'options.prefx',
    ],
    ['jwtFormat with an empty issuer', () => jwtFormat({ keys, issuer: '', audience: 'a' }), 'issuer'],
    [
      'jwtFormat with keys not from createKeySet',
      () => jwtFormat({ keys: {} as never, issuer: 'i', audience: 'a' }),
      'keys',
    ],
    [
      'jwtSessionCodec with a misspelt option',
      () => jwtSessionCodec({ keys, issuer: 'i', audience: 'a', clockTolerence: 5 } as never),
      'options.clockTolerence',
    ],
    [
      'jwtSessionCodec with a clock that is a number',
      () => jwtSessionCodec({ keys, issuer: 'i', audience: 'a', now: 5 as never }),
      'now',
    ],
  ])('%s', (_label, call, field) => {
    expect(refusalOf(call)).toEqual({ code: 'invalid_request', field });
  });

  it.each([
    ['createKeySet without options', () => createKeySet(undefined as never), 'options'],
    [
      'createKeySet with a misspelt option',
      () => createKeySet({ signing, verifcation: [] } as never),
      'options.verifcation',
    ],
    [
      'an HMAC key with a private key',
      () => createKeySet({ signing: { ...signing, privateKey: pair.privateKey } as never }),
      'signing.privateKey',
    ],
    [
      'a key pair with a secret',
      () => createKeySet({ signing: { ...pair, secret: 'x'.repeat(32) } as never }),
      'signing.secret',
    ],
    [
      'a verification key with a stray member',
      () =>
        createKeySet({
          signing,
          verification: [{ kid: 'p1', alg: 'EdDSA', publicKey: pair.publicKey, use: 'sig' } as never],
        }),
      'verification[0].use',
    ],
    [
      'an HMAC verification key with a stray member',
      () => createKeySet({ signing, verification: [{ ...signing, kid: 'k3', exp: 1 } as never] }),
      'verification[0].exp',
    ],
    [
      'generateSigningKey with a kid createKeySet would refuse',
      () => generateSigningKey('HS256', { kid: 'a b' }),
      'kid',
    ],
    [
      'generateSigningKey with a misspelt option',
      () => generateSigningKey('EdDSA', { kd: 'x' } as never),
      'options.kd',
    ],
    ['generateSigningKey with null options', () => generateSigningKey('ES256', null as never), 'options'],
    ['generateSigningKey with an unknown algorithm', () => generateSigningKey('RS256' as never), 'alg'],
  ])('%s', async (_label, call, field) => {
    expect(await rejectionOf(call())).toEqual({ code: 'invalid_request', field });
  });
});
