/**
 * @internal What the OpenAPI document says about each route of the
 * management API, by `METHOD path` of its route table: the document is
 * built from that table (src/http/management.ts), and a route without an
 * entry here, or an entry without a route, fails the build of the document.
 */

/** A query parameter of an operation. */
export interface QueryParameter {
  readonly name: string;
  readonly description: string;
  readonly schema: { readonly [key: string]: unknown };
}

/** The documentation of one operation; statuses shared by every route of a kind are added by the builder. */
export interface OperationDoc {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: 'tokens' | 'policies' | 'oauth' | 'document';
  readonly query?: readonly QueryParameter[];
  /** The name of the request body's schema in `components.schemas`. */
  readonly requestBody?: string;
  /** Answers of the operation: status → description and the name of the body's schema (none: an empty body). */
  readonly responses: Readonly<Record<number, readonly [description: string, schema?: string]>>;
}

const BOOLEAN = { type: 'string', enum: ['true', 'false', '1', '0'] } as const;
const TENANT: QueryParameter = {
  name: 'tenant',
  description: "The tenant (default: the actor's own; crossing tenants is refused).",
  schema: { type: 'string' },
};
const LIMIT: QueryParameter = {
  name: 'limit',
  description: 'Page size.',
  schema: { type: 'string', pattern: '^[0-9]{1,7}$' },
};
const CURSOR: QueryParameter = {
  name: 'cursor',
  description: 'The `nextCursor` of the previous page.',
  schema: { type: 'string' },
};

const NOT_FOUND = 'No such token for this actor (another user’s token is not found, not forbidden).';
const FORBIDDEN = 'The actor may not do this (authority only narrows).';

/** The documentation of every management route, by `METHOD path`. */
export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'POST /tokens': {
    operationId: 'issueToken',
    summary: 'Issue a token; its secret is in this answer only',
    tag: 'tokens',
    requestBody: 'IssueRequest',
    responses: {
      201: ['Issued.', 'IssuedToken'],
      403: [FORBIDDEN, 'Error'],
      409: ['A live token of the owner has this name, or the cap of active tokens is reached.', 'Error'],
      422: ['The lifetime exceeds the effective maximum (`limit` names it).', 'Error'],
    },
  },
  'GET /tokens': {
    operationId: 'listTokens',
    summary: "List the actor's tokens, a user's or every token (admins)",
    tag: 'tokens',
    query: [
      TENANT,
      { name: 'owner', description: "A user's tokens (admins for others).", schema: { type: 'string' } },
      { name: 'all', description: 'Every token of the tenant (admins).', schema: BOOLEAN },
      {
        name: 'type',
        description: 'Comma-separated token types.',
        schema: {
          type: 'string',
          pattern: '^(administrative|personal|master|limited)(,(administrative|personal|master|limited))*$',
        },
      },
      { name: 'hideExpired', description: 'Hide expired tokens (default true).', schema: BOOLEAN },
      { name: 'hideRevoked', description: 'Hide revoked tokens (default true).', schema: BOOLEAN },
      {
        name: 'expiringWithin',
        description:
          'Only live tokens that expire within this duration (`7d`), soonest first (`listExpiring`); not with `hideExpired` or `hideRevoked`.',
        schema: { type: 'string' },
      },
      LIMIT,
      CURSOR,
    ],
    responses: { 200: ['A page of tokens.', 'TokenPage'], 403: [FORBIDDEN, 'Error'] },
  },
  'GET /tokens/:id': {
    operationId: 'getToken',
    summary: 'One token',
    tag: 'tokens',
    responses: { 200: ['The token.', 'TokenInfo'], 404: [NOT_FOUND, 'Error'] },
  },
  'PATCH /tokens/:id': {
    operationId: 'updateToken',
    summary: 'Change a token in place: the fields given (name, comment, meta, enabled, grants, ttl), nothing else',
    tag: 'tokens',
    requestBody: 'UpdateRequest',
    responses: {
      200: ['The token as changed.', 'TokenInfo'],
      403: [FORBIDDEN, 'Error'],
      404: [NOT_FOUND, 'Error'],
      409: [
        'The token is revoked, another unrevoked token of the owner has the name, or it changed meanwhile.',
        'Error',
      ],
      422: ['The new lifetime exceeds the effective maximum (`limit` names it).', 'Error'],
    },
  },
  'POST /tokens/:id/enable': {
    operationId: 'enableToken',
    summary: 'Enable a disabled token: it verifies again',
    tag: 'tokens',
    responses: { 200: ['The token, enabled.', 'TokenInfo'], 403: [FORBIDDEN, 'Error'], 404: [NOT_FOUND, 'Error'] },
  },
  'POST /tokens/:id/disable': {
    operationId: 'disableToken',
    summary: 'Disable a token: it fails verification with `token_disabled` until enabled',
    tag: 'tokens',
    responses: { 200: ['The token, disabled.', 'TokenInfo'], 403: [FORBIDDEN, 'Error'], 404: [NOT_FOUND, 'Error'] },
  },
  'DELETE /tokens/:id': {
    operationId: 'revokeToken',
    summary: 'Revoke a token now; revoking again answers the token as it is',
    tag: 'tokens',
    responses: {
      200: ['The token, revoked.', 'TokenInfo'],
      403: ['Master tokens are not revoked directly, or the actor may not.', 'Error'],
      404: [NOT_FOUND, 'Error'],
    },
  },
  'POST /tokens/:id/rotate': {
    operationId: 'rotateToken',
    summary: 'A new secret for the same token; the old one dies now or after `gracePeriod`',
    tag: 'tokens',
    requestBody: 'RotateRequest',
    responses: {
      200: ['The new secret, shown once.', 'RotatedToken'],
      403: [FORBIDDEN, 'Error'],
      404: [NOT_FOUND, 'Error'],
      409: ['The token is revoked or expired, or another rotation won.', 'Error'],
    },
  },
  'POST /tokens/:id/share': {
    operationId: 'shareToken',
    summary: 'A single-use claim code for the token (never the token itself)',
    tag: 'tokens',
    requestBody: 'ShareRequest',
    responses: {
      201: ['The claim code.', 'Share'],
      403: [FORBIDDEN, 'Error'],
      404: [NOT_FOUND, 'Error'],
      409: ['The token is revoked or expired.', 'Error'],
    },
  },
  'GET /tokens/:id/events': {
    operationId: 'listTokenEvents',
    summary: "A token's history",
    tag: 'tokens',
    query: [LIMIT, CURSOR],
    responses: { 200: ['A page of events.', 'EventPage'], 404: [NOT_FOUND, 'Error'] },
  },
  'POST /claims': {
    operationId: 'claimToken',
    summary: 'Claim a shared token with its code: rotates it and answers the new secret once',
    description: 'The code is the credential: no actor is asked for. JSON or form fields.',
    tag: 'tokens',
    requestBody: 'ClaimRequest',
    responses: {
      200: ['The new secret, shown once.', 'IssuedToken'],
      404: ['The code is unknown, used or expired.', 'Error'],
      409: ['The token is revoked or expired.', 'Error'],
    },
  },
  'POST /revoke': {
    operationId: 'revokeByToken',
    summary: 'RFC 7009 revocation by the token string itself',
    description:
      'Holding the token is the right to revoke it. Anything that is not a live token answers 200 too. Form fields or JSON; unknown parameters are ignored.',
    tag: 'oauth',
    requestBody: 'TokenRequest',
    responses: {
      200: ['Revoked, or nothing to revoke (an empty body).'],
      400: ['`token` is missing or repeated; `unsupported_token_type` for master and verification tokens.', 'Error'],
    },
  },
  'POST /users/:user/revoke-all': {
    operationId: 'revokeAllForUser',
    summary: "Revoke all of a user's tokens: admins for anyone, users for themselves",
    tag: 'tokens',
    query: [TENANT],
    responses: { 200: ['How many were revoked.', 'RevokedCount'], 403: [FORBIDDEN, 'Error'] },
  },
  'GET /policies/users/:user': {
    operationId: 'explainUserPolicy',
    summary: "Explain a user's effective maximum token lifetime",
    tag: 'policies',
    query: [TENANT],
    responses: {
      200: ['The effective maximum and where it comes from.', 'MaxTtlExplanation'],
      403: [FORBIDDEN, 'Error'],
    },
  },
  'PUT /policies/users/:name': {
    operationId: 'setUserPolicy',
    summary: "Set or clear (null) a user's max-duration policy (admins)",
    tag: 'policies',
    query: [TENANT],
    requestBody: 'PolicyRequest',
    responses: { 204: ['Set.'], 403: [FORBIDDEN, 'Error'] },
  },
  'PUT /policies/roles/:name': {
    operationId: 'setRolePolicy',
    summary: "Set or clear (null) a role's max-duration policy (admins)",
    tag: 'policies',
    query: [TENANT],
    requestBody: 'PolicyRequest',
    responses: { 204: ['Set.'], 403: [FORBIDDEN, 'Error'] },
  },
  'GET /openapi.json': {
    operationId: 'openApiDocument',
    summary: 'This OpenAPI document, with the server URL where the API is mounted',
    tag: 'document',
    responses: { 200: ['The document.', 'OpenApiDocument'] },
  },
};

/** The introspection endpoint, which the introspection routers serve at their mount point. */
export const INTROSPECTION_OPERATION: OperationDoc = {
  operationId: 'introspectToken',
  summary: 'RFC 7662 token introspection',
  description:
    'The caller authenticates with its own bearer token (administrative or verification by default) or as a registered OAuth client (client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt). Form fields or JSON; unknown parameters are ignored.',
  tag: 'oauth',
  requestBody: 'TokenRequest',
  responses: {
    200: ['The token described, or `{ "active": false }`.', 'Introspection'],
    400: ['`token` is missing or repeated, or two client authentication methods are used.', 'Error'],
    401: ['No caller, a bad token, a token that may not introspect, or `invalid_client`.', 'Error'],
  },
};
