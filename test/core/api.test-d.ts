import { describe, expectTypeOf, it } from 'vitest';
import {
  type Actor,
  createTokenService,
  type Grant,
  type IssuedToken,
  looksLikeToken,
  memoryRepository,
  type Need,
  type Principal,
  parseDuration,
  redact,
  staticDirectory,
  type TokenError,
  type TokenErrorCode,
  type TokenInfo,
  type TokenService,
} from '../../src/index.js';

describe('public API types', () => {
  it('creates a service with the documented shape', () => {
    const service = createTokenService({ repository: memoryRepository(), pepper: 'x'.repeat(32) });
    expectTypeOf(service).toEqualTypeOf<TokenService>();
    expectTypeOf(service.issue).parameter(1).toEqualTypeOf<Actor>();
    expectTypeOf(service.issue).returns.resolves.toEqualTypeOf<IssuedToken>();
    expectTypeOf(service.verify).returns.resolves.toEqualTypeOf<Principal>();
    expectTypeOf(service.revokeAll).returns.resolves.toBeNumber();
    expectTypeOf<IssuedToken['token']>().toBeString();
    expectTypeOf<IssuedToken['info']>().toEqualTypeOf<TokenInfo>();
  });

  it('keeps secrets out of TokenInfo', () => {
    expectTypeOf<TokenInfo>().not.toHaveProperty('secretHash');
    expectTypeOf<TokenInfo>().not.toHaveProperty('token');
  });

  it('types actors, grants and needs', () => {
    expectTypeOf<'system'>().toExtend<Actor>();
    expectTypeOf<{ tenant: string; user: string }>().toExtend<Actor>();
    expectTypeOf<{ principal: Principal }>().toExtend<Actor>();
    expectTypeOf<{ user: string }>().not.toExtend<Actor>();
    expectTypeOf<{ bucket: string; access: 'write' }>().toExtend<Grant>();
    expectTypeOf<{ bucket: string; access: 'admin' }>().not.toExtend<Grant>();
    expectTypeOf<{ component: string; action: 'run' }>().toExtend<Need>();
    expectTypeOf<Principal['can']>().parameter(0).toEqualTypeOf<Need>();
  });

  it('exposes a closed union of error codes', () => {
    expectTypeOf<TokenError['code']>().toEqualTypeOf<TokenErrorCode>();
    expectTypeOf<'token_expired'>().toExtend<TokenErrorCode>();
    expectTypeOf<'oops'>().not.toExtend<TokenErrorCode>();
  });

  it('types the helpers', () => {
    expectTypeOf(looksLikeToken).returns.toBeBoolean();
    expectTypeOf(redact).returns.toBeString();
    expectTypeOf(parseDuration).returns.toBeNumber();
    expectTypeOf(staticDirectory).parameter(0).toHaveProperty('constructor');
  });
});
