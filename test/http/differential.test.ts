/**
 * Express, Fastify, the Fetch API handler and Hono answer alike, not only on
 * the rows of the hostile request table: random requests to the management
 * API (any route, content type, encoding, body and credential mix) are sent
 * byte for byte to every app, each over its own fixture in the same state,
 * and must get the same status, error code, field and `Accept` header.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, type Fixture, issue, makeFixture } from './support/fixture.js';
import { header, rawRequest } from './support/raw.js';
import { FRAMEWORKS, type RunningServer } from './support/servers.js';

const ROUTES: readonly (readonly [string, string])[] = [
  ['POST', '/manage/tokens'],
  ['GET', '/manage/tokens'],
  ['GET', '/manage/tokens/:id'],
  ['PATCH', '/manage/tokens/:id'],
  ['POST', '/manage/tokens/:id/enable'],
  ['POST', '/manage/tokens/:id/disable'],
  ['DELETE', '/manage/tokens/:id'],
  ['POST', '/manage/tokens/:id/rotate'],
  ['POST', '/manage/tokens/:id/share'],
  ['GET', '/manage/tokens/:id/events'],
  ['POST', '/manage/claims'],
  ['POST', '/manage/revoke'],
  ['POST', '/manage/users/bob/revoke-all'],
  ['PUT', '/manage/policies/users/bob'],
];

const CONTENT_TYPES = [
  undefined,
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/x-www-form-urlencoded',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/merge-patch+json',
  '',
];

const BODIES: readonly (string | Buffer | undefined)[] = [
  undefined,
  '',
  ' ',
  'null',
  '42',
  '[]',
  '{}',
  '{"name":"n"}',
  '{"name":"n","name":"m"}',
  '{"comment":"c"}',
  '{"comment":"c","c\\u006fmment":"d"}',
  '{"gracePeriod":"1h"}',
  '{"ttl":"1d"}',
  '{"enabled":false,"meta":{"a":1}}',
  '{"maxTtl":"1h"}',
  '{"maxTtl":null}',
  '{"code":"abc"}',
  'token=abc',
  'code=abc&code=def',
  'name=n',
  '{"name":',
  Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
  '\ufeff{"comment":"bom"}',
];

const EXTRA_HEADERS: Readonly<Record<string, string>> = {
  'x-test-user': 'bob',
  cookie: 'test_session=bob',
  'x-requested-with': 'XMLHttpRequest',
  authorization: 'Basic Ym9iOng=',
  'x-forwarded-for': '203.0.113.1',
  'content-encoding': 'gzip',
};

interface Sample {
  readonly route: readonly [string, string];
  readonly contentType: string | undefined;
  readonly body: string | Buffer | undefined;
  readonly headers: readonly string[];
  readonly gzip: boolean;
  readonly json: string | undefined;
}

const sample: fc.Arbitrary<Sample> = fc.record({
  route: fc.constantFrom(...ROUTES),
  contentType: fc.constantFrom(...CONTENT_TYPES),
  body: fc.constantFrom(...BODIES),
  headers: fc.subarray(Object.keys(EXTRA_HEADERS)),
  gzip: fc.boolean(),
  // Sometimes any JSON text at all, in place of the listed bodies.
  json: fc.option(fc.json({ maxDepth: 2 }), { nil: undefined }),
});

function requestBytes(s: Sample, id: string): Buffer {
  const path = s.route[1].replace(':id', id);
  let body = s.json === undefined ? s.body : s.json;
  if (body !== undefined && s.gzip && s.headers.includes('content-encoding')) body = gzipSync(body);
  const lines = [`${s.route[0]} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  if (s.contentType !== undefined) lines.push(`Content-Type: ${s.contentType}`);
  for (const name of s.headers) lines.push(`${name}: ${EXTRA_HEADERS[name]}`);
  const bytes = body === undefined ? undefined : Buffer.from(body);
  if (bytes !== undefined) lines.push(`Content-Length: ${bytes.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bytes ?? Buffer.alloc(0)]);
}

async function answer(server: RunningServer, fixture: Fixture, s: Sample, run: number): Promise<unknown> {
  const own = await issue(fixture.service, BOB, { name: `diff-${run}` });
  const reply = await rawRequest(server.url, requestBytes(s, own.id));
  let body: { error?: string; field?: string } = {};
  try {
    body = JSON.parse(reply.body);
  } catch {
    // An empty body (204, RFC 7009 200) has no error to compare.
  }
  return { status: reply.status, error: body.error, field: body.field, accept: header(reply, 'accept') };
}

describe('every framework gives the same answer to random management requests', () => {
  const apps: { fixture: Fixture; server: RunningServer }[] = [];
  beforeAll(async () => {
    for (const [, start] of FRAMEWORKS) {
      const fixture = makeFixture();
      apps.push({ fixture, server: await start({ service: fixture.service }) });
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.server.close();
  });

  it('status, error, field and Accept agree', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(sample, async (s) => {
        run++;
        const [express, ...others] = apps;
        const expected = await answer(express!.server, express!.fixture, s, run);
        for (const other of others) expect(await answer(other.server, other.fixture, s, run)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
