/**
 * A Hono app with tokenward (docs/http.md, "Hono"). `export default app`
 * serves on Bun, Deno and Workers; on Node, `serve(app)` from
 * @hono/node-server. test/http/examples.test.ts runs it. In an app, import
 * from 'tokenward' and 'tokenward/hono'.
 */
import { Hono } from 'hono';
import { introspectionRoute, managementRoutes, requireGrant, tokenAuth } from '../src/hono/index.js';
import { createTokenService, memoryRepository, staticDirectory } from '../src/index.js';

export const tokens = createTokenService({
  repository: memoryRepository(),
  pepper: 'a-pepper-of-at-least-thirty-two-bytes!!',
  prefix: 'acme',
  directory: staticDirectory({ acme: { bob: { grants: [{ bucket: 'main', access: 'read' }] } } }),
});

const app = new Hono();

app.use('/api/*', tokenAuth(tokens, { realm: 'storage', record: true }));
app.get('/api/buckets/main', requireGrant({ bucket: 'main', access: 'read' }), (c) =>
  c.json({ owner: c.get('tokenPrincipal')?.owner }),
);

// The management API, acting as the verified token (a master token creates tokens).
app.use('/tokens-admin/*', tokenAuth(tokens, { optional: true }));
app.route('/tokens-admin', managementRoutes(tokens));

app.route('/oauth/introspect', introspectionRoute(tokens));

export default app;
