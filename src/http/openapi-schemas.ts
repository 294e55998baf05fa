/**
 * @internal The JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of what
 * the management, introspection and revocation routes read and answer:
 * `components.schemas` of the OpenAPI document, and, dereferenced, the
 * Fastify route schemas `@fastify/swagger` reads. They describe the public
 * types (`TokenInfo`, `IssuedToken`, `TokenEventInfo`, `ErrorBody`, …), with
 * times as ISO 8601 strings and durations in milliseconds, as they go over HTTP.
 */

import { type JsonSchema, REQUESTS } from './openapi-requests.js';

export type { JsonSchema } from './openapi-requests.js';

const NAME = { type: 'string', minLength: 1, maxLength: 200 } as const;
const TIME = { type: 'string', format: 'date-time' } as const;
const NULLABLE_TIME = { type: ['string', 'null'], format: 'date-time' } as const;

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
    'meta',
    'enabled',
    'ratelimits',
    'remaining',
    'refill',
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
    meta: { type: ['object', 'null'], description: "The application's own JSON object; null when none." },
    enabled: { type: 'boolean', description: 'False while disabled: verification answers `token_disabled`.' },
    ratelimits: { type: 'array', items: { $ref: '#/components/schemas/RateLimit' } },
    remaining: {
      type: ['integer', 'null'],
      description: 'Usage credits left now (due refills counted); null: unlimited.',
    },
    refill: {
      oneOf: [
        {
          type: 'object',
          required: ['interval', 'amount', 'lastRefillAt'],
          additionalProperties: false,
          properties: {
            interval: { type: 'integer', description: 'Milliseconds between refills.' },
            amount: { type: 'integer' },
            lastRefillAt: TIME,
          },
        },
        { type: 'null' },
      ],
    },
  },
};

const RATE_LIMIT: JsonSchema = {
  description: 'One rate limit (a token bucket): at most `limit` units, refilled at `limit` per `duration` ms.',
  type: 'object',
  required: ['name', 'limit', 'duration'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    limit: { type: 'integer', minimum: 1 },
    duration: { type: 'integer', description: 'Milliseconds.' },
  },
};

/** A new secret's token string and its token's info: an issue's answer, and a rotation's with its grace end. */
const ISSUED_PROPERTIES = {
  token: { type: 'string', description: 'The token string. Shown once; never stored.' },
  info: { $ref: '#/components/schemas/TokenInfo' },
} as const;

const ISSUED: JsonSchema = {
  description: 'A new secret: shown in this answer only (sent with `Cache-Control: no-store`).',
  type: 'object',
  required: ['token', 'info'],
  additionalProperties: false,
  properties: ISSUED_PROPERTIES,
};

const ROTATED: JsonSchema = {
  description: "A rotated token's new secret: shown in this answer only (sent with `Cache-Control: no-store`).",
  type: 'object',
  required: ['token', 'info', 'graceEndsAt'],
  additionalProperties: false,
  properties: {
    ...ISSUED_PROPERTIES,
    graceEndsAt: { ...NULLABLE_TIME, description: 'When the old secret stops working; null without a grace period.' },
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
    type: {
      enum: [
        'issued',
        'rotated',
        'revoked',
        'comment_updated',
        'shared',
        'claimed',
        'used',
        'updated',
        'imported',
        'rehashed',
      ],
    },
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
    retryAfter: {
      type: ['integer', 'null'],
      description:
        'For `rate_limited` and `usage_exceeded` (429): ms until the same call passes; null: not by waiting.',
    },
    ratelimit: { type: 'string', description: 'For `rate_limited`: the limit that refused.' },
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
        remaining: { type: 'integer', description: 'Usage credits left after this introspection spent its cost.' },
        ratelimits: { type: 'array', items: { $ref: '#/components/schemas/RateLimit' } },
        meta: { type: 'object', description: "The token's metadata, when it has some." },
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

/** Every schema of `components.schemas`. */
export const SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Grant: GRANT,
  RateLimit: RATE_LIMIT,
  TokenInfo: TOKEN_INFO,
  IssuedToken: ISSUED,
  RotatedToken: ROTATED,
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
