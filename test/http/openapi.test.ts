/**
 * Issue 14, OpenAPI: the document is valid OpenAPI 3.1 (checked by
 * @seriousme/openapi-schema-validator), built from the route table the
 * handlers run on, served by every router at `<mount>/openapi.json`,
 * shipped up to date (`openapi.json`), and true: every operation in it is
 * called on the live server of every framework, and each answer's status
 * must be the expected one and documented, its body must match the
 * documented schema (Ajv, JSON Schema 2020-12) and its documented headers
 * must be there.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANAGEMENT_ROUTES } from '../../src/http/management.js';
import { type OpenApiDocument, openApiDocument } from '../../src/http/openapi-document.js';
import { operatorOpenApi } from '../../src/web/openapi.js';
import { ALICE, BOB, type Fixture, issue, makeFixture } from './support/fixture.js';
import { call, type Reply } from './support/http.js';
import { answerProblems, bodyValidator, operationsOf } from './support/openapi-check.js';
import { FRAMEWORKS, type RunningServer } from './support/servers.js';

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1, as served and as shipped', async () => {
    const validator = new Validator();
    for (const document of [openApiDocument(), operatorOpenApi(), openApiDocument({ introspectionPath: '/i' })]) {
      const result = await validator.validate(document as never);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
    }
  });

  it('has one operation per route of the table the handlers run on', () => {
    const document = openApiDocument();
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    expect(operations.sort()).toEqual(MANAGEMENT_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('ships up to date: openapi.json is what `npm run openapi` writes', () => {
    const shipped = JSON.parse(readFileSync('openapi.json', 'utf8'));
    expect(shipped, 'openapi.json is out of date: run `npm run openapi`').toEqual(
      JSON.parse(JSON.stringify(operatorOpenApi())),
    );
  });

  it('refuses a mount that is not a path', () => {
    expect(() => openApiDocument({ managementPath: 'api' })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });
});

/** What the steps share: tokens and codes made along the way. */
interface Context {
  fixture: Fixture;
  own: string;
  master: string;
  admin: string;
  code: string;
  token: string;
}

interface Step {
  readonly operation: string;
  readonly status: number;
  readonly request: (ctx: Context) => {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  };
  readonly save?: (body: { token?: string; code?: string }, ctx: Context) => void;
  readonly setup?: (ctx: Context) => void | Promise<void>;
}

const AS_BOB = { 'x-test-user': 'bob' };
const AS_ALICE = { 'x-test-user': 'alice' };
const JSON_BOB = { ...AS_BOB, 'content-type': 'application/json' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const STEPS: readonly Step[] = [
  { operation: 'openApiDocument', status: 200, request: () => ({ path: '/manage/openapi.json' }) },
  {
    operation: 'issueToken',
    status: 201,
    request: () => ({ method: 'POST', path: '/manage/tokens', headers: JSON_BOB, body: '{"name":"oa"}' }),
    save: (body, ctx) => {
      ctx.token = body.token ?? '';
    },
  },
  {
    operation: 'issueToken',
    status: 409,
    request: () => ({ method: 'POST', path: '/manage/tokens', headers: JSON_BOB, body: '{"name":"oa"}' }),
  },
  {
    operation: 'issueToken',
    status: 400,
    request: () => ({ method: 'POST', path: '/manage/tokens', headers: JSON_BOB, body: '{"nmae":"x"}' }),
  },
  {
    operation: 'issueToken',
    status: 401,
    request: () => ({
      method: 'POST',
      path: '/manage/tokens',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }),
  },
  {
    operation: 'issueToken',
    status: 403,
    request: () => ({ method: 'POST', path: '/manage/tokens', headers: JSON_BOB, body: '{"owner":"carol"}' }),
  },
  {
    operation: 'issueToken',
    status: 415,
    request: () => ({
      method: 'POST',
      path: '/manage/tokens',
      headers: { ...AS_BOB, 'content-type': 'text/plain' },
      body: 'x',
    }),
  },
  {
    operation: 'issueToken',
    status: 413,
    request: () => ({
      method: 'POST',
      path: '/manage/tokens',
      headers: JSON_BOB,
      body: JSON.stringify({ comment: 'x'.repeat(70_000) }),
    }),
  },
  { operation: 'listTokens', status: 200, request: () => ({ path: '/manage/tokens?limit=2', headers: AS_BOB }) },
  { operation: 'listTokens', status: 403, request: () => ({ path: '/manage/tokens?all=true', headers: AS_BOB }) },
  {
    operation: 'listTokens',
    status: 503,
    setup: (ctx) => {
      ctx.fixture.outage.down = true;
    },
    request: () => ({ path: '/manage/tokens', headers: AS_BOB }),
    save: (_body, ctx) => {
      ctx.fixture.outage.down = false;
    },
  },
  { operation: 'getToken', status: 200, request: (ctx) => ({ path: `/manage/tokens/${ctx.own}`, headers: AS_BOB }) },
  {
    operation: 'getToken',
    status: 404,
    request: (ctx) => ({ path: `/manage/tokens/${ctx.own}`, headers: { 'x-test-user': 'carol' } }),
  },
  {
    operation: 'updateToken',
    status: 200,
    request: (ctx) => ({
      method: 'PATCH',
      path: `/manage/tokens/${ctx.own}`,
      headers: JSON_BOB,
      body: '{"comment":"c","meta":{"plan":"pro"}}',
    }),
  },
  {
    operation: 'disableToken',
    status: 200,
    request: (ctx) => ({ method: 'POST', path: `/manage/tokens/${ctx.own}/disable`, headers: AS_BOB }),
  },
  {
    operation: 'enableToken',
    status: 200,
    request: (ctx) => ({ method: 'POST', path: `/manage/tokens/${ctx.own}/enable`, headers: AS_BOB }),
  },
  {
    operation: 'listTokens',
    status: 200,
    request: () => ({ path: '/manage/tokens?expiringWithin=60d', headers: AS_BOB }),
  },
  {
    operation: 'listTokenEvents',
    status: 200,
    request: (ctx) => ({ path: `/manage/tokens/${ctx.own}/events`, headers: AS_BOB }),
  },
  {
    operation: 'shareToken',
    status: 201,
    request: (ctx) => ({
      method: 'POST',
      path: `/manage/tokens/${ctx.own}/share`,
      headers: JSON_BOB,
      body: '{"ttl":"1h"}',
    }),
    save: (body, ctx) => {
      ctx.code = body.code ?? '';
    },
  },
  {
    operation: 'claimToken',
    status: 200,
    request: (ctx) => ({ method: 'POST', path: '/manage/claims', headers: FORM, body: `code=${ctx.code}` }),
  },
  {
    operation: 'claimToken',
    status: 404,
    request: (ctx) => ({ method: 'POST', path: '/manage/claims', headers: FORM, body: `code=${ctx.code}` }),
  },
  {
    operation: 'rotateToken',
    status: 200,
    request: (ctx) => ({ method: 'POST', path: `/manage/tokens/${ctx.own}/rotate`, headers: AS_BOB }),
  },
  {
    operation: 'revokeToken',
    status: 403,
    request: (ctx) => ({ method: 'DELETE', path: `/manage/tokens/${ctx.master}`, headers: AS_BOB }),
  },
  {
    operation: 'revokeToken',
    status: 200,
    request: (ctx) => ({ method: 'DELETE', path: `/manage/tokens/${ctx.own}`, headers: AS_BOB }),
  },
  {
    operation: 'rotateToken',
    status: 409,
    request: (ctx) => ({ method: 'POST', path: `/manage/tokens/${ctx.own}/rotate`, headers: AS_BOB }),
  },
  {
    operation: 'revokeByToken',
    status: 200,
    request: (ctx) => ({ method: 'POST', path: '/manage/revoke', headers: FORM, body: `token=${ctx.token}` }),
  },
  {
    operation: 'revokeByToken',
    status: 400,
    request: () => ({ method: 'POST', path: '/manage/revoke', headers: FORM, body: 'token_type_hint=x' }),
  },
  {
    operation: 'revokeAllForUser',
    status: 200,
    request: () => ({ method: 'POST', path: '/manage/users/bob/revoke-all', headers: AS_BOB }),
  },
  {
    operation: 'explainUserPolicy',
    status: 200,
    request: () => ({ path: '/manage/policies/users/bob', headers: AS_ALICE }),
  },
  {
    operation: 'setUserPolicy',
    status: 204,
    request: () => ({
      method: 'PUT',
      path: '/manage/policies/users/bob',
      headers: { ...AS_ALICE, 'content-type': 'application/json' },
      body: '{"maxTtl":"30d"}',
    }),
  },
  {
    operation: 'setUserPolicy',
    status: 403,
    request: () => ({ method: 'PUT', path: '/manage/policies/users/bob', headers: JSON_BOB, body: '{"maxTtl":"30d"}' }),
  },
  {
    operation: 'issueToken',
    status: 422,
    request: () => ({ method: 'POST', path: '/manage/tokens', headers: JSON_BOB, body: '{"ttl":"60d"}' }),
  },
  {
    operation: 'setRolePolicy',
    status: 204,
    request: () => ({
      method: 'PUT',
      path: '/manage/policies/roles/ops',
      headers: { ...AS_ALICE, 'content-type': 'application/json' },
      body: '{"maxTtl":null}',
    }),
  },
  {
    operation: 'introspectToken',
    status: 200,
    request: (ctx) => ({
      method: 'POST',
      path: '/oauth/introspect',
      headers: { ...FORM, authorization: `Bearer ${ctx.admin}` },
      body: `token=${ctx.master}x`,
    }),
  },
  {
    operation: 'introspectToken',
    status: 401,
    request: () => ({ method: 'POST', path: '/oauth/introspect', headers: FORM, body: 'token=x' }),
  },
];

describe.each(FRAMEWORKS)('every operation of the document, called on the %s server', (_name, start) => {
  let server: RunningServer;
  let served: OpenApiDocument;
  const ctx = {} as Context;
  beforeAll(async () => {
    ctx.fixture = makeFixture();
    server = await start({ service: ctx.fixture.service });
    ctx.own = (await issue(ctx.fixture.service, BOB, { name: 'openapi-own' })).id;
    const master = await ctx.fixture.service.ensureMasterToken(BOB);
    ctx.master = master.info.id;
    ctx.admin = (await issue(ctx.fixture.service, ALICE, { type: 'administrative', name: 'oa-admin' })).token;
    const reply = await call(server.url, '/manage/openapi.json');
    served = reply.body;
  });
  afterAll(() => server.close());

  it('serves the document with its mount point as the server', () => {
    expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument({ servers: [{ url: '/manage' }] }))));
  });

  it('answers every operation as documented: status, body schema, headers', async () => {
    const document = openApiDocument({ servers: [{ url: '/manage' }], introspectionPath: '/oauth/introspect' });
    const validate = bodyValidator(document);
    const operations = operationsOf(document);
    const succeeded = new Set<string>();
    for (const step of STEPS) {
      await step.setup?.(ctx);
      const { method = 'GET', path, headers = {}, body } = step.request(ctx);
      const reply: Reply = await call(server.url, path, { method, headers, ...(body === undefined ? {} : { body }) });
      step.save?.(reply.body, ctx);
      const where = `${step.operation} → ${reply.status}`;
      expect(reply.status, where).toBe(step.status);
      expect(answerProblems(operations.get(step.operation), reply, validate), where).toEqual([]);
      if (reply.status < 300) succeeded.add(step.operation);
    }
    expect([...operations.keys()].filter((id) => !succeeded.has(id))).toEqual([]);
  });
});
