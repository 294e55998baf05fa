import type { ManagementRoute } from './management.js';
import { buildOpenApi, type OpenApiDocument } from './openapi.js';

/**
 * @internal `GET /openapi.json` of the management API: the document of its
 * route table (passed lazily: the route is one of them), with the mount
 * point (the request's path less `/openapi.json`) as its server, so its
 * paths resolve where the API is served. Built once per mount point.
 */
export function openApiRoute(routes: () => readonly ManagementRoute[]): ManagementRoute {
  // An app mounts the API at a few places at most; past 16, documents are built per request.
  const documents = new Map<string, OpenApiDocument>();
  return {
    method: 'GET',
    path: '/openapi.json',
    needsActor: false,
    body: null,
    async handle(_service, context) {
      const path = context.path ?? '/openapi.json';
      const mount = path.endsWith('/openapi.json') ? path.slice(0, -'/openapi.json'.length) : '';
      let document = documents.get(mount);
      if (document === undefined) {
        document = buildOpenApi(routes(), { servers: [{ url: mount === '' ? '/' : mount }] });
        if (documents.size < 16) documents.set(mount, document);
      }
      return { status: 200, headers: { 'cache-control': 'no-cache' }, body: document };
    },
  };
}
