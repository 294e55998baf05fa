/**
 * Issue 8, finding 8 (HTTP part): every option of every HTTP helper and of
 * `createRemoteVerifier` is checked when the helper is built, and a bad one
 * is a `TokenError('invalid_request')` whose `field` names it, never a
 * `TypeError` or a helper that fails at its first request. A table of
 * known mistakes, and a property: any value for any option either builds
 * or is refused that way.
 */
import fc from 'fast-check';
import Fastify, { type FastifyPluginAsync } from 'fastify';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import {
  requireGrant as expressGuard,
  introspectionRouter,
  managementRouter,
  tokenAuth,
} from '../../src/express/index.js';
import {
  requireGrant as fastifyGuard,
  introspectionRoute,
  managementRoutes,
  tokenward,
} from '../../src/fastify/index.js';
import { createRemoteVerifier } from '../../src/http/remote-verifier.js';
import { makeFixture } from './support/fixture.js';
import {
  AUTH_CASES,
  GUARD_CASES,
  INTROSPECTION_CASES,
  MANAGEMENT_CASES,
  refusedField,
} from './support/option-cases.js';

const service = makeFixture().service;
const verifyOnly = { verify: service.verify.bind(service) };
const SECRET = 'local-verification-secret-0123';
const REMOTE = { url: 'http://127.0.0.1:1/introspect', token: 'platform-token' };

/** The same for a Fastify plugin, whose options are checked when the app is made ready. */
async function refusedPluginField(plugin: FastifyPluginAsync<never>, options: unknown): Promise<string | undefined> {
  const app = Fastify();
  try {
    await app.register(plugin, options as never).ready();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('invalid_request');
    return (error as TokenError).details.field;
  } finally {
    await app.close();
  }
  throw new Error('expected the options to be refused');
}

const REMOTE_CASES: readonly (readonly [unknown, string])[] = [
  [undefined, 'options'],
  [{ ...REMOTE, url: undefined }, 'url'],
  [{ ...REMOTE, url: process.env.TOKENWARD_UNSET_URL }, 'url'],
  [{ ...REMOTE, url: 'ftp://platform.example/introspect' }, 'url'],
  [{ ...REMOTE, url: 'not a url' }, 'url'],
  [{ ...REMOTE, url: 'https://user:secret@platform.example/introspect' }, 'url'],
  [{ ...REMOTE, url: 42 }, 'url'],
  [{ ...REMOTE, token: undefined }, 'token'],
  [{ ...REMOTE, token: '' }, 'token'],
  [{ ...REMOTE, token: 'two words' }, 'token'],
  [{ ...REMOTE, token: 'x\r\nInjected: 1' }, 'token'],
  [{ ...REMOTE, cacheTtl: 'soon' }, 'cacheTtl'],
  [{ ...REMOTE, negativeCacheTtl: -1 }, 'negativeCacheTtl'],
  [{ ...REMOTE, timeout: 0 }, 'timeout'],
  [{ ...REMOTE, timeout: '2h' }, 'timeout'],
  [{ ...REMOTE, maxEntries: 0 }, 'maxEntries'],
  [{ ...REMOTE, maxEntries: '10' }, 'maxEntries'],
  [{ ...REMOTE, maxNegativeEntries: 1.5 }, 'maxNegativeEntries'],
  [{ ...REMOTE, localVerificationTokens: [undefined] }, 'localVerificationTokens[0]'],
  [{ ...REMOTE, localVerificationTokens: [process.env.TOKENWARD_UNSET_SECRET] }, 'localVerificationTokens[0]'],
  [{ ...REMOTE, localVerificationTokens: [SECRET, null] }, 'localVerificationTokens[1]'],
  [{ ...REMOTE, localVerificationTokens: ['short'] }, 'localVerificationTokens[0]'],
  [{ ...REMOTE, localVerificationTokens: SECRET }, 'localVerificationTokens'],
  [{ ...REMOTE, localVerificationTokens: [{ secret: 5 }] }, 'localVerificationTokens[0].secret'],
  [
    { ...REMOTE, localVerificationTokens: [{ secret: SECRET, tenant: 'two words' }] },
    'localVerificationTokens[0].tenant',
  ],
  [{ ...REMOTE, localVerificationTokens: [{ secret: SECRET, nme: 'x' }] }, 'localVerificationTokens[0].nme'],
  // The rules of the service's verificationTokens (one check for both lists): each secret once,
  // printable ASCII that a header can carry, no spaces at its ends.
  [{ ...REMOTE, localVerificationTokens: [SECRET, { secret: SECRET }] }, 'localVerificationTokens[1].secret'],
  [{ ...REMOTE, localVerificationTokens: [`${SECRET}\n`] }, 'localVerificationTokens[0]'],
  [{ ...REMOTE, localVerificationTokens: [` ${SECRET}`] }, 'localVerificationTokens[0]'],
  [{ ...REMOTE, localVerificationTokens: [`${SECRET}é`] }, 'localVerificationTokens[0]'],
  [{ ...REMOTE, enablePersonalTokens: 'no' }, 'enablePersonalTokens'],
  [{ ...REMOTE, enablePersonalTokens: false }, 'enablePersonalTokens'],
  [{ ...REMOTE, enablePersonalTokens: false, localVerificationTokens: [] }, 'enablePersonalTokens'],
  [{ ...REMOTE, defaultTenant: '' }, 'defaultTenant'],
  [{ ...REMOTE, accept: 'all' }, 'accept'],
  [{ ...REMOTE, fetch: {} }, 'fetch'],
  [{ ...REMOTE, now: 5 }, 'now'],
  [{ ...REMOTE, urll: 'http://x' }, 'options.urll'],
];

describe('HTTP helpers refuse bad options when they are built, naming the option', () => {
  it.each(AUTH_CASES)('Express tokenAuth %j → %s', (options, field) => {
    expect(refusedField(() => tokenAuth(service, options as never))).toBe(field);
  });

  it.each(AUTH_CASES)('Fastify tokenward %j → %s', async (options, field) => {
    expect(await refusedPluginField(tokenward as never, { verifier: service, ...options })).toBe(field);
  });

  it('both refuse a missing verifier, and record with a verifier that cannot record', async () => {
    expect(refusedField(() => tokenAuth(undefined as never))).toBe('verifier');
    expect(refusedField(() => tokenAuth({} as never))).toBe('verifier');
    expect(refusedField(() => tokenAuth(verifyOnly, { record: true }))).toBe('record');
    expect(await refusedPluginField(tokenward as never, {})).toBe('verifier');
    expect(await refusedPluginField(tokenward as never, { verifier: verifyOnly, record: true })).toBe('record');
  });

  it.each(GUARD_CASES)('requireGrant(%j, %j) → %s on both', (need, options, field) => {
    expect(refusedField(() => expressGuard(need as never, options as never))).toBe(field);
    expect(refusedField(() => fastifyGuard(need as never, options as never))).toBe(field);
  });

  it.each(MANAGEMENT_CASES)('management API %j → %s on both', async (options, field) => {
    expect(refusedField(() => managementRouter(service, options as never))).toBe(field);
    expect(await refusedPluginField(managementRoutes as never, { service, ...options })).toBe(field);
  });

  it('the management API refuses anything but a TokenService', async () => {
    expect(refusedField(() => managementRouter(undefined as never))).toBe('service');
    expect(refusedField(() => managementRouter(verifyOnly as never))).toBe('service');
    expect(await refusedPluginField(managementRoutes as never, {})).toBe('service');
  });

  it.each(INTROSPECTION_CASES)('introspection %j → %s on both', async (options, field) => {
    expect(refusedField(() => introspectionRouter(service, options as never))).toBe(field);
    expect(await refusedPluginField(introspectionRoute as never, { verifier: service, ...options })).toBe(field);
  });

  it('introspection refuses a missing verifier on both', async () => {
    expect(refusedField(() => introspectionRouter(undefined as never))).toBe('verifier');
    expect(await refusedPluginField(introspectionRoute as never, {})).toBe('verifier');
  });

  it('Fastify plugins take the options Fastify itself reads (prefix, logLevel)', async () => {
    const app = Fastify();
    await app.register(tokenward, { verifier: service, prefix: '/a', logLevel: 'warn' } as never);
    await app.register(managementRoutes, { service, prefix: '/b' });
    await app.register(introspectionRoute, { verifier: service, prefix: '/c' });
    await expect(app.ready()).resolves.toBeDefined();
    await app.close();
  });
});

describe('createRemoteVerifier refuses bad options when it is built, naming the option', () => {
  it.each(REMOTE_CASES)('%j → %s', (options, field) => {
    expect(refusedField(() => createRemoteVerifier(options as never))).toBe(field);
  });

  it('takes every good option', () => {
    const remote = createRemoteVerifier({
      url: new URL('https://platform.example/oauth/introspect'),
      token: 'platform-token',
      cacheTtl: 0,
      negativeCacheTtl: '1m',
      maxEntries: 10,
      maxNegativeEntries: 5,
      timeout: '1h',
      localVerificationTokens: [SECRET, { secret: `${SECRET}-2`, tenant: 'acme', name: 'engine' }],
      enablePersonalTokens: false,
      defaultTenant: 'acme',
      accept: () => true,
      fetch: globalThis.fetch,
      now: Date.now,
    });
    expect(remote.stats().requests).toBe(0);
  });
});

/** Every option name a helper takes, for the property below. */
const HELPERS: readonly (readonly [string, readonly string[], (options: Record<string, unknown>) => unknown])[] = [
  [
    'tokenAuth',
    [
      'realm',
      'optional',
      'record',
      'onRecordError',
      'logger',
      'tenant',
      'header',
      'cookie',
      'query',
      'maxTokenLength',
      'authorization',
    ],
    (options) => tokenAuth(service, options as never),
  ],
  ['requireGrant', ['realm'], (options) => expressGuard({ scope: 'a' }, options as never)],
  [
    'managementRouter',
    ['actor', 'realm', 'bodyLimit', 'ambientHeaders'],
    (options) => managementRouter(service, options as never),
  ],
  [
    'introspectionRouter',
    ['realm', 'authorize', 'anyTenant'],
    (options) => introspectionRouter(service, options as never),
  ],
  [
    'createRemoteVerifier',
    [
      'url',
      'token',
      'cacheTtl',
      'negativeCacheTtl',
      'maxEntries',
      'maxNegativeEntries',
      'timeout',
      'localVerificationTokens',
      'enablePersonalTokens',
      'defaultTenant',
      'accept',
      'fetch',
      'now',
    ],
    (options) => createRemoteVerifier({ ...REMOTE, localVerificationTokens: [SECRET], ...options } as never),
  ],
];

describe('any value for any option builds or is refused with a TokenError naming that option', () => {
  it.each(HELPERS)('%s', (_name, keys, build) => {
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything(), (key, value) => {
        try {
          build({ [key]: value });
        } catch (error) {
          expect(error).toBeInstanceOf(TokenError);
          const field = (error as TokenError).details.field ?? '';
          expect((error as TokenError).code).toBe('invalid_request');
          expect(field === key || field.startsWith(`${key}[`) || field.startsWith(`${key}.`)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('requireGrant: any need is a guard or a TokenError naming it', () => {
    fc.assert(
      fc.property(fc.anything(), (need) => {
        try {
          expressGuard(need as never);
        } catch (error) {
          expect(error).toBeInstanceOf(TokenError);
          expect((error as TokenError).details.field).toMatch(/^need(\[\d+\])?$/);
        }
      }),
      { numRuns: 500 },
    );
  });
});
