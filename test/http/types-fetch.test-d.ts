/** Type-level checks of tokenward/fetch and tokenward/hono, and of the composition options. */

import type { FastifyInstance } from 'fastify';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import type { Principal } from '../../src/core/principal-types.js';
import { type AuthRefusal, tokenAuth as expressAuth } from '../../src/express/index.js';
import '../../src/fastify/index.js';
import {
  type FetchAuth,
  type FetchAuthResult,
  tokenAuth as fetchAuth,
  requireGrant as fetchGuard,
  type GrantCheck,
  introspectionHandler,
  managementHandler,
  type OpenApiDocument,
  openApiDocument,
} from '../../src/fetch/index.js';
import {
  tokenAuth as honoAuth,
  requireGrant as honoGuard,
  introspectionRoute,
  managementRoutes,
  type TokenVariables,
} from '../../src/hono/index.js';
import type { TokenService } from '../../src/service/token-service.js';

declare const service: TokenService;
declare const context: Context;

describe('tokenward/fetch types', () => {
  it('authenticates to a principal or a Response, and guards to a Response or null', () => {
    expectTypeOf(fetchAuth(service)).toEqualTypeOf<FetchAuth>();
    expectTypeOf<FetchAuthResult>().toEqualTypeOf<
      { readonly ok: true; readonly principal: Principal | null } | { readonly ok: false; readonly response: Response }
    >();
    expectTypeOf(fetchGuard({ scope: 's' })).toEqualTypeOf<GrantCheck>();
    expectTypeOf<ReturnType<GrantCheck>>().toEqualTypeOf<Response | null>();
  });

  it('protect keeps the further arguments of the handler (a Worker env and ctx)', () => {
    const handler = fetchAuth(service).protect(
      (_request: Request, _principal: Principal | null, env: { KV: string }, ctx: { id: number }) =>
        new Response(`${env.KV}${ctx.id}`),
    );
    expectTypeOf(handler).toEqualTypeOf<
      (request: Request, env: { KV: string }, ctx: { id: number }) => Promise<Response>
    >();
  });

  it('serves the management API and introspection as fetch handlers', () => {
    expectTypeOf(managementHandler(service)).toEqualTypeOf<(request: Request) => Promise<Response>>();
    expectTypeOf(introspectionHandler(service)).toEqualTypeOf<(request: Request) => Promise<Response>>();
    expectTypeOf(openApiDocument()).toEqualTypeOf<OpenApiDocument>();
  });
});

describe('tokenward/hono types', () => {
  it('types c.get("tokenPrincipal") and returns middleware and apps', () => {
    expectTypeOf(context.get('tokenPrincipal')).toEqualTypeOf<Principal | null>();
    expectTypeOf(honoAuth(service)).toEqualTypeOf<MiddlewareHandler<{ Variables: TokenVariables }>>();
    expectTypeOf(honoGuard({ scope: 's' })).toEqualTypeOf<MiddlewareHandler>();
    expectTypeOf(managementRoutes(service)).toEqualTypeOf<Hono>();
    expectTypeOf(introspectionRoute(service)).toEqualTypeOf<Hono>();
    expectTypeOf<TokenVariables['tokenPrincipal']>().toEqualTypeOf<Principal | null>();
  });
});

describe('composition types', () => {
  it('Express refusal options and the AuthRefusal shape', () => {
    expectTypeOf(expressAuth).toBeCallableWith(service, {
      failWithError: true,
      errorBody: (body) => ({ problem: body.error }),
      requestProperty: 'auth',
    });
    expectTypeOf<AuthRefusal['status']>().toEqualTypeOf<number>();
    expectTypeOf<AuthRefusal['headers']>().toEqualTypeOf<Readonly<Record<string, string>>>();
  });

  it('Fastify declares verifyToken for addHook: false', () => {
    expectTypeOf<FastifyInstance['verifyToken']>().not.toBeAny();
  });
});
