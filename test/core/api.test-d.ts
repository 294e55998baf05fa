import { describe, expectTypeOf, it } from 'vitest';
import {
  type Actor,
  createTokenService,
  type EnsureMasterResult,
  type ExchangeOptions,
  type Grant,
  type IssuedToken,
  looksLikeToken,
  type MaxTtlExplanation,
  type MaxTtlTarget,
  memoryRepository,
  type Need,
  type Page,
  type Principal,
  parseDuration,
  redact,
  staticDirectory,
  type TenantUser,
  type TokenError,
  type TokenErrorCode,
  type TokenEvent,
  type TokenEventInfo,
  type TokenInfo,
  type TokenService,
  type UserTarget,
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

  it('answers times as Dates, while the repository rows keep epoch milliseconds', () => {
    expectTypeOf<TokenService['events']>().returns.resolves.toEqualTypeOf<Page<TokenEventInfo>>();
    expectTypeOf<TokenEventInfo['at']>().toEqualTypeOf<Date>();
    expectTypeOf<TokenInfo['createdAt']>().toEqualTypeOf<Date>();
    expectTypeOf<TokenEvent['at']>().toBeNumber();
  });

  it('names the parameter types of the service', () => {
    expectTypeOf<TokenService['revokeAll']>().parameter(0).toEqualTypeOf<UserTarget>();
    expectTypeOf<TokenService['removeUser']>().parameter(0).toEqualTypeOf<UserTarget>();
    expectTypeOf<TokenService['setMaxTtl']>().parameter(0).toEqualTypeOf<MaxTtlTarget>();
    expectTypeOf<TokenService['explainMaxTtl']>().parameter(0).toEqualTypeOf<TenantUser>();
    expectTypeOf<TokenService['explainMaxTtl']>().returns.resolves.toEqualTypeOf<MaxTtlExplanation>();
    expectTypeOf<TokenService['ensureMasterToken']>().parameter(0).toEqualTypeOf<TenantUser>();
    expectTypeOf<TokenService['ensureMasterToken']>().returns.resolves.toEqualTypeOf<EnsureMasterResult>();
    expectTypeOf<TokenService['exchange']>().parameter(1).toEqualTypeOf<ExchangeOptions | undefined>();
    expectTypeOf<{ tenant: 'acme'; role: 'ops' }>().toExtend<MaxTtlTarget>();
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
