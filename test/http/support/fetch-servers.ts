/**
 * The test app of servers.ts on the Fetch API entry (`tokenward/fetch`) and
 * on Hono (`tokenward/hono`), both served by Node's http through
 * @hono/node-server, so the shared tables go over real sockets here too.
 */
import { Hono } from 'hono';
import type { Principal } from '../../../src/core/principal-types.js';
import {
  type FetchAuth,
  tokenAuth as fetchAuth,
  introspectionHandler,
  managementHandler,
} from '../../../src/fetch/index.js';
import {
  tokenAuth as honoAuth,
  requireGrant as honoGuard,
  introspectionRoute,
  managementRoutes,
} from '../../../src/hono/index.js';
import {
  type AppSetup,
  apiAuthOptions,
  BUCKET,
  brokenTenant,
  COMPONENT,
  describePrincipal,
  INTROSPECTION,
  type RunningServer,
  serveFetch as serve,
  testActor,
} from './app-parts.js';
import { REALM } from './fixture.js';

type FetchHandler = (request: Request) => Promise<Response>;

function apiAuth(setup: AppSetup): FetchAuth {
  const verifier = setup.verifier ?? setup.service;
  return fetchAuth(verifier, apiAuthOptions(setup));
}

const describe = (_request: Request, principal: Principal | null): Response =>
  Response.json(describePrincipal(principal));

/** The same app as plain fetch handlers, routed by a table of `METHOD path`. */
export async function startFetch(setup: AppSetup): Promise<RunningServer> {
  const { service } = setup;
  const verifier = setup.verifier ?? service;
  const api = apiAuth(setup);
  const whoami = (auth: FetchAuth) => auth.protect(describe);
  const routes: Record<string, FetchHandler> = {
    'GET /public': async () => Response.json({ ok: true }),
    'GET /api/me': api.protect(describe),
    [`GET /api/buckets/${BUCKET}`]: api.protect(() => Response.json({ rows: 3 }), {
      need: { bucket: BUCKET, access: 'read' },
    }),
    [`POST /api/buckets/${BUCKET}`]: api.protect(() => Response.json({ written: true }, { status: 201 }), {
      need: { bucket: BUCKET, access: 'write' },
    }),
    [`POST /api/components/${COMPONENT}/run`]: api.protect(() => Response.json({ job: 1 }), {
      need: { component: COMPONENT, action: 'run' },
    }),
    'GET /api/reports': api.protect(() => Response.json({ reports: [] }), {
      need: [{ scope: 'checkup_report_create' }, { bucket: BUCKET, access: 'read' }],
    }),
    'GET /optional/whoami': whoami(fetchAuth(verifier, { realm: REALM, optional: true })),
    'GET /query/me': whoami(fetchAuth(verifier, { realm: REALM, query: true })),
    'GET /globex/me': whoami(fetchAuth(verifier, { realm: REALM, tenant: 'globex' })),
    'GET /broken-tenant/me': whoami(fetchAuth(verifier, { realm: REALM, tenant: brokenTenant })),
    'POST /oauth/introspect': introspectionHandler(service, setup.introspection ?? INTROSPECTION),
    'POST /oauth/introspect-bearer-only': introspectionHandler(service, { realm: REALM }),
  };
  const manage = managementHandler(service, {
    basePath: '/manage',
    realm: REALM,
    auth: fetchAuth(service, { realm: REALM, optional: true }),
    actor: (request, principal) =>
      testActor(request.headers.get('x-test-user') ?? undefined, request.headers.get('cookie') ?? undefined, principal),
  });
  const bare = managementHandler(service, { basePath: '/bare', realm: REALM, auth: null });
  return serve(async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === '/manage' || pathname.startsWith('/manage/')) return manage(request);
    if (pathname.startsWith('/bare/')) return bare(request);
    const route = routes[`${request.method} ${pathname}`];
    if (route !== undefined) return route(request);
    if (pathname.startsWith('/api/')) {
      const outcome = await api.authenticate(request);
      if (!outcome.ok) return outcome.response;
    }
    return Response.json({ error: 'not_found' }, { status: 404 });
  });
}

/** The same app in Hono. */
export async function startHono(setup: AppSetup): Promise<RunningServer> {
  const { service } = setup;
  const verifier = setup.verifier ?? service;
  const app = new Hono();
  app.get('/public', (c) => c.json({ ok: true }));
  app.use('/api/*', honoAuth(verifier, apiAuthOptions(setup)));
  app.get('/api/me', (c) => c.json(describePrincipal(c.get('tokenPrincipal')) as object));
  app.get(`/api/buckets/${BUCKET}`, honoGuard({ bucket: BUCKET, access: 'read' }), (c) => c.json({ rows: 3 }));
  app.post(`/api/buckets/${BUCKET}`, honoGuard({ bucket: BUCKET, access: 'write' }), (c) =>
    c.json({ written: true }, 201),
  );
  app.post(`/api/components/${COMPONENT}/run`, honoGuard({ component: COMPONENT, action: 'run' }), (c) =>
    c.json({ job: 1 }),
  );
  app.get('/api/reports', honoGuard([{ scope: 'checkup_report_create' }, { bucket: BUCKET, access: 'read' }]), (c) =>
    c.json({ reports: [] }),
  );
  const whoami = (path: string, options: Parameters<typeof honoAuth>[1]): void => {
    app.get(path, honoAuth(verifier, { realm: REALM, ...options }), (c) =>
      c.json(describePrincipal(c.get('tokenPrincipal')) as object),
    );
  };
  whoami('/optional/whoami', { optional: true });
  whoami('/query/me', { query: true });
  whoami('/globex/me', { tenant: 'globex' });
  whoami('/broken-tenant/me', { tenant: brokenTenant });
  app.use('/manage/*', honoAuth(service, { realm: REALM, optional: true }));
  app.route(
    '/manage',
    managementRoutes(service, {
      realm: REALM,
      actor: (c) => testActor(c.req.header('x-test-user'), c.req.header('cookie'), c.get('tokenPrincipal')),
    }),
  );
  app.route('/bare', managementRoutes(service, { realm: REALM }));
  app.route('/oauth/introspect', introspectionRoute(service, setup.introspection ?? INTROSPECTION));
  app.route('/oauth/introspect-bearer-only', introspectionRoute(service, { realm: REALM }));
  return serve(async (request) => app.fetch(request));
}
