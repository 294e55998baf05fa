/**
 * The option checks of configuration.test.ts for `tokenward/fetch` and
 * `tokenward/hono`: the same tables of bad options, refused when the helper
 * is built with a `TokenError('invalid_request')` naming the option, and the
 * options of their own (`basePath`, `auth`, `protect`'s `need` and `route`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import {
  tokenAuth as fetchAuth,
  requireGrant as fetchGuard,
  introspectionHandler,
  managementHandler,
} from '../../src/fetch/index.js';
import {
  tokenAuth as honoAuth,
  requireGrant as honoGuard,
  introspectionRoute,
  managementRoutes,
} from '../../src/hono/index.js';
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

describe('tokenward/fetch and tokenward/hono refuse bad options when they are built, naming the option', () => {
  it.each(AUTH_CASES)('tokenAuth %j → %s on both', (options, field) => {
    expect(refusedField(() => fetchAuth(service, options as never))).toBe(field);
    expect(refusedField(() => honoAuth(service, options as never))).toBe(field);
  });

  it('both refuse a missing verifier, and record with a verifier that cannot record', () => {
    for (const build of [fetchAuth, honoAuth]) {
      expect(refusedField(() => build(undefined as never))).toBe('verifier');
      expect(refusedField(() => build(verifyOnly, { record: true }))).toBe('record');
    }
  });

  it.each(GUARD_CASES)('requireGrant(%j, %j) → %s on both', (need, options, field) => {
    expect(refusedField(() => fetchGuard(need as never, options as never))).toBe(field);
    expect(refusedField(() => honoGuard(need as never, options as never))).toBe(field);
  });

  it.each(MANAGEMENT_CASES)('management API %j → %s on both', (options, field) => {
    expect(refusedField(() => managementHandler(service, options as never))).toBe(field);
    expect(refusedField(() => managementRoutes(service, options as never))).toBe(field);
  });

  it.each([
    [{ basePath: 'api' }, 'basePath'],
    [{ basePath: '/api/' }, 'basePath'],
    [{ basePath: '/a b' }, 'basePath'],
    [{ basePath: 5 }, 'basePath'],
    [{ auth: 'token' }, 'auth'],
    [{ auth: {} }, 'auth'],
  ])('managementHandler %j → %s', (options, field) => {
    expect(refusedField(() => managementHandler(service, options as never))).toBe(field);
  });

  it('the management API refuses anything but a TokenService', () => {
    expect(refusedField(() => managementHandler(verifyOnly as never))).toBe('service');
    expect(refusedField(() => managementRoutes(verifyOnly as never))).toBe('service');
  });

  it.each(INTROSPECTION_CASES)('introspection %j → %s on both', (options, field) => {
    expect(refusedField(() => introspectionHandler(service, options as never))).toBe(field);
    expect(refusedField(() => introspectionRoute(service, options as never))).toBe(field);
  });

  it.each([
    [{ need: { bucket: 'x' } }, 'need'],
    [{ need: [] }, 'need'],
    [{ route: '' }, 'route'],
    [{ route: 7 }, 'route'],
    [{ routes: '/x' }, 'options.routes'],
  ])('protect %j → %s', (options, field) => {
    const auth = fetchAuth(service);
    expect(refusedField(() => auth.protect(() => new Response(null), options as never))).toBe(field);
  });

  it('any value for any option of tokenAuth builds or is refused naming that option', () => {
    const keys = ['realm', 'optional', 'record', 'onRecordError', 'tenant', 'header', 'cookie', 'query'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything(), (key, value) => {
        for (const build of [fetchAuth, honoAuth]) {
          try {
            build(service, { [key]: value } as never);
          } catch (error) {
            expect(error).toBeInstanceOf(TokenError);
            expect((error as TokenError).details.field).toBe(key);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
