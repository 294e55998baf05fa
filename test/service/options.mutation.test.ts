/**
 * The service's settings (src/service/options.ts) against written answers
 * (issue 15): every default, every option taken as given, and the session
 * default that never exceeds the session maximum.
 */
import { describe, expect, it } from 'vitest';
import { opaqueFormat } from '../../src/core/format.js';
import type { SessionCodec } from '../../src/core/format-types.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { createTokenService } from '../../src/service/index.js';
import { serviceSettings } from '../../src/service/options.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { memoryDirectoryStore, memoryRepository } from '../../src/stores/memory/index.js';
import { causedRefusalOf, refusalOf } from '../support/refusal.js';
import { TEST_PEPPER } from '../support/service.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const codec = { sign: () => 'x', parse: () => null, looksLike: () => false } as unknown as SessionCodec;
const SECRET = 'verification-secret-0123456789';

function settings(extra: Partial<TokenServiceOptions> = {}) {
  return serviceSettings({ repository: memoryRepository(), pepper: TEST_PEPPER, ...extra });
}

describe('serviceSettings defaults', () => {
  it('are the documented ones', () => {
    const got = settings();
    expect({
      prefix: got.prefix,
      format: got.format,
      directory: got.directory,
      ceiling: got.ceiling,
      defaultTtl: got.defaultTtl,
      allowNoExpiry: got.allowNoExpiry,
      purgeAfter: got.purgeAfter,
      eventRetention: got.eventRetention,
      claimTtl: got.claimTtl,
      maxGracePeriod: got.maxGracePeriod,
      maxTokensPerUser: got.maxTokensPerUser,
      creation: got.creation,
      touchInterval: got.touchInterval,
      enablePersonalTokens: got.enablePersonalTokens,
      personalTokensOnly: got.personalTokensOnly,
      verificationTokens: got.verificationTokens,
      sessions: got.sessions,
    }).toEqual({
      prefix: 'tw',
      format: undefined,
      directory: undefined,
      ceiling: 365 * DAY,
      defaultTtl: 365 * DAY,
      allowNoExpiry: false,
      purgeAfter: 30 * DAY,
      eventRetention: 183 * DAY,
      claimTtl: 7 * DAY,
      maxGracePeriod: 7 * DAY,
      maxTokensPerUser: undefined,
      creation: 'users',
      touchInterval: MINUTE,
      enablePersonalTokens: true,
      personalTokensOnly: false,
      verificationTokens: [],
      sessions: undefined,
    });
    expect(got.now).toBe(Date.now);
    const bytes = got.random(32);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes).toHaveLength(32);
    expect(got.random(32)).not.toEqual(bytes);
  });

  it("verification tokens default to the tenant 'default' and the name 'verification'", () => {
    const [entry] = settings({ verificationTokens: [SECRET] }).verificationTokens;
    expect({ tenant: entry?.tenant, name: entry?.name }).toEqual({ tenant: 'default', name: 'verification' });
    const [other] = settings({ verificationTokens: [SECRET], defaultTenant: 'acme' }).verificationTokens;
    expect(other?.tenant).toBe('acme');
    expect(other?.hash).toBe(entry?.hash);
  });

  it('sessions default to 15 minutes, at most 12 hours', () => {
    expect(settings({ sessions: { codec } }).sessions).toEqual({ codec, defaultTtl: 15 * MINUTE, maxTtl: 12 * HOUR });
  });
});

describe('serviceSettings takes what it is given', () => {
  it('policy, prefix, format, clock and switches', () => {
    const now = () => 5;
    const random = (n: number) => new Uint8Array(n);
    const format = opaqueFormat('zz');
    const directory = { getUser: () => null };
    const got = settings({
      prefix: 'acme',
      format,
      directory,
      now,
      random,
      touchInterval: '5m',
      personalTokensOnly: true,
      policy: {
        maxTtl: '90d',
        defaultTtl: '30d',
        allowNoExpiry: true,
        purgeAfter: '1d',
        eventRetention: '2d',
        claimTtl: '1h',
        maxGracePeriod: '2h',
        maxTokensPerUser: 1,
        creation: 'admins',
      },
    });
    expect(got).toMatchObject({
      prefix: 'acme',
      format,
      directory,
      now,
      random,
      touchInterval: 5 * MINUTE,
      personalTokensOnly: true,
      ceiling: 90 * DAY,
      defaultTtl: 30 * DAY,
      allowNoExpiry: true,
      purgeAfter: DAY,
      eventRetention: 2 * DAY,
      claimTtl: HOUR,
      maxGracePeriod: 2 * HOUR,
      maxTokensPerUser: 1,
      creation: 'admins',
    });
  });

  it('a session default above the session maximum is the maximum', () => {
    expect(settings({ sessions: { codec, defaultTtl: '1h', maxTtl: '10m' } }).sessions).toEqual({
      codec,
      defaultTtl: 10 * MINUTE,
      maxTtl: 10 * MINUTE,
    });
    expect(settings({ sessions: { codec, defaultTtl: '5m', maxTtl: '1h' } }).sessions?.defaultTtl).toBe(5 * MINUTE);
  });

  it('without personal tokens, verification tokens alone are accepted', () => {
    const got = settings({ enablePersonalTokens: false, verificationTokens: [SECRET] });
    expect(got.enablePersonalTokens).toBe(false);
    expect(got.verificationTokens).toHaveLength(1);
  });

  it('a versioned pepper set is used at its current version', () => {
    const got = settings({ pepper: { current: 2, peppers: { 1: TEST_PEPPER, 2: `${TEST_PEPPER}-2` } } });
    expect(got.peppers.current).toBe(2);
  });
});

describe('serviceSettings refuses, naming the field', () => {
  it.each([
    ['maxTokensPerUser 0', { policy: { maxTokensPerUser: 0 } }, 'policy.maxTokensPerUser'],
    ['maxTokensPerUser 1.5', { policy: { maxTokensPerUser: 1.5 } }, 'policy.maxTokensPerUser'],
    ['another creation', { policy: { creation: 'everyone' } }, 'policy.creation'],
    ['a numeric default tenant', { defaultTenant: 42 }, 'defaultTenant'],
    ['a pepper set without peppers', { pepper: { current: 1 } }, 'pepper.peppers'],
    ['a pepper set with a string version', { pepper: { current: '1', peppers: { 1: TEST_PEPPER } } }, 'pepper.current'],
    ['a pepper set with an unknown key', { pepper: { current: 1, peppers: { 1: TEST_PEPPER }, x: 1 } }, 'pepper.x'],
    [
      'no personal tokens and personal tokens only',
      { enablePersonalTokens: false, personalTokensOnly: true, verificationTokens: [SECRET] },
      'personalTokensOnly',
    ],
    ['no personal tokens and no verification token', { enablePersonalTokens: false }, 'verificationTokens'],
    [
      'no personal tokens and sessions',
      { enablePersonalTokens: false, verificationTokens: [SECRET], sessions: { codec } },
      'sessions',
    ],
    [
      'a session codec without looksLike',
      { sessions: { codec: { sign: () => '', parse: () => null } } },
      'sessions.codec',
    ],
    ['sessions without a codec', { sessions: {} }, 'sessions.codec'],
    ['a format without parse', { format: { encode: () => '', looksLike: () => false } }, 'format'],
    ['a directory without getUser', { directory: {} }, 'directory'],
  ])('%s', (_label, extra, field) => {
    expect(refusalOf(() => settings(extra as Partial<TokenServiceOptions>))).toEqual({
      code: 'invalid_request',
      field,
    });
  });

  it('a hasher that is not HMAC-SHA-256, or that throws', () => {
    const wrong = () => ({ hash: () => 'not-the-hmac' });
    const failing = () => {
      throw new Error('no');
    };
    for (const hasher of [wrong, failing]) {
      expect(refusalOf(() => settings({ hasher } as unknown as Partial<TokenServiceOptions>))).toEqual({
        code: 'invalid_request',
        field: 'hasher',
      });
    }
  });
});

describe('the directory and the capabilities sessions need', () => {
  const STORE_METHODS = [
    'findUser',
    'findRoles',
    'listUsers',
    'insertUser',
    'updateUser',
    'deleteUser',
    'listRoles',
    'insertRole',
    'updateRole',
    'deleteRole',
    'listAudit',
  ];

  it('a directoryStore is the directory; with a directory as well it is refused naming directory', () => {
    const directoryStore = memoryDirectoryStore();
    const got = settings({ directoryStore });
    expect(got.directoryStore).toBe(directoryStore);
    expect(typeof got.directory?.getUser).toBe('function');
    expect(refusalOf(() => settings({ directoryStore, directory: { getUser: () => null } }))).toEqual({
      code: 'invalid_request',
      field: 'directory',
    });
  });

  it.each(STORE_METHODS)('a directoryStore without %s is refused naming directoryStore', (method) => {
    const directoryStore = { ...memoryDirectoryStore(), [method]: undefined };
    expect(refusalOf(() => settings({ directoryStore } as never))).toEqual({
      code: 'invalid_request',
      field: 'directoryStore',
    });
  });

  it.each([
    ['findSession', ['findSession']],
    ['revokeSession', ['revokeSession']],
    ['both', ['findSession', 'revokeSession']],
  ] as [string, ('findSession' | 'revokeSession')[]][])(
    'sessions on a repository without %s are refused naming repository',
    (_label, without) => {
      const repository: TokenRepository = { ...memoryRepository() };
      for (const method of without) delete repository[method];
      expect(refusalOf(() => settings({ repository, sessions: { codec } }))).toEqual({
        code: 'invalid_request',
        field: 'repository',
      });
      // Without sessions the same repository is fine.
      expect(settings({ repository }).repository).toBe(repository);
    },
  );
});

describe('an option whose reading throws (a getter, a proxy) is refused naming it, with the thrown error as cause', () => {
  const failure = new Error('getter failed');
  /** `target` with `key` replaced by a getter that throws `failure`. */
  function throwingAt<T extends object>(target: T, key: string): T {
    const copy = Object.create(Object.getPrototypeOf(target), Object.getOwnPropertyDescriptors(target)) as T;
    Object.defineProperty(copy, key, {
      enumerable: true,
      get() {
        throw failure;
      },
    });
    return copy;
  }
  const expected = (field: string) => ({ code: 'invalid_request', field, cause: failure });

  it.each(['runExclusive', 'touchSync', 'touchMany', 'findSession', 'spend', 'close', 'insert', 'findByLookupHash'])(
    'repository.%s',
    (method) => {
      const repository = throwingAt(memoryRepository(), method);
      expect(causedRefusalOf(() => settings({ repository }))).toEqual(expected(`repository.${method}`));
      // createTokenService answers the same, not a raw Error.
      expect(causedRefusalOf(() => createTokenService({ repository, pepper: TEST_PEPPER }))).toEqual(
        expected(`repository.${method}`),
      );
    },
  );

  it.each([
    ['repository', {}],
    ['directory', { directory: { getUser: () => null } }],
    ['format', { format: opaqueFormat('tw') }],
    ['hooks', { hooks: {} }],
    ['policy', { policy: {} }],
    ['pepper', {}],
    ['now', { now: Date.now }],
  ])('options.%s', (key, extra) => {
    const options = throwingAt({ repository: memoryRepository(), pepper: TEST_PEPPER, ...extra }, key);
    expect(causedRefusalOf(() => serviceSettings(options as TokenServiceOptions))).toEqual(expected(key));
  });

  it.each([
    ['directory', 'getUser', { getUser: () => null }],
    ['format', 'parse', opaqueFormat('tw')],
    ['hooks', 'onIssued', { onIssued: () => undefined }],
    ['policy', 'maxTtl', { maxTtl: '30d' }],
    ['logger', 'warn', { warn: () => undefined, error: () => undefined }],
    ['pepper', 'current', { current: 1, peppers: { 1: TEST_PEPPER } }],
    ['directoryStore', 'listAudit', memoryDirectoryStore()],
  ])('%s.%s', (key, inner, value) => {
    const extra = { [key]: throwingAt(value as object, inner) };
    expect(causedRefusalOf(() => settings(extra as Partial<TokenServiceOptions>))).toEqual(expected(`${key}.${inner}`));
  });

  it('sessions.codec.sign', () => {
    const sessions = { codec: throwingAt({ ...codec }, 'sign') };
    expect(causedRefusalOf(() => settings({ sessions }))).toEqual(expected('sessions.codec.sign'));
  });
});
