/**
 * @internal The request bodies of the OpenAPI document (JSON Schema
 * 2020-12): what the management, introspection and revocation routes read,
 * with durations as strings or milliseconds. The answers are in
 * `openapi-schemas.ts`.
 */

/** A JSON Schema object (only what these schemas use). */
export type JsonSchema = { readonly [key: string]: unknown };

const DURATION: JsonSchema = {
  description: "A duration: a string such as '90s', '15m', '24h', '30d', '1y', or milliseconds.",
  oneOf: [
    { type: 'string', minLength: 1, maxLength: 40 },
    { type: 'integer', minimum: 0 },
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

/** One rate limit as `issue` takes it. */
const RATE_LIMIT_INPUT: JsonSchema = {
  type: 'object',
  required: ['limit', 'duration'],
  additionalProperties: false,
  properties: { name: { type: 'string' }, limit: { type: 'integer', minimum: 1 }, duration: DURATION },
};

/** Request bodies, by name. */
export const REQUESTS: Readonly<Record<string, JsonSchema>> = {
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
      meta: {
        type: ['object', 'null'],
        description: "The application's own JSON object (at most 4096 bytes as JSON).",
      },
      enabled: { type: 'boolean', description: 'False issues it disabled (default true).' },
      ratelimit: {
        description: 'Rate limits: one `{ name?, limit, duration }` or a list of up to ten.',
        oneOf: [RATE_LIMIT_INPUT, { type: 'array', items: RATE_LIMIT_INPUT, minItems: 1, maxItems: 10 }],
      },
      remaining: { type: 'integer', minimum: 0, description: 'Usage credits (default unlimited).' },
      refill: {
        type: 'object',
        required: ['interval', 'amount'],
        additionalProperties: false,
        properties: { interval: DURATION, amount: { type: 'integer', minimum: 0 } },
      },
    },
  },
  UpdateRequest: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 100 },
      comment: { type: 'string', maxLength: 1000 },
      meta: {
        type: ['object', 'null'],
        description: "The application's own JSON object (at most 4096 bytes as JSON).",
      },
      enabled: { type: 'boolean' },
      grants: {
        oneOf: [{ type: 'array', items: { $ref: '#/components/schemas/Grant' } }, { type: 'null' }],
        description: 'New narrowing grants; null removes the narrowing.',
      },
      ttl: { oneOf: [DURATION, { type: 'null' }], description: 'A new lifetime from now; null: no expiry.' },
    },
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
