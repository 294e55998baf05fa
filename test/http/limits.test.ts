/**
 * Rate limits and usage credits over real sockets, on every framework
 * entry (issue 13; the Fetch API and Hono entries of issue 14 too): 429 with `Retry-After`, routes that choose their cost and
 * the limit they spend, credits spent whatever the route answers, guard
 * options checked at setup; and session sign-out through the management
 * API and RFC 7009.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { managementRouter, tokenAuth } from '../../src/express/index.js';
import { managementRoutes, tokenward } from '../../src/fastify/index.js';
import { tokenAuth as fetchAuth, managementHandler } from '../../src/fetch/index.js';
import { tokenAuth as honoAuth, managementRoutes as honoManagement } from '../../src/hono/index.js';
import { jwtSessionCodec } from '../../src/jwt/session.js';
import type { TokenService } from '../../src/service/token-service.js';
import type { Actor } from '../../src/service/types.js';
import { sessionKeys } from '../support/sessions.js';
import { serveFetch } from './support/app-parts.js';
import { ALICE, BOB, type Fixture, makeFixture, REALM } from './support/fixture.js';
import { bearer, call } from './support/http.js';

interface Running {
  readonly url: string;
  close(): Promise<void>;
}

const actorOf = (principal: unknown): Actor | null =>
  principal === null || principal === undefined ? null : { principal: principal as never };

/**
 * The app, in Express: GET /api/me (cost 1, every limit), POST /api/export
 * (cost 5 from the `exports` limit only), GET /api/search?n= (cost n from `reads`), GET
 * /api/broken (answers 500 after authentication), /manage (the management API).
 */
async function startExpress(service: TokenService): Promise<Running> {
  const app = express();
  const me = (req: express.Request, res: express.Response) =>
    void res.json({ remaining: req.tokenPrincipal?.remaining ?? null });
  app.get('/api/me', tokenAuth(service, { realm: REALM }), me);
  app.post('/api/export', tokenAuth(service, { realm: REALM, cost: 5, ratelimit: 'exports' }), me);
  app.get(
    '/api/search',
    tokenAuth(service, { realm: REALM, cost: (req) => Number(req.query.n ?? 1), ratelimit: 'reads' }),
    me,
  );
  app.get(
    '/api/broken',
    tokenAuth(service, { realm: REALM }),
    (_req, res) => void res.status(500).json({ error: 'x' }),
  );
  app.use(
    '/manage',
    tokenAuth(service, { realm: REALM, optional: true }),
    managementRouter(service, { realm: REALM, actor: (req) => actorOf(req.tokenPrincipal) }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The same app in Fastify: the export route's cost comes from its route config. */
async function startFastify(service: TokenService): Promise<Running> {
  const app: FastifyInstance = Fastify();
  const me = async (request: { tokenPrincipal: { remaining?: number } | null }) => ({
    remaining: request.tokenPrincipal?.remaining ?? null,
  });
  await app.register(
    async (scope) => {
      await scope.register(tokenward, { verifier: service, realm: REALM });
      scope.get('/me', me);
      scope.post('/export', { config: { tokenward: { cost: 5, ratelimit: 'exports' } } }, me);
      scope.get('/broken', async (_request, reply) => reply.code(500).send({ error: 'x' }));
    },
    { prefix: '/api' },
  );
  await app.register(
    async (scope) => {
      await scope.register(tokenward, {
        verifier: service,
        realm: REALM,
        cost: (request) => Number((request.query as { n?: string }).n ?? 1),
        ratelimit: 'reads',
      });
      scope.get('/search', me);
    },
    { prefix: '/api' },
  );
  await app.register(
    async (scope) => {
      await scope.register(tokenward, { verifier: service, realm: REALM, optional: true });
      await scope.register(managementRoutes, {
        service,
        realm: REALM,
        actor: (request) => actorOf(request.tokenPrincipal),
      });
    },
    { prefix: '/manage' },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** The same app on the Fetch API entry (issue 14): each route's authenticator carries its cost. */
async function startFetch(service: TokenService): Promise<Running> {
  const me = (_request: Request, principal: { remaining?: number } | null) =>
    Response.json({ remaining: principal?.remaining ?? null });
  const routes: Record<string, (request: Request) => Promise<Response>> = {
    'GET /api/me': fetchAuth(service, { realm: REALM }).protect(me),
    'POST /api/export': fetchAuth(service, { realm: REALM, cost: 5, ratelimit: 'exports' }).protect(me),
    'GET /api/search': fetchAuth(service, {
      realm: REALM,
      cost: (request) => Number(new URL(request.url).searchParams.get('n') ?? 1),
      ratelimit: 'reads',
    }).protect(me),
    'GET /api/broken': fetchAuth(service, { realm: REALM }).protect(() =>
      Response.json({ error: 'x' }, { status: 500 }),
    ),
  };
  const manage = managementHandler(service, {
    basePath: '/manage',
    realm: REALM,
    auth: fetchAuth(service, { realm: REALM, optional: true }),
    actor: (_request, principal) => actorOf(principal),
  });
  return serveFetch(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/manage/')) return manage(request);
    const route = routes[`${request.method} ${pathname}`];
    return route === undefined ? Response.json({ error: 'not_found' }, { status: 404 }) : route(request);
  });
}

/** The same app in Hono: per-route middleware with its own cost. */
async function startHono(service: TokenService): Promise<Running> {
  const app = new Hono();
  const me = (c: { get(key: 'tokenPrincipal'): { remaining?: number } | null; json(body: unknown): Response }) =>
    c.json({ remaining: c.get('tokenPrincipal')?.remaining ?? null });
  app.get('/api/me', honoAuth(service, { realm: REALM }), me);
  app.post('/api/export', honoAuth(service, { realm: REALM, cost: 5, ratelimit: 'exports' }), me);
  app.get(
    '/api/search',
    honoAuth(service, { realm: REALM, cost: (c) => Number(c.req.query('n') ?? 1), ratelimit: 'reads' }),
    me,
  );
  app.get('/api/broken', honoAuth(service, { realm: REALM }), (c) => c.json({ error: 'x' }, 500));
  app.use('/manage/*', honoAuth(service, { realm: REALM, optional: true }));
  app.route('/manage', honoManagement(service, { realm: REALM, actor: (c) => actorOf(c.get('tokenPrincipal')) }));
  return serveFetch(async (request) => app.fetch(request));
}

describe.each([
  ['express', startExpress],
  ['fastify', startFastify],
  ['fetch', startFetch],
  ['hono', startHono],
] as const)('%s: rate limits and usage credits over HTTP', (_, start) => {
  let fixture: Fixture;
  let server: Running;
  // A clock that stands still while a test runs, so the waits answered are exact.
  const now = Date.UTC(2026, 0, 1);
  beforeAll(async () => {
    const keys = await sessionKeys();
    const clock = () => now;
    fixture = makeFixture({
      now: clock,
      sessions: { codec: jwtSessionCodec({ keys, issuer: 'tw', audience: 'tw', now: clock }) },
    });
    server = await start(fixture.service);
  });
  afterAll(() => server.close());
  const get = (path: string, token: string) => call(server.url, path, { headers: bearer(token) });
  const post = (path: string, token: string) =>
    call(server.url, path, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: '{}',
    });

  it('answers 429 rate_limited with Retry-After in seconds once a limit is spent', async () => {
    const { token } = await fixture.service.issue({ ratelimit: { limit: 3, duration: '1m' } }, BOB);
    for (let i = 0; i < 3; i++) expect((await get('/api/me', token)).status).toBe(200);
    const refused = await get('/api/me', token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('20');
    expect(refused.headers.get('www-authenticate')).toBeNull();
    expect(refused.body).toMatchObject({ error: 'rate_limited', retryAfter: 20_000, ratelimit: 'default' });
    expect(refused.text).not.toContain(token);
  });

  it('answers 429 usage_exceeded, with Retry-After only when a refill will come', async () => {
    const once = await fixture.service.issue({ remaining: 1 }, BOB);
    expect((await get('/api/me', once.token)).body).toEqual({ remaining: 0 });
    const spent = await get('/api/me', once.token);
    expect(spent.status).toBe(429);
    expect(spent.body).toMatchObject({ error: 'usage_exceeded', retryAfter: null });
    expect(spent.headers.get('retry-after')).toBeNull();
    const daily = await fixture.service.issue({ remaining: 0, refill: { interval: '1d', amount: 5 } }, BOB);
    const waiting = await get('/api/me', daily.token);
    expect(waiting.status).toBe(429);
    const seconds = Number(waiting.headers.get('retry-after'));
    expect(seconds).toBeGreaterThan(86_300);
    expect(seconds).toBeLessThanOrEqual(86_400);
  });

  it('lets each route choose its cost and the limit it spends', async () => {
    const { token, info } = await fixture.service.issue(
      { remaining: 100, ratelimit: [{ name: 'exports', limit: 10, duration: '1h' }] },
      BOB,
    );
    expect((await post('/api/export', token)).body).toEqual({ remaining: 95 });
    expect((await post('/api/export', token)).body).toEqual({ remaining: 90 });
    const third = await post('/api/export', token);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ error: 'rate_limited', ratelimit: 'exports' });
    expect((await get('/api/search?n=7', token)).body).toEqual({ remaining: 83 });
    expect((await fixture.service.get(info.id, BOB)).remaining).toBe(83);
  });

  it('spends a credit at verification, whatever the route answers afterwards', async () => {
    const { token, info } = await fixture.service.issue({ remaining: 3 }, BOB);
    expect((await get('/api/broken', token)).status).toBe(500);
    expect((await fixture.service.get(info.id, BOB)).remaining).toBe(2);
  });

  it('leaves tokens without a meter alone, whatever a route costs', async () => {
    const { token } = await fixture.service.issue({ name: `plain-${Date.now()}` }, BOB);
    for (let i = 0; i < 5; i++) expect((await post('/api/export', token)).status).toBe(200);
  });

  it('signs a session out with DELETE /manage/tokens/<its session id>, and only that session', async () => {
    const { token, info } = await fixture.service.issue({ name: `parent-${Date.now()}` }, ALICE);
    const session = await fixture.service.exchange(token, { ttl: '10m' });
    const other = await fixture.service.exchange(token, { ttl: '10m' });
    const signOut = await call(server.url, `/manage/tokens/${session.sessionId}`, {
      method: 'DELETE',
      headers: bearer(session.token),
    });
    expect(signOut.status).toBe(200);
    expect(signOut.body).toMatchObject({ id: info.id, status: 'active' });
    expect((await get(`/manage/tokens/${info.id}`, session.token)).status).toBe(401);
    expect((await get(`/manage/tokens/${info.id}`, other.token)).status).toBe(200);
    const elsewhere = await call(server.url, `/manage/tokens/${other.sessionId}`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    expect(elsewhere.status).toBe(404);
    expect((await get(`/manage/tokens/${info.id}`, token)).status).toBe(200);
  });

  it('revokes through RFC 7009 spending nothing, even a token out of credits', async () => {
    const { token, info } = await fixture.service.issue({ remaining: 0 }, BOB);
    const revoked = await call(server.url, '/manage/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    });
    expect(revoked.status).toBe(200);
    expect((await fixture.service.get(info.id, BOB)).status).toBe('revoked');
  });
});

describe('guard options are checked at setup', () => {
  it.each([
    ['cost', { cost: -1 }],
    ['cost', { cost: 2.5 }],
    ['ratelimit', { ratelimit: 'a b' }],
    ['ratelimit[0]', { ratelimit: [3] }],
  ])('Express tokenAuth refuses a bad %s', (field, options) => {
    const { service } = makeFixture();
    expect(() => tokenAuth(service, options as never)).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { field } }),
    );
  });

  it('Fastify refuses a bad route config.tokenward when the route is added, naming it', async () => {
    const { service } = makeFixture();
    const app = Fastify();
    const error = await app
      .register(async (scope) => {
        await scope.register(tokenward, { verifier: service });
        scope.get('/x', { config: { tokenward: { cost: 'lots' as never } } }, async () => ({}));
      })
      .then(() => app.ready())
      .then(
        () => null,
        (reason: unknown) => reason,
      );
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'config.tokenward.cost' } });
    await app.close();
  });
});
