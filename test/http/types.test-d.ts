/** Type-level checks of the public HTTP API: request decoration and return types. */
import type { Request, RequestHandler, Router } from 'express';
import type { FastifyPluginAsync, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import type { Principal } from '../../src/core/principal-types.js';
import {
  type ActiveIntrospection,
  requireGrant as expressGuard,
  type IntrospectionClient,
  introspectionRouter,
  managementRouter,
  tokenAuth,
} from '../../src/express/index.js';
import {
  type FastifyAuthOptions,
  type FastifyManagementOptions,
  requireGrant as fastifyGuard,
  introspectionRoute,
  managementRoutes,
  tokenward,
} from '../../src/fastify/index.js';
import { createRemoteVerifier, type RemoteVerifier } from '../../src/http/remote-verifier.js';
import type { TokenService } from '../../src/service/token-service.js';

declare const service: TokenService;

describe('tokenward/express types', () => {
  it('decorates the request with an optional principal', () => {
    expectTypeOf<Request['tokenPrincipal']>().toEqualTypeOf<Principal | undefined>();
  });

  it('returns Express handlers and routers', () => {
    expectTypeOf(tokenAuth(service)).toEqualTypeOf<RequestHandler>();
    expectTypeOf(expressGuard({ bucket: 'b', access: 'read' })).toEqualTypeOf<RequestHandler>();
    expectTypeOf(managementRouter(service)).toEqualTypeOf<Router>();
    expectTypeOf(introspectionRouter(service)).toEqualTypeOf<Router>();
  });

  it('accepts a remote verifier where a service verifies', () => {
    const remote = createRemoteVerifier({ url: 'https://platform.example/introspect', token: 't' });
    expectTypeOf(remote).toEqualTypeOf<RemoteVerifier>();
    expectTypeOf(tokenAuth).toBeCallableWith(remote);
    // @ts-expect-error a need must be a bucket, component or scope need
    expressGuard({ bucket: 'b', access: 'delete' });
  });

  it('takes clients as a list or a lookup, and types the introspection answer', () => {
    expectTypeOf(introspectionRouter).toBeCallableWith(service, {
      clients: [{ id: 'api', secret: 's', tenant: 'acme' }],
      assertionAudience: 'https://auth.example.com',
      issuer: 'https://auth.example.com/tenants/{tenant}',
    });
    expectTypeOf(introspectionRouter).toBeCallableWith(service, {
      clients: async (id: string): Promise<IntrospectionClient | undefined> => ({ id, secret: 's' }),
    });
    expectTypeOf<ActiveIntrospection['iss']>().toEqualTypeOf<string>();
    expectTypeOf<ActiveIntrospection['scope']>().toEqualTypeOf<string | undefined>();
    // @ts-expect-error a client needs an id
    const nameless: IntrospectionClient = { secret: 's' };
    void nameless;
  });
});

describe('tokenward/fastify types', () => {
  it('decorates the request with a nullable principal', () => {
    expectTypeOf<FastifyRequest['tokenPrincipal']>().toEqualTypeOf<Principal | null>();
  });

  it('exports plugins and a preHandler', () => {
    expectTypeOf(tokenward).toEqualTypeOf<FastifyPluginAsync<FastifyAuthOptions>>();
    expectTypeOf(managementRoutes).toEqualTypeOf<FastifyPluginAsync<FastifyManagementOptions>>();
    expectTypeOf(introspectionRoute).toExtend<FastifyPluginAsync<never>>();
    expectTypeOf(fastifyGuard({ scope: 's' })).toEqualTypeOf<preHandlerHookHandler>();
  });
});
