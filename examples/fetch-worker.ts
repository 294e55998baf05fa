/**
 * A Fetch API server with tokenward (docs/http.md, "Fetch API servers"): a
 * Cloudflare Worker as it stands (`export default { fetch }`); `Bun.serve`
 * and `Deno.serve` take the same function. test/http/examples.test.ts runs it.
 * In an app, import from 'tokenward' and 'tokenward/fetch'.
 */
import { introspectionHandler, managementHandler, tokenAuth } from '../src/fetch/index.js';
import { createTokenService, memoryRepository, staticDirectory } from '../src/index.js';

export const tokens = createTokenService({
  repository: memoryRepository(),
  pepper: 'a-pepper-of-at-least-thirty-two-bytes!!',
  prefix: 'acme',
  directory: staticDirectory({ acme: { bob: { grants: [{ bucket: 'main', access: 'read' }] } } }),
});

const auth = tokenAuth(tokens, { realm: 'storage', record: true });

// A handler behind authentication and a guard: it runs only with a principal that may read.
const readMain = auth.protect((_request, principal) => Response.json({ owner: principal?.owner }), {
  need: { bucket: 'main', access: 'read' },
  route: '/buckets/main', // the route recorded with each use (default: the request's path)
});

// The management API and RFC 7662 introspection, each a (request) => Promise<Response>.
const manage = managementHandler(tokens, { basePath: '/api/tokens-admin' });
const introspect = introspectionHandler(tokens);

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/api/tokens-admin/')) return manage(request);
    if (pathname === '/oauth/introspect') return introspect(request);
    if (pathname === '/buckets/main') return readMain(request);
    return new Response('not found', { status: 404 });
  },
};
