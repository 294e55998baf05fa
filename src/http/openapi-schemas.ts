/**
 * @internal The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what
 * the management, introspection and revocation routes read and answer:
 * `components.schemas` of the OpenAPI document, and, dereferenced, the
 * Fastify route schemas `@fastify/swagger` reads. They describe the public
 * types (`TokenInfo`, `IssuedToken`, `TokenEventInfo`, `ErrorBody`, …), with
 * times as ISO 8601 strings and durations in milliseconds, as they go over HTTP.
 */

/** A JSON Schema object (only what these schemas use). */
export type JsonSchema = { readonly [key: string]: unknown };

const NAME = { type: 'string', minLength: 1, maxLength: 200 } as const;
const TIME = { type: 'string', format: 'date-time' } as const;
const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' } as const;
const DURATION: JsonSchema = {
  description: "A duration: a string such as '90s', '15m', '24h', '30d', '1y', or milliseconds.",
  oneOf: [
    { type: 'string', minLength: 1, maxLength: 40 },
    { type: 'integer', minimum: 0 },
  ],
};

const GRANT: JsonSchema = {
  description:
    'One permission: a bucket (write implies read), a component (all actions when `actions` is absent) or a free-form scope.',
  oneOf: [
    {
      type: 'object',
      required: ['bucket', 'access'],
      additionalProperties: false,
      properties: { bucket: NAME, access: { enum: ['read', 'write'] } },
    },
    {
      type: 'object',
      required: ['component'],
      additionalProperties: false,
      properties: {
        component: NAME,
        actions: { type: 'array', items: { enum: ['run', 'configure'] }, uniqueItems: true },
      },
    },
    { type: 'object', required: ['scope'], additionalProperties: false, properties: { scope: NAME } },
  ],
};

const TOKEN_INFO: JsonSchema = {
  description: 'A token as the management API shows it: never its secret.',
  type: 'object',
  required: [
    'id',
    'tenant',
    'type',
    'owner',
    'name',
    'comment',
    'grants',
    'createdBy',
    'status',
    'createdAt',
    'expiresAt',
    'revokedAt',
    'rotatedAt',
    'lastUsedAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'The token id (a ULID), embedded in the token string.' },
    tenant: { type: 'string' },
    type: { enum: ['administrative', 'personal', 'master', 'limited'] },
    owner: { type: ['string', 'null'], description: 'The owning user; null for administrative tokens.' },
    name: { type: 'string' },
    comment: { type: 'string' },
    grants: {
      description: 'Narrowing grants; null: no narrowing (personal, administrative, master).',
      oneOf: [{ type: 'array', items: { $ref: '#/components/schemas/Grant' } }, { type: 'null' }],
    },
    createdBy: { type: 'string', description: '`user:<name>`, `token:<id>` or `system`.' },
    status: { enum: ['active', 'expired', 'revoked'] },
    createdAt: TIME,
    expiresAt: NULLABLE_TIME,
    revokedAt: NULLABLE_TIME,
    rotatedAt: NULLABLE_TIME,
    lastUsedAt: NULLABLE_TIME,
  },
};

const ISSUED: JsonSchema = {
  description: 'A new secret: shown in this answer only (sent with `Cache-Control: no-store`).',
  type: 'object',
  required: ['token', 'info'],
  additionalProperties: false,
  properties: {
    token: { type: 'string', description: 'The token string. Shown once; never stored.' },
    info: { $ref: '#/components/schemas/TokenInfo' },
  },
};

function page(item: string): JsonSchema {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    additionalProperties: false,
    properties: {
      items: { type: 'array', items: { $ref: `#/components/schemas/${item}` } },
      nextCursor: { type: ['string', 'null'], description: 'Pass as `cursor` for the next page; null on the last.' },
    },
  };
}

const EVENT: JsonSchema = {
  type: 'object',
  required: ['id', 'tokenId', 'tenant', 'type', 'actor', 'operation', 'detail', 'at'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    tokenId: { type: 'string' },
    tenant: { type: 'string' },
    type: { enum: ['issued', 'rotated', 'revoked', 'comment_updated', 'shared', 'claimed', 'used'] },
    actor: { type: 'string' },
    operation: { type: 'string' },
    detail: { type: ['object', 'null'] },
    at: TIME,
  },
};

const SOURCE: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['kind', 'name'],
      additionalProperties: false,
      properties: { kind: { enum: ['user', 'role'] }, name: { type: 'string' } },
    },
    {
      type: 'object',
      required: ['kind'],
      additionalProperties: false,
      properties: { kind: { const: 'system' } },
    },
  ],
};

const EXPLANATION: JsonSchema = {
  type: 'object',
  required: ['maxTtl', 'source', 'capped', 'applicable'],
  additionalProperties: false,
  properties: {
    maxTtl: { type: 'integer', description: 'The effective maximum lifetime in milliseconds.' },
    source: { $ref: '#/components/schemas/MaxTtlSource' },
    capped: { type: 'boolean', description: 'True when the winning policy was above the system ceiling.' },
    applicable: {
      type: 'array',
      items: {
        type: 'object',
        required: ['source', 'maxTtl'],
        additionalProperties: false,
        properties: { source: { $ref: '#/components/schemas/MaxTtlSource' }, maxTtl: { type: 'integer' } },
      },
    },
  },
};

const ERROR: JsonSchema = {
  description: 'Every error answer. `error` and `error_description` are the members OAuth clients read.',
  type: 'object',
  required: ['error', 'message', 'error_description'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'string',
      description:
        'A TokenError code, `token_missing`, `internal_error`, or on the OAuth routes `invalid_client` and `unsupported_token_type`.',
    },
    message: { type: 'string', description: 'Generic; never contains a token or a secret.' },
    error_description: { type: 'string', description: 'The same text as `message` (RFC 6749 §5.2).' },
    field: { type: 'string', description: 'The rejected input field, for `invalid_request`.' },
    limit: { type: ['integer', 'null'], description: 'The limit in milliseconds, for `duration_exceeds_policy`.' },
  },
};

const INTROSPECTION: JsonSchema = {
  description: 'RFC 7662 §2.2: a live token described, or `{ "active": false }` with nothing more.',
  oneOf: [
    {
      type: 'object',
      required: ['active', 'token_type', 'jti', 'iss', 'tenant', 'type', 'name', 'grants', 'owner_is_admin'],
      additionalProperties: false,
      properties: {
        active: { const: true },
        token_type: { const: 'Bearer' },
        jti: { type: 'string' },
        iss: { type: 'string', description: 'One issuer per tenant.' },
        sub: { type: 'string', description: 'The owning user, unique within `iss`.' },
        exp: { type: 'integer', description: 'Seconds since the epoch.' },
        scope: { type: 'string', description: 'RFC 6749 §3.3 scope tokens (`bucket:b:read …`), or `all`.' },
        tenant: { type: 'string' },
        type: { type: 'string' },
        name: { type: 'string' },
        grants: {
          oneOf: [{ const: 'all' }, { type: 'array', items: { $ref: '#/components/schemas/Grant' } }],
        },
        owner_is_admin: { type: 'boolean' },
      },
    },
    {
      type: 'object',
      required: ['active'],
      additionalProperties: false,
      properties: { active: { const: false } },
    },
  ],
};

const TOKEN_REQUEST: JsonSchema = {
  description: 'An OAuth request naming a token (RFC 7009 §2.1, RFC 7662 §2.1); unknown parameters are ignored.',
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string' },
    token_type_hint: { type: 'string' },
    client_id: { type: 'string' },
    client_secret: { type: 'string' },
    client_assertion_type: { type: 'string' },
    client_assertion: { type: 'string' },
  },
};

/** Request bodies, by name. */
const REQUESTS: Readonly<Record<string, JsonSchema>> = {
  IssueRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: { enum: ['administrative', 'personal', 'limited'], description: 'Default `personal`.' },
      tenant: { type: 'string', description: "Default: the actor's tenant." },
      owner: { type: 'string', description: 'FOR USER (admins only).' },
      name: { type: 'string', minLength: 1, maxLength: 100, description: 'Unique per owner; generated if omitted.' },
      ttl: { oneOf: [DURATION, { type: 'null' }], description: 'Lifetime; null: no expiry (where allowed).' },
      comment: { type: 'string', maxLength: 1000 },
      grants: { type: 'array', items: { $ref: '#/components/schemas/Grant' } },
    },
  },
  CommentRequest: {
    type: 'object',
    required: ['comment'],
    additionalProperties: false,
    properties: { comment: { type: 'string', maxLength: 1000 } },
  },
  RotateRequest: {
    type: 'object',
    additionalProperties: false,
    properties: { gracePeriod: DURATION },
  },
  ShareRequest: {
    type: 'object',
    additionalProperties: false,
    properties: { ttl: DURATION },
  },
  ClaimRequest: {
    type: 'object',
    required: ['code'],
    additionalProperties: false,
    properties: { code: { type: 'string', minLength: 1 } },
  },
  PolicyRequest: {
    type: 'object',
    required: ['maxTtl'],
    additionalProperties: false,
    properties: { maxTtl: { oneOf: [DURATION, { type: 'null' }], description: 'null clears the policy.' } },
  },
  TokenRequest: TOKEN_REQUEST,
};

/** Every schema of `components.schemas`. */
export const SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Grant: GRANT,
  TokenInfo: TOKEN_INFO,
  IssuedToken: ISSUED,
  TokenPage: page('TokenInfo'),
  TokenEvent: EVENT,
  EventPage: page('TokenEvent'),
  Share: {
    type: 'object',
    required: ['code', 'tokenId', 'expiresAt'],
    additionalProperties: false,
    properties: {
      code: { type: 'string', description: 'Single-use claim code: claiming rotates the token.' },
      tokenId: { type: 'string' },
      expiresAt: TIME,
    },
  },
  RevokedCount: {
    type: 'object',
    required: ['revoked'],
    additionalProperties: false,
    properties: { revoked: { type: 'integer', minimum: 0 } },
  },
  MaxTtlSource: SOURCE,
  MaxTtlExplanation: EXPLANATION,
  Error: ERROR,
  Introspection: INTROSPECTION,
  OpenApiDocument: {
    description: 'An OpenAPI 3.1 document.',
    type: 'object',
    required: ['openapi', 'info', 'paths'],
    properties: { openapi: { const: '3.1.0' } },
  },
  ...REQUESTS,
};

/**
 * @internal A schema with every `$ref` to `components.schemas` replaced by
 * the schema itself, for consumers that read one schema alone (Fastify's
 * route schemas). The schemas hold no cycles.
 */
export function dereference(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(dereference);
  if (typeof schema !== 'object' || schema === null) return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === 'string') return dereference(SCHEMAS[ref.slice('#/components/schemas/'.length)]);
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, dereference(value)]));
}
