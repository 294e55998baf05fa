import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import Fastify, { type RouteShorthandOptions } from 'fastify';
import type { Need } from '../../../src/core/types.js';
import {
  requireGrant as expressGuard,
  introspectionRouter,
  managementRouter,
  tokenAuth,
} from '../../../src/express/index.js';
import {
  requireGrant as fastifyGuard,
  frameworkErrors,
  introspectionRoute,
  managementRoutes,
  tokenward,
} from '../../../src/fastify/index.js';
import {
  type AppSetup,
  apiAuthOptions,
  BUCKET,
  brokenTenant,
  COMPONENT,
  describePrincipal,
  INTROSPECTION,
  listen,
  type RunningServer,
  type StartServer,
  testActor,
} from './app-parts.js';
import { startFetch, startHono } from './fetch-servers.js';
import { REALM } from './fixture.js';

export type { AppSetup, RunningServer, StartServer } from './app-parts.js';

/**
 * The same app in Express:
 * - GET /public: no authentication
 * - /api (Authorization, `Verification-Token` header, `auth_token` cookie; uses recorded):
 *   GET /api/me, GET|POST /api/buckets/in.c-csv-import (read|write), POST /api/components/keboola.ex-db-mysql/run,
 *   GET /api/reports (two needs)
 * - GET /optional/whoami: optional authentication
 * - GET /query/me: query-string tokens enabled
 * - GET /globex/me: only tokens of tenant globex
 * - GET /broken-tenant/me: a tenant resolver that throws
 * - /manage: the management API, acting as `X-Test-User`, the `test_session` cookie or the token;
 *   /oauth/introspect: RFC 7662 with bearer tokens and the registered clients;
 *   /oauth/introspect-bearer-only: RFC 7662 with bearer tokens only, default issuer
 */
export const startExpress: StartServer = (setup) => expressServer(setup, 'two-layer');

/**
 * The same Express app with each guarded /api route in one layer
 * (`tokenAuth(verifier, { …, need })`) instead of `tokenAuth` in front of
 * the router and `requireGrant` on the route.
 */
export const startExpressOneLayer: StartServer = (setup) => expressServer(setup, 'one-layer');

async function expressServer(setup: AppSetup, form: 'two-layer' | 'one-layer'): Promise<RunningServer> {
  const { service } = setup;
  const verifier = setup.verifier ?? service;
  const app = express();
  app.get('/public', (_req, res) => {
    res.json({ ok: true });
  });

  const apiOptions = apiAuthOptions(setup);
  const api = express.Router();
  const authenticated: RequestHandler[] = [];
  if (form === 'two-layer') api.use(tokenAuth(verifier, apiOptions));
  else authenticated.push(tokenAuth(verifier, apiOptions));
  const guarded = (need: Need | readonly Need[]): RequestHandler =>
    form === 'two-layer' ? expressGuard(need) : tokenAuth(verifier, { ...apiOptions, need });
  api.get('/me', ...authenticated, (req, res) => {
    res.json(describePrincipal(req.tokenPrincipal));
  });
  api.get(`/buckets/${BUCKET}`, guarded({ bucket: BUCKET, access: 'read' }), (_req, res) => {
    res.json({ rows: 3 });
  });
  api.post(`/buckets/${BUCKET}`, guarded({ bucket: BUCKET, access: 'write' }), (_req, res) => {
    res.status(201).json({ written: true });
  });
  api.post(`/components/${COMPONENT}/run`, guarded({ component: COMPONENT, action: 'run' }), (_req, res) => {
    res.json({ job: 1 });
  });
  api.get(
    '/reports',
    guarded([{ scope: 'checkup_report_create' }, { bucket: BUCKET, access: 'read' }]),
    (_req, res) => {
      res.json({ reports: [] });
    },
  );
  app.use('/api', api);

  app.get('/optional/whoami', tokenAuth(verifier, { realm: REALM, optional: true }), (req, res) => {
    res.json(describePrincipal(req.tokenPrincipal));
  });
  app.get('/query/me', tokenAuth(verifier, { realm: REALM, query: true }), (req, res) => {
    res.json(describePrincipal(req.tokenPrincipal));
  });
  app.get('/globex/me', tokenAuth(verifier, { realm: REALM, tenant: 'globex' }), (req, res) => {
    res.json(describePrincipal(req.tokenPrincipal));
  });
  app.get('/broken-tenant/me', tokenAuth(verifier, { realm: REALM, tenant: brokenTenant }), (req, res) => {
    res.json(describePrincipal(req.tokenPrincipal));
  });
  app.use(
    '/manage',
    tokenAuth(service, { realm: REALM, optional: true }),
    managementRouter(service, {
      realm: REALM,
      actor: (req) => testActor(req.get('x-test-user'), req.get('cookie'), req.tokenPrincipal),
    }),
  );
  // The management routes with their default actor and no token authentication in front.
  app.use('/bare', managementRouter(service, { realm: REALM }));
  app.use('/oauth/introspect', introspectionRouter(service, setup.introspection ?? INTROSPECTION));
  app.use('/oauth/introspect-bearer-only', introspectionRouter(service, { realm: REALM }));

  return listen(app.listen(0, '127.0.0.1'));
}

/** The same app in Fastify. */
export const startFastify: StartServer = (setup) => fastifyServer(setup, 'two-hooks');

/**
 * The same Fastify app with each guarded /api route's need in its
 * `config.tokenward`, checked by the plugin's own `onRequest` hook, instead
 * of a `requireGrant` preHandler.
 */
export const startFastifyRouteNeed: StartServer = (setup) => fastifyServer(setup, 'route-need');

async function fastifyServer(setup: AppSetup, form: 'two-hooks' | 'route-need'): Promise<RunningServer> {
  const { service } = setup;
  const verifier = setup.verifier ?? service;
  const app = Fastify({ frameworkErrors });
  app.get('/public', async () => ({ ok: true }));

  await app.register(
    async (api) => {
      await api.register(tokenward, { verifier, ...apiAuthOptions(setup) });
      const guarded = (need: Need | readonly Need[]): RouteShorthandOptions =>
        form === 'two-hooks' ? { preHandler: fastifyGuard(need) } : { config: { tokenward: { need } } };
      api.get('/me', async (request) => describePrincipal(request.tokenPrincipal));
      api.get(`/buckets/${BUCKET}`, guarded({ bucket: BUCKET, access: 'read' }), async () => ({ rows: 3 }));
      api.post(`/buckets/${BUCKET}`, guarded({ bucket: BUCKET, access: 'write' }), async (_request, reply) =>
        reply.code(201).send({ written: true }),
      );
      api.post(`/components/${COMPONENT}/run`, guarded({ component: COMPONENT, action: 'run' }), async () => ({
        job: 1,
      }));
      api.get(
        '/reports',
        guarded([{ scope: 'checkup_report_create' }, { bucket: BUCKET, access: 'read' }]),
        async () => ({ reports: [] }),
      );
    },
    { prefix: '/api' },
  );

  await app.register(
    async (scope) => {
      await scope.register(tokenward, { verifier, realm: REALM, optional: true });
      scope.get('/whoami', async (request) => describePrincipal(request.tokenPrincipal));
    },
    { prefix: '/optional' },
  );
  await app.register(
    async (scope) => {
      await scope.register(tokenward, { verifier, realm: REALM, query: true });
      scope.get('/me', async (request) => describePrincipal(request.tokenPrincipal));
    },
    { prefix: '/query' },
  );
  await app.register(
    async (scope) => {
      await scope.register(tokenward, { verifier, realm: REALM, tenant: 'globex' });
      scope.get('/me', async (request) => describePrincipal(request.tokenPrincipal));
    },
    { prefix: '/globex' },
  );
  await app.register(
    async (scope) => {
      await scope.register(tokenward, { verifier, realm: REALM, tenant: brokenTenant });
      scope.get('/me', async (request) => describePrincipal(request.tokenPrincipal));
    },
    { prefix: '/broken-tenant' },
  );
  await app.register(
    async (scope) => {
      await scope.register(tokenward, { verifier: service, realm: REALM, optional: true });
      await scope.register(managementRoutes, {
        service,
        realm: REALM,
        actor: (request) => {
          const user = request.headers['x-test-user'];
          return testActor(typeof user === 'string' ? user : undefined, request.headers.cookie, request.tokenPrincipal);
        },
      });
    },
    { prefix: '/manage' },
  );
  await app.register(managementRoutes, { service, realm: REALM, prefix: '/bare' });
  await app.register(introspectionRoute, {
    verifier: service,
    ...(setup.introspection ?? INTROSPECTION),
    prefix: '/oauth/introspect',
  });
  await app.register(introspectionRoute, { verifier: service, realm: REALM, prefix: '/oauth/introspect-bearer-only' });

  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Every framework: Express, Fastify, the Fetch API handlers and Hono (both on @hono/node-server), for `describe.each`. */
export const FRAMEWORKS: readonly (readonly [string, StartServer])[] = [
  ['express', startExpress],
  ['fastify', startFastify],
  ['fetch', startFetch],
  ['hono', startHono],
];

/** The one-layer guarded routes (Express `tokenAuth({ need })`, Fastify `config.tokenward.need`), for the guard tables. */
export const ONE_LAYER_FORMS: readonly (readonly [string, StartServer])[] = [
  ['express, one layer', startExpressOneLayer],
  ['fastify, route need', startFastifyRouteNeed],
];
