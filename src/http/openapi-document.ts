import { MANAGEMENT_ROUTES } from './management.js';
import { buildOpenApi, type OpenApiDocument, type OpenApiOptions } from './openapi.js';

export type { OpenApiDocument, OpenApiOptions, PathItem } from './openapi.js';

/**
 * The OpenAPI 3.1 document of the management API (and, with
 * `introspectionPath`, the RFC 7662 endpoint), built from the same route
 * table as the handlers. The routers serve it themselves at
 * `GET <mount>/openapi.json`; this function is for a document of your own
 * layout, or one that adds your routes (`paths`). The package also ships
 * `tokenward/openapi.json`, the layout of the tokens page.
 *
 * @throws TokenError `invalid_request` for a `managementPath` or
 *   `introspectionPath` that is not a path such as `/api/tokens`.
 * @example
 * ```ts
 * import { openApiDocument } from 'tokenward/express';
 * const document = openApiDocument({ managementPath: '/api/tokens', introspectionPath: '/oauth/introspect' });
 * ```
 */
export function openApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  return buildOpenApi(MANAGEMENT_ROUTES, options);
}
