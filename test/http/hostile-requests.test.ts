/**
 * One table of hostile requests, sent byte for byte over real sockets to the
 * Express and the Fastify app, which must answer every row identically
 * (issue 8, findings 3, 4 and 5):
 *
 * - what another site's page can make a signed-in browser send (HTML forms,
 *   `text/plain` and multipart bodies, body-less `no-cors` POSTs and
 *   beacons): refused with 415 before anything is written;
 * - JSON bodies that are not one unambiguous object (`null`, scalars,
 *   arrays, repeated member names however escaped, bytes that are not
 *   UTF-8, compressed or non-UTF-8 bodies): refused, nothing written;
 * - `access_token` query parameters whose name is percent-encoded: seen
 *   exactly like the plain name.
 *
 * Rows marked `writes: false` also check that the user's tokens, the
 * row's token and bob's policy are exactly as before the request.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_POST, NO_CORS_POST, PROXY_ADDED } from './support/browser.js';
import { ALICE, BOB, type Fixture, issue, makeFixture, REALM } from './support/fixture.js';
import { header, rawRequest } from './support/raw.js';
import { FRAMEWORKS, type RunningServer } from './support/servers.js';

/** What a row's request may refer to: a fresh token of bob's, and helpers made for the row. */
interface RowContext {
  readonly id: string;
  readonly token: string;
  readonly adminToken: string;
  readonly shareCode: string;
}

interface RowRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

interface Row {
  readonly name: string;
  readonly request: (ctx: RowContext) => RowRequest;
  readonly status: number;
  readonly error?: string;
  readonly field?: string;
  /** The `Accept` header of a 415. */
  readonly accept?: string;
  /** The `error` attribute of the `WWW-Authenticate` challenge. */
  readonly challenge?: string;
  /** False: the request must change nothing. */
  readonly writes: boolean;
}

const FORM = { ...FORM_POST, 'content-type': 'application/x-www-form-urlencoded' };
const AS_BOB = { 'x-test-user': 'bob' };
const JSON_TYPE = { 'content-type': 'application/json' };
const JSON_ACCEPT = 'application/json';
const FORM_ACCEPT = 'application/json, application/x-www-form-urlencoded';

function refusedType(name: string, request: Row['request'], accept = JSON_ACCEPT): Row {
  return { name, request, status: 415, error: 'invalid_request', field: 'content-type', accept, writes: false };
}

function badJson(name: string, request: Row['request'], field = 'body'): Row {
  return { name, request, status: 400, error: 'invalid_request', field, writes: false };
}

const post = (path: string, headers: Record<string, string>, body?: string | Buffer): RowRequest => ({
  method: 'POST',
  path,
  headers,
  ...(body === undefined ? {} : { body }),
});

const AS_ALICE = { 'x-test-user': 'alice' };
const put = (path: string, body: string): RowRequest => ({
  method: 'PUT',
  path,
  headers: { ...AS_ALICE, 'content-type': 'application/json' },
  body,
});

const ROWS: readonly Row[] = [
  // Finding 3: what a cross-site page can send.
  refusedType('a form post creating a token', () => post('/manage/tokens', FORM, 'name=from-a-form&ttl=100y')),
  refusedType('a form PATCH of a comment', (c) => ({
    method: 'PATCH',
    path: `/manage/tokens/${c.id}`,
    headers: FORM,
    body: 'comment=pwned',
  })),
  refusedType('a text/plain form whose body looks like JSON', () =>
    post('/manage/tokens', { ...FORM_POST, 'content-type': 'text/plain' }, '{"name":"plain-form"}'),
  ),
  refusedType('a multipart form', () =>
    post(
      '/manage/tokens',
      { ...FORM_POST, 'content-type': 'multipart/form-data; boundary=xyz' },
      '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nmultipart\r\n--xyz--\r\n',
    ),
  ),
  refusedType('an empty form post rotating a token', (c) => post(`/manage/tokens/${c.id}/rotate`, FORM, '')),
  refusedType('a body-less no-cors POST rotating a token', (c) => post(`/manage/tokens/${c.id}/rotate`, NO_CORS_POST)),
  refusedType('a body-less no-cors POST sharing a token', (c) => post(`/manage/tokens/${c.id}/share`, NO_CORS_POST)),
  refusedType('a body-less no-cors POST creating a token', () => post('/manage/tokens', NO_CORS_POST)),
  refusedType('a body-less no-cors POST revoking all of a user’s tokens', () =>
    post('/manage/users/bob/revoke-all', NO_CORS_POST),
  ),
  refusedType('a body-less POST whose only extra headers are the ones proxies add', (c) =>
    post(`/manage/tokens/${c.id}/rotate`, { ...NO_CORS_POST, ...PROXY_ADDED }),
  ),
  refusedType('a body-less POST with Basic credentials the browser sends by itself', (c) =>
    post(`/manage/tokens/${c.id}/rotate`, { ...NO_CORS_POST, authorization: 'Basic Ym9iOnNlY3JldA==' }),
  ),
  refusedType('a policy set with form fields', () => ({
    method: 'PUT',
    path: '/manage/policies/users/bob',
    headers: { ...FORM, cookie: 'test_session=alice' },
    body: 'maxTtl=100y',
  })),
  refusedType('a revocation with a text/plain body', (c) => ({
    method: 'DELETE',
    path: `/manage/tokens/${c.id}`,
    headers: { ...AS_BOB, 'content-type': 'text/plain' },
    body: '{}',
  })),
  refusedType(
    'a claim with a text/plain body',
    (c) => post('/manage/claims', { 'content-type': 'text/plain' }, `{"code":"${c.shareCode}"}`),
    FORM_ACCEPT,
  ),
  refusedType('a body with no Content-Type', () => post('/manage/tokens', AS_BOB, '{"name":"untyped"}')),
  {
    ...refusedType('a gzip-compressed JSON body', () =>
      post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE, 'content-encoding': 'gzip' }, gzipSync('{"name":"zipped"}')),
    ),
    field: 'content-encoding',
  },
  refusedType('JSON in another charset', () =>
    post('/manage/tokens', { ...AS_BOB, 'content-type': 'application/json; charset=iso-8859-1' }, '{"name":"latin"}'),
  ),
  {
    name: 'a body-less POST with Content-Type: application/json',
    request: (c) => post(`/manage/tokens/${c.id}/rotate`, { ...NO_CORS_POST, ...JSON_TYPE }, ''),
    status: 200,
    writes: true,
  },
  {
    name: 'a body-less POST with X-Requested-With, which needs a preflight',
    request: (c) => post(`/manage/tokens/${c.id}/rotate`, { ...NO_CORS_POST, 'x-requested-with': 'XMLHttpRequest' }),
    status: 200,
    writes: true,
  },
  {
    name: 'a body-less POST authenticated by a bearer token',
    request: (c) => post(`/manage/tokens/${c.id}/rotate`, { authorization: `Bearer ${c.token}` }),
    status: 200,
    writes: true,
  },
  {
    name: 'a claim with form fields (the code is the credential)',
    request: (c) =>
      post('/manage/claims', { 'content-type': 'application/x-www-form-urlencoded' }, `code=${c.shareCode}`),
    status: 200,
    writes: true,
  },
  {
    name: 'an RFC 7009 revocation with form fields',
    request: (c) => post('/manage/revoke', { 'content-type': 'application/x-www-form-urlencoded' }, `token=${c.token}`),
    status: 200,
    writes: true,
  },

  // Finding 5: JSON that is not one unambiguous object.
  badJson('a JSON null body', () => post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, 'null')),
  badJson('a JSON number body', () => post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, '42')),
  badJson('a JSON string body', () => post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, '"name"')),
  badJson('a JSON boolean body', () => post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, 'true')),
  badJson('a JSON array body', () => post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, '[{"name":"x"}]')),
  badJson('a JSON null to PATCH', (c) => ({
    method: 'PATCH',
    path: `/manage/tokens/${c.id}`,
    headers: { ...AS_BOB, ...JSON_TYPE },
    body: 'null',
  })),
  badJson(
    'a repeated member name',
    () => post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, '{"name":"a","ttl":"1d","name":"b"}'),
    'name',
  ),
  badJson(
    'a repeated member name written with an escape',
    () => post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, '{"name":"a","n\\u0061me":"b"}'),
    'name',
  ),
  badJson(
    'a repeated member name inside a grant',
    () =>
      post(
        '/manage/tokens',
        { ...AS_BOB, ...JSON_TYPE },
        '{"grants":[{"bucket":"in.c-csv-import","access":"read","access":"write"}]}',
      ),
    'grants[0].access',
  ),
  badJson('a repeated member name that cannot be named', () =>
    post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, '{"grants":[{"scope":"s","\u00e9":1,"\u00e9":2}]}'),
  ),
  badJson(
    'a repeated comment',
    (c) => ({
      method: 'PATCH',
      path: `/manage/tokens/${c.id}`,
      headers: { ...AS_BOB, ...JSON_TYPE },
      body: '{"comment":"a","comment":"b"}',
    }),
    'comment',
  ),
  badJson(
    'a repeated grace period',
    (c) =>
      post(`/manage/tokens/${c.id}/rotate`, { ...AS_BOB, ...JSON_TYPE }, '{"gracePeriod":"1h","gracePeriod":"1s"}'),
    'gracePeriod',
  ),
  badJson(
    'a repeated claim code',
    (c) => post('/manage/claims', JSON_TYPE, `{"code":"${c.shareCode}","code":"${c.shareCode}"}`),
    'code',
  ),
  badJson(
    'a repeated maxTtl',
    () => ({
      method: 'PUT',
      path: '/manage/policies/users/bob',
      headers: { 'x-test-user': 'alice', ...JSON_TYPE },
      body: '{"maxTtl":"1h","maxTtl":null}',
    }),
    'maxTtl',
  ),
  badJson('bytes that are not UTF-8', () =>
    post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, Buffer.from([...Buffer.from('{"name":"'), 0xff, 0x22, 0x7d])),
  ),
  badJson('bad JSON', () => post('/manage/tokens', { ...AS_BOB, ...JSON_TYPE }, '{"name": ')),
  badJson(
    'a repeated token in an introspection request',
    (c) =>
      post(
        '/oauth/introspect',
        { authorization: `Bearer ${c.adminToken}`, ...JSON_TYPE },
        `{"token":"${c.token}","token":"x"}`,
      ),
    'token',
  ),

  ...['null', 'not json', '{"a":1,"a":2}'].map(
    (body): Row => ({
      name: `a GET with the body ${body}, which is never read`,
      request: () => ({
        method: 'GET',
        path: '/manage/tokens',
        headers: { ...AS_BOB, 'content-type': 'text/html' },
        body,
      }),
      status: 200,
      writes: false,
    }),
  ),

  // Finding 4: a percent-encoded access_token name is the same parameter.
  ...['access%5Ftoken', 'access%5ftoken', '%61ccess_token', 'access_tok%65n'].flatMap((name): Row[] => [
    {
      name: `?${name}= alone, with query tokens off`,
      request: (c) => ({ method: 'GET', path: `/api/me?${name}=${c.token}`, headers: {} }),
      status: 400,
      error: 'invalid_request',
      challenge: 'invalid_request',
      writes: false,
    },
    {
      name: `?${name}= beside the same token in the Authorization header`,
      request: (c) => ({
        method: 'GET',
        path: `/api/me?${name}=${c.token}`,
        headers: { authorization: `Bearer ${c.token}` },
      }),
      status: 400,
      error: 'invalid_request',
      challenge: 'invalid_request',
      writes: false,
    },
    {
      name: `?${name}= with query tokens on`,
      request: (c) => ({ method: 'GET', path: `/query/me?${name}=${c.token}`, headers: {} }),
      status: 200,
      writes: false,
    },
  ]),
  {
    name: '?access%5Ftoken= and ?access_tok%65n= together, with query tokens on',
    request: (c) => ({
      method: 'GET',
      path: `/query/me?access%5Ftoken=${c.token}&access_tok%65n=${c.token}`,
      headers: {},
    }),
    status: 400,
    error: 'invalid_request',
    challenge: 'invalid_request',
    writes: false,
  },

  // The review of the edges: management routes without token authentication mounted (the default
  // actor) answer 401 token_missing, never 403; errors name the field as sent, not the service's.
  {
    name: 'management routes with no token authentication mounted, no credentials',
    request: () => ({ method: 'GET', path: '/bare/tokens', headers: {} }),
    status: 401,
    error: 'token_missing',
    writes: false,
  },
  {
    name: 'management routes with no token authentication mounted, a bearer token',
    request: (c) => ({ method: 'GET', path: '/bare/tokens', headers: { authorization: `Bearer ${c.token}` } }),
    status: 401,
    error: 'token_missing',
    writes: false,
  },
  badJson(
    'a policy maxTtl that overflows',
    () => put('/manage/policies/users/bob', '{"maxTtl":"9999999999999999999999y"}'),
    'maxTtl',
  ),
  badJson(
    'a bad percent-encoding in a token id',
    () => ({ method: 'GET', path: '/manage/tokens/%E0%A4%A', headers: AS_BOB }),
    'id',
  ),
  badJson(
    'a bad percent-encoding in a token id, on a write',
    () => ({
      method: 'PATCH',
      path: '/manage/tokens/%FF',
      headers: { ...AS_BOB, ...JSON_TYPE },
      body: '{"comment":"x"}',
    }),
    'id',
  ),
  badJson(
    'a bad percent-encoding in a policy name',
    () => put('/manage/policies/users/%E0%A4%A', '{"maxTtl":"1d"}'),
    'name',
  ),
  badJson(
    'a policy maxTtl that is no duration',
    () => put('/manage/policies/users/bob', '{"maxTtl":"soon"}'),
    'maxTtl',
  ),
  badJson(
    'a policy for a user name that is not one',
    () => put('/manage/policies/users/a%20b', '{"maxTtl":"1d"}'),
    'name',
  ),
  badJson(
    'a policy for a role name that is not one',
    () => put('/manage/policies/roles/%E2%80%AEx', '{"maxTtl":"1d"}'),
    'name',
  ),
];

function rawHttp(request: RowRequest): Buffer {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const lines = [`${request.method} ${request.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body ?? Buffer.alloc(0)]);
}

async function rowContext(fixture: Fixture, index: number): Promise<RowContext> {
  const own = await issue(fixture.service, BOB, { name: `row-${index}`, comment: 'as issued' });
  const admin = await issue(fixture.service, ALICE, { type: 'administrative', name: `introspector-${index}` });
  const shareCode = (await fixture.service.share(own.id, BOB)).code;
  return { id: own.id, token: own.token, adminToken: admin.token, shareCode };
}

/** Everything a refused row could have changed. */
async function snapshot(fixture: Fixture, ctx: RowContext): Promise<unknown> {
  const page = await fixture.service.list({ hideExpired: false, hideRevoked: false, limit: 1000 }, BOB);
  const principal = await fixture.service.verify(ctx.token);
  return {
    tokens: page.items.map((item) => [item.id, item.name, item.comment, item.status, item.expiresAt]),
    principal: principal.tokenId,
    policy: await fixture.service.explainMaxTtl(BOB),
  };
}

describe.each(FRAMEWORKS)('%s answers every hostile request of the table alike', (_name, start) => {
  let fixture: Fixture;
  let server: RunningServer;
  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({ service: fixture.service });
  });
  afterAll(() => server.close());

  it.each(ROWS.map((row, index) => [row.name, row, index] as const))('%s', async (_label, row, index) => {
    const ctx = await rowContext(fixture, index);
    const before = row.writes ? undefined : await snapshot(fixture, ctx);
    const reply = await rawRequest(server.url, rawHttp(row.request(ctx)));
    const body = reply.body === '' ? undefined : JSON.parse(reply.body);
    expect({ status: reply.status, error: body?.error, field: body?.field }).toEqual({
      status: row.status,
      error: row.error,
      field: row.field,
    });
    if (row.accept !== undefined) expect(header(reply, 'accept')).toBe(row.accept);
    if (row.challenge !== undefined) {
      expect(header(reply, 'www-authenticate')).toBe(`Bearer realm="${REALM}", error="${row.challenge}"`);
    }
    if (row.status === 200 && row.request(ctx).path.startsWith('/query/')) expect(body.tokenId).toBe(ctx.id);
    if (!row.writes) expect(await snapshot(fixture, ctx)).toEqual(before);
  });
});
