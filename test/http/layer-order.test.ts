/**
 * Where an authentication layer sits, over real sockets (third outside
 * review): a Fastify route's `config.tokenward` (need, cost) applies
 * whether the route was added before or after the plugin, with the hook or
 * with `verifyToken`; a bad route config found at request time is a server
 * error (500, no detail), never a pass and never a client error; and each
 * authentication layer decides the principal the routes after it see, so a
 * principal set by an earlier layer (another verifier) never satisfies a
 * later layer's guard, on Express, Fastify and Hono.
 */
import express from 'express';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenAuth as expressAuth, requireGrant as expressGuard } from '../../src/express/index.js';
import { requireGrant as fastifyGuard, tokenward } from '../../src/fastify/index.js';
import { tokenAuth as honoAuth, requireGrant as honoGuard } from '../../src/hono/index.js';
import { listen, type RunningServer, serveFetch } from './support/app-parts.js';
import { BOB, CAROL, issue, makeFixture } from './support/fixture.js';
import { bearer, call } from './support/http.js';

/** A need bob's grants do not cover and carol's do. */
const REPORTS = { scope: 'checkup_report_create' } as const;
const INTERNAL_BODY = { error: 'internal_error', message: 'internal error', error_description: 'internal error' };

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** Serves a ready Fastify app on an ephemeral port. */
async function serveFastify(app: FastifyInstance): Promise<RunningServer> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const server = await listen(app.server);
  running.push(server);
  return server;
}

/** A handler answering with the request's principal owner and credits left. */
const whoami = async (request: FastifyRequest) => ({
  owner: request.tokenPrincipal?.owner ?? null,
  remaining: request.tokenPrincipal?.remaining ?? null,
});

describe('Fastify: a route config applies whatever the registration order', () => {
  const fixture = makeFixture();

  it.each([
    ['in a plugin registered before tokenward', 'sibling'],
    ['on the root before tokenward', 'root'],
    ['before tokenward with addHook: false and verifyToken as the onRequest hook', 'verifyToken'],
  ] as const)('a route %s refuses a token without its need, and lets one with it through', async (_name, form) => {
    const app = Fastify();
    const route = (scope: FastifyInstance) =>
      scope.get('/reports', { config: { tokenward: { need: REPORTS } } }, whoami);
    if (form === 'sibling') app.register(async (scope) => void route(scope));
    else route(app);
    await app.register(tokenward, { verifier: fixture.service, addHook: form !== 'verifyToken' });
    if (form === 'verifyToken') app.addHook('onRequest', app.verifyToken!);
    const server = await serveFastify(app);
    const bob = await call(server.url, '/reports', { headers: bearer((await issue(fixture.service, BOB)).token) });
    expect(bob.status).toBe(403);
    expect(bob.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="scope:checkup_report_create"',
    );
    const carol = await call(server.url, '/reports', { headers: bearer((await issue(fixture.service, CAROL)).token) });
    expect(carol.status).toBe(200);
  });

  it('a route added before the plugin spends its own cost', async () => {
    const app = Fastify();
    app.register(async (scope) => void scope.get('/export', { config: { tokenward: { cost: 5 } } }, whoami));
    app.register(tokenward, { verifier: fixture.service });
    const server = await serveFastify(app);
    const { token } = await fixture.service.issue({ remaining: 10 }, BOB);
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await call(server.url, '/export', { headers: bearer(token) }));
    expect(replies.map((reply) => [reply.status, reply.body.remaining ?? reply.body.error])).toEqual([
      [200, 5],
      [200, 0],
      [429, 'usage_exceeded'],
    ]);
  });
});

describe('Fastify: a bad route config found at request time is a server error', () => {
  const fixture = makeFixture();

  it('a route added before the plugin with a bad need is refused with 500, never let through', async () => {
    const app = Fastify({ logger: false });
    app.get('/bad', { config: { tokenward: { need: { nonsense: 1 } as never } } }, whoami);
    await app.register(tokenward, { verifier: fixture.service });
    const server = await serveFastify(app);
    const { token } = await issue(fixture.service, CAROL);
    for (let i = 0; i < 2; i++) {
      const reply = await call(server.url, '/bad', { headers: bearer(token) });
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual(INTERNAL_BODY);
    }
  });

  it('a config made invalid after the app started, before its first request, is answered 500, not 400', async () => {
    const app = Fastify();
    await app.register(tokenward, { verifier: fixture.service });
    const config = { tokenward: { need: { scope: 'billing' } as object } };
    app.get('/e', { config: config as never }, whoami);
    const server = await serveFastify(app);
    config.tokenward.need = { bogus: 1 };
    const reply = await call(server.url, '/e', { headers: bearer((await issue(fixture.service, CAROL)).token) });
    expect(reply.status).toBe(500);
    expect(reply.text).not.toContain('config.tokenward');
  });
});

describe('Fastify: a guard on a route added before the plugin', () => {
  it('refuses with the status and challenge of a route added after it (the body is Fastify’s, docs/http.md)', async () => {
    const fixture = makeFixture();
    const app = Fastify();
    app.get('/early', { preHandler: fastifyGuard(REPORTS) }, whoami);
    await app.register(tokenward, { verifier: fixture.service });
    app.get('/late', { preHandler: fastifyGuard(REPORTS) }, whoami);
    const server = await serveFastify(app);
    const headers = bearer((await issue(fixture.service, BOB)).token);
    const [early, late] = [await call(server.url, '/early', { headers }), await call(server.url, '/late', { headers })];
    expect([early.status, early.headers.get('www-authenticate')]).toEqual([
      late.status,
      late.headers.get('www-authenticate'),
    ]);
    expect(late.status).toBe(403);
  });
});

/**
 * Two services: A's tokens in Authorization, B's (admin) in X-Admin-Token.
 * Eve holds only an A token; A's directory gives her the admin scope.
 */
async function twoServices() {
  const directory = {
    getUser: (_tenant: string, user: string) => (user === 'eve' ? { grants: [{ scope: 'admin' }] } : null),
  };
  const a = makeFixture({ prefix: 'pub', directory }).service;
  const b = makeFixture({ prefix: 'adm', directory }).service;
  const eve = (await a.issue({}, { tenant: 'acme', user: 'eve' })).token;
  const admin = (await b.issue({}, { tenant: 'acme', user: 'eve' })).token;
  return { a, b, eve, admin };
}

const ADMIN = { scope: 'admin' } as const;
const B_LAYER = { header: 'x-admin-token', authorization: false, optional: true } as const;

describe.each([
  [
    'Express',
    async ({ a, b }: Awaited<ReturnType<typeof twoServices>>) => {
      const app = express();
      app.use(expressAuth(a, { optional: true, requestProperty: 'auth' }));
      app.get('/admin', expressAuth(b, { ...B_LAYER, requestProperty: 'auth' }), expressGuard(ADMIN), (req, res) => {
        res.json({ auth: (req as unknown as { auth?: { owner: string } }).auth?.owner ?? null });
      });
      const server = await listen(app.listen(0, '127.0.0.1'));
      running.push(server);
      return server;
    },
  ],
  [
    'Fastify',
    async ({ a, b }: Awaited<ReturnType<typeof twoServices>>) => {
      const app = Fastify();
      await app.register(tokenward, { verifier: a, optional: true });
      await app.register(async (admin) => {
        await admin.register(tokenward, { verifier: b, ...B_LAYER });
        admin.get('/admin', { preHandler: fastifyGuard(ADMIN) }, whoami);
      });
      return serveFastify(app);
    },
  ],
  [
    'Hono',
    async ({ a, b }: Awaited<ReturnType<typeof twoServices>>) => {
      const app = new Hono();
      app.use(honoAuth(a, { optional: true }));
      app.get('/admin', honoAuth(b, B_LAYER), honoGuard(ADMIN), (c) =>
        c.json({ owner: c.get('tokenPrincipal')?.owner }),
      );
      const server = await serveFetch((request) => Promise.resolve(app.fetch(request)));
      running.push(server);
      return server;
    },
  ],
] as const)('%s: each authentication layer decides the principal after it', (_name, start) => {
  it('an optional layer that finds no token leaves no principal of an earlier layer to the guard', async () => {
    const services = await twoServices();
    const server = await start(services);
    const other = await call(server.url, '/admin', { headers: bearer(services.eve) });
    expect(other.status).toBe(401);
    expect(other.headers.get('www-authenticate')).toBe('Bearer realm="api"');
    const own = await call(server.url, '/admin', { headers: { 'x-admin-token': services.admin } });
    expect(own.status).toBe(200);
  });
});
