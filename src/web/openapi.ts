import { type OpenApiDocument, openApiDocument, type PathItem } from '../http/openapi-document.js';
import { PAGE_PREFIX } from './page.js';

/**
 * The tokens page's own routes (sign-in, session, sign-out) as OpenAPI path
 * items, and the operator surface's document: the page's sign-in routes,
 * the management API it mounts under `/page/api`, and RFC 7662
 * introspection where the docs mount it. `npm run openapi` writes it to
 * `openapi.json`, which the package ships (`tokenward/openapi.json`).
 */

const ERROR = { $ref: '#/components/schemas/Error' } as const;
const STATUS = { $ref: '#/components/schemas/PageStatus' } as const;

/** What `GET /session` and the sign-in routes answer (`PageStatus`). */
export const PAGE_STATUS_SCHEMA = {
  type: 'object',
  required: ['tenant', 'title', 'signedIn', 'allowNoExpiry', 'shareUrl', 'signIn', 'signOut'],
  additionalProperties: false,
  properties: {
    tenant: { type: 'string' },
    title: { type: 'string' },
    signedIn: { type: 'boolean' },
    ended: { type: 'string', description: 'Why the last sign-in ended (the code of the refusal).' },
    who: {
      oneOf: [
        {
          type: 'object',
          required: ['kind', 'user'],
          additionalProperties: false,
          properties: { kind: { const: 'user' }, user: { type: 'string' } },
        },
        { type: 'object', required: ['kind'], additionalProperties: false, properties: { kind: { const: 'system' } } },
        {
          type: 'object',
          required: ['kind', 'name', 'type', 'owner', 'expiresAt'],
          additionalProperties: false,
          properties: {
            kind: { const: 'token' },
            name: { type: 'string' },
            type: { type: 'string' },
            owner: { type: ['string', 'null'] },
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      ],
    },
    admin: { type: 'boolean' },
    canManage: { type: 'boolean', description: 'False for token sign-ins: they only view.' },
    policy: {
      oneOf: [{ $ref: '#/components/schemas/MaxTtlExplanation' }, { type: 'null' }],
    },
    allowNoExpiry: { type: 'boolean' },
    shareUrl: { type: 'string', description: 'Where share links point; the code goes after `#claim=`.' },
    signIn: {
      type: 'object',
      required: ['demoUsers', 'token'],
      additionalProperties: false,
      properties: { demoUsers: { type: 'array', items: { type: 'string' } }, token: { type: 'boolean' } },
    },
    signOut: { type: 'boolean' },
  },
} as const;

function json(schema: unknown): Record<string, unknown> {
  return { content: { 'application/json': { schema } } };
}

function signInOperation(operationId: string, summary: string, field: 'user' | 'token'): Record<string, unknown> {
  return {
    operationId,
    summary,
    tags: ['page'],
    security: [],
    requestBody: {
      required: true,
      ...json({
        type: 'object',
        required: [field],
        additionalProperties: false,
        properties: { [field]: { type: 'string', minLength: 1, maxLength: 4096 } },
      }),
    },
    responses: {
      200: { description: 'Signed in: the session cookie is set.', ...json(STATUS) },
      400: { description: 'A body without the field, or another field.', ...json(ERROR) },
      401: { description: 'The token is invalid, expired or revoked.', ...json(ERROR) },
      403: { description: 'Not a demo user, not a master or personal token, or a cross-site request.', ...json(ERROR) },
      404: { description: 'The directory does not know the user.', ...json(ERROR) },
      413: { description: 'The body is over 8 KiB.', ...json(ERROR) },
      415: { description: 'A body other than JSON.', ...json(ERROR) },
      503: { description: 'Storage is unavailable.', ...json(ERROR) },
    },
  };
}

/** The page's sign-in routes, relative to where the page is mounted. */
export const PAGE_SESSION_PATHS: Readonly<Record<string, PathItem>> = {
  [`${PAGE_PREFIX}/session`]: {
    get: {
      operationId: 'pageSession',
      summary: 'Who is signed in to the tokens page, what they may do, the policy of their lifetimes',
      tags: ['page'],
      security: [],
      responses: {
        200: { description: 'The page status.', ...json(STATUS) },
        403: { description: 'A cross-site request.', ...json(ERROR) },
        503: { description: 'Storage is unavailable.', ...json(ERROR) },
      },
    },
    delete: {
      operationId: 'pageSignOut',
      summary: 'Sign out: the stored sign-in is deleted, the cookie dropped',
      tags: ['page'],
      security: [],
      responses: {
        200: { description: 'Signed out.', ...json(STATUS) },
        403: { description: 'The page signs nobody in or out (`actAs`), or a cross-site request.', ...json(ERROR) },
        503: { description: 'Storage is unavailable.', ...json(ERROR) },
      },
    },
  },
  [`${PAGE_PREFIX}/session/demo`]: {
    post: signInOperation('pageDemoSignIn', 'Demo sign-in as one of the configured demo users', 'user'),
  },
  [`${PAGE_PREFIX}/session/token`]: {
    post: signInOperation('pageTokenSignIn', 'Token sign-in with a master or personal token', 'token'),
  },
};

/** The operator surface's OpenAPI document: the tokens page mounted at the root, introspection at `/oauth/introspect`. */
export function operatorOpenApi(): OpenApiDocument {
  const document = openApiDocument({
    title: 'tokenward: the tokens page and its API',
    managementPath: `${PAGE_PREFIX}/api`,
    introspectionPath: '/oauth/introspect',
    paths: PAGE_SESSION_PATHS,
  });
  return {
    ...document,
    tags: [...document.tags, { name: 'page', description: 'The tokens page: sign-in and session (tokenward/web).' }],
    components: {
      ...document.components,
      schemas: { ...(document.components.schemas as object), PageStatus: PAGE_STATUS_SCHEMA },
    },
  };
}
