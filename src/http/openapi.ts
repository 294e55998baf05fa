import { invalid } from '../core/errors.js';
import type { ManagementRoute } from './management.js';
import { INTROSPECTION_OPERATION, OPERATIONS, type OperationDoc } from './openapi-operations.js';
import { SCHEMAS } from './openapi-schemas.js';

/**
 * @internal The OpenAPI 3.1 document of the management API, built from its
 * route table: one operation per route, its path and body kinds from the
 * table, what it says from `OPERATIONS`, and the answers every route of a
 * kind shares (401 for routes that act for someone, 400/413/415 for routes
 * with a body, 503 with `Retry-After` and 500 for all).
 */

/** An OpenAPI path item: operations by lower-case method (and anything else OpenAPI allows). */
export type PathItem = { readonly [key: string]: unknown };

/** An OpenAPI 3.1 document. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers: readonly { readonly url: string; readonly description?: string }[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, PathItem>>;
  readonly components: { readonly [key: string]: unknown };
}

/** What `openApiDocument` describes, and where. */
export interface OpenApiOptions {
  /** `info.title` (default `tokenward`). */
  readonly title?: string;
  /** `info.version`, the version of your API (default `1`). */
  readonly version?: string;
  /** Where the API is served (default `[{ url: '/' }]`); paths below are relative to it. */
  readonly servers?: readonly { readonly url: string; readonly description?: string }[];
  /** Where the management API is mounted, such as `/api/tokens` (default: the server's root). */
  readonly managementPath?: string;
  /** Where the RFC 7662 introspection endpoint is mounted; absent, it is not described. */
  readonly introspectionPath?: string;
  /** Further path items (your own routes, or the tokens page's), added as they are. */
  readonly paths?: Readonly<Record<string, PathItem>>;
}

function answer(description: string, schema?: string, headers?: Record<string, unknown>): Record<string, unknown> {
  return {
    description,
    ...(headers === undefined ? {} : { headers }),
    ...(schema === undefined
      ? {}
      : { content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } }),
  };
}

const CHALLENGE = { 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } };

/** The answers every route of a kind shares, under the operation's own. */
function sharedResponses(route: Pick<ManagementRoute, 'needsActor' | 'body'> | null): Record<string, unknown> {
  const shared: Record<string, unknown> = {
    400: answer('Bad input: `field` names it (`invalid_request`).', 'Error'),
  };
  if (route === null || route.needsActor) {
    shared[401] = answer('No actor (no token, no session), or a bad, expired or revoked token.', 'Error', CHALLENGE);
  }
  if (route === null || route.body !== null) {
    shared[413] = answer('The body is over the limit.', 'Error');
    shared[415] = answer(
      'A body the route cannot read (or a body-less POST a cross-site form could send); `Accept` lists what it reads.',
      'Error',
      { Accept: { schema: { type: 'string' } } },
    );
  }
  shared[500] = answer('An unexpected failure (`internal_error`).', 'Error');
  shared[503] = answer('Storage is unavailable (`unavailable`); retry after `Retry-After` seconds.', 'Error', {
    'Retry-After': { $ref: '#/components/headers/Retry-After' },
  });
  return shared;
}

function operation(
  doc: OperationDoc,
  route: Pick<ManagementRoute, 'needsActor' | 'body' | 'path'> | null,
  path: string,
): Record<string, unknown> {
  const pathParameters = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = (doc.query ?? []).map((parameter) => ({ ...parameter, in: 'query', required: false }));
  const responses: Record<string, unknown> = { ...sharedResponses(route) };
  for (const [status, [description, schema]] of Object.entries(doc.responses)) {
    responses[status] = answer(description, schema, Number(status) === 401 ? CHALLENGE : undefined);
  }
  const kinds = route === null ? 'json-or-form' : route.body;
  const bodySchema = doc.requestBody === undefined ? undefined : { $ref: `#/components/schemas/${doc.requestBody}` };
  const required = doc.requestBody !== undefined && Array.isArray(SCHEMAS[doc.requestBody]?.required);
  const content: Record<string, unknown> = { 'application/json': { schema: bodySchema } };
  if (kinds === 'json-or-form') content['application/x-www-form-urlencoded'] = { schema: bodySchema };
  const secured =
    route === null ? [{ bearerToken: [] }, { clientBasic: [] }] : route.needsActor ? [{ bearerToken: [] }] : [];
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    tags: [doc.tag],
    ...(pathParameters.length + query.length === 0 ? {} : { parameters: [...pathParameters, ...query] }),
    ...(bodySchema === undefined ? {} : { requestBody: { required, content } }),
    responses,
    security: secured,
  };
}

/** `/tokens/:id` as OpenAPI writes it: `/tokens/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

function mountOption(value: unknown, field: string): string {
  if (value === undefined || value === '/' || value === '') return '';
  if (typeof value !== 'string' || !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(value)) {
    throw invalid(field, "must be a path such as '/api/tokens'");
  }
  return value;
}

const COMPONENTS = {
  schemas: SCHEMAS,
  headers: {
    'WWW-Authenticate': {
      description: 'The RFC 6750 challenge: `Bearer realm="…"`, with `error` and `scope` when there is one.',
      schema: { type: 'string' },
    },
    'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  },
  securitySchemes: {
    bearerToken: {
      type: 'http',
      scheme: 'bearer',
      description:
        'A tokenward token (`Authorization: Bearer`). An app may also act for its own signed-in user (a session cookie); then its session is the credential.',
    },
    clientBasic: { type: 'http', scheme: 'basic', description: 'OAuth client_secret_basic (RFC 6749 §2.3.1).' },
  },
} as const;

const TAGS = [
  { name: 'tokens', description: 'Issue, list, rotate, share, claim and revoke tokens.' },
  { name: 'policies', description: 'Max-duration policies of users and roles.' },
  { name: 'oauth', description: 'RFC 7662 introspection and RFC 7009 revocation.' },
  { name: 'document', description: 'This document.' },
];

/** @internal Builds the document from a route table; every route must be documented in `OPERATIONS`. */
export function buildOpenApi(routes: readonly ManagementRoute[], options: OpenApiOptions = {}): OpenApiDocument {
  const base = mountOption(options.managementPath, 'managementPath');
  const paths: Record<string, Record<string, unknown>> = {};
  const documented = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const doc = OPERATIONS[key];
    if (doc === undefined) throw new Error(`the route ${key} has no OpenAPI description`);
    documented.add(key);
    const path = `${base}${openApiPath(route.path)}`;
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(doc, route, path) };
  }
  const stale = Object.keys(OPERATIONS).filter((key) => !documented.has(key));
  if (stale.length > 0) throw new Error(`OpenAPI descriptions without a route: ${stale.join(', ')}`);
  if (options.introspectionPath !== undefined) {
    const path = mountOption(options.introspectionPath, 'introspectionPath') || '/';
    paths[path] = { post: operation(INTROSPECTION_OPERATION, null, path) };
  }
  const extra: Record<string, PathItem> = { ...options.paths };
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'tokenward',
      version: options.version ?? '1',
      description:
        'API tokens: the management API of a "Personal access tokens" page, RFC 7662 introspection and RFC 7009 revocation. Errors follow RFC 6750 and carry `error`, `error_description` and `message`; secrets are sent with `Cache-Control: no-store`.',
    },
    servers: options.servers ?? [{ url: '/' }],
    tags: TAGS,
    paths: { ...paths, ...extra },
    components: COMPONENTS,
  };
}
