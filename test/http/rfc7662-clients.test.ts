/**
 * Client authentication at the RFC 7662 endpoint (RFC 6749 §2.3, RFC 7523
 * §2.2), with raw requests over real sockets on both frameworks: every way
 * a client credential can fail answers the same 401 `invalid_client`; two
 * methods at once are `invalid_request`; an assertion is accepted once.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntrospectionClient } from '../../src/http/introspection.js';
import { ACME_CLIENT_SECRET, AS_ISSUER, CLIENT_KEYS, CLIENT_SECRET } from './support/clients.js';
import { ALICE, BOB, type Fixture, GINA, issue, makeFixture, REALM } from './support/fixture.js';
import { bearer, call, type Reply } from './support/http.js';
import { header, rawRequest } from './support/raw.js';
import { FRAMEWORKS, type RunningServer } from './support/servers.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 6749 §2.3.1: both parts form-urlencoded, then joined and base64-encoded. */
function basic(id: string, secret: string): Record<string, string> {
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
  return { authorization: `Basic ${btoa(`${encode(id)}:${encode(secret)}`)}` };
}

interface AssertionShape {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string;
  readonly lifetime?: number;
  readonly jti?: string | null;
}

/** A `client_secret_jwt` assertion (HS256), shaped as the test asks. */
function secretAssertion(secret: string, shape: AssertionShape = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(shape.iss ?? 'resource-server')
    .setSubject(shape.sub ?? 'resource-server')
    .setAudience(shape.aud ?? AS_ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + (shape.lifetime ?? 60));
  if (shape.jti !== null) jwt.setJti(shape.jti ?? crypto.randomUUID());
  return jwt.sign(new TextEncoder().encode(secret));
}

describe.each(FRAMEWORKS)('RFC 7662 client authentication with %s', (_name, start) => {
  let fixture: Fixture;
  let server: RunningServer;
  let bobToken: string;
  const introspect = (body: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> =>
    call(server.url, '/oauth/introspect', {
      method: 'POST',
      headers: { ...FORM, ...headers },
      body: new URLSearchParams(body).toString(),
    });
  const expectInvalidClient = (reply: Reply): void => {
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", Basic realm="${REALM}"`);
    expect(reply.body).toEqual({
      error: 'invalid_client',
      message: 'client authentication failed',
      error_description: 'client authentication failed',
    });
  };

  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({ service: fixture.service });
    bobToken = (await issue(fixture.service, BOB)).token;
  });
  afterAll(() => server.close());

  it('accepts form-urlencoded Basic credentials', async () => {
    const reply = await introspect({ token: bobToken }, basic('resource-server', CLIENT_SECRET));
    expect(reply.body).toMatchObject({ active: true, sub: 'bob' });
  });

  it.each([
    ['an unknown client', () => basic('nobody', CLIENT_SECRET)],
    ['a wrong secret', () => basic('resource-server', `${CLIENT_SECRET}x`)],
    ["another client's secret", () => basic('resource-server', ACME_CLIENT_SECRET)],
    ['a client with keys only', () => basic('keyed-client', CLIENT_SECRET)],
    ['a value that is not base64', () => ({ authorization: 'Basic !!!' })],
    ['base64 without a colon', () => ({ authorization: `Basic ${btoa('resource-server')}` })],
    ['a bad percent-escape', () => ({ authorization: `Basic ${btoa('resource-server:%zz')}` })],
    ['no credentials after the scheme', () => ({ authorization: 'Basic' })],
  ])('refuses %s in the Basic header with 401 invalid_client', async (_what, headers) => {
    expectInvalidClient(await introspect({ token: bobToken }, headers()));
  });

  it.each([
    ['no credentials at all', {}],
    ['a bare client_id (a public client)', { client_id: 'resource-server' }],
    ['client_secret without client_id', { client_secret: CLIENT_SECRET }],
    ['a wrong client_secret', { client_id: 'resource-server', client_secret: 'x' }],
    ['an unknown assertion type', { client_assertion_type: 'urn:example:saml', client_assertion: 'x.y.z' }],
    ['an assertion that is not a JWT', { client_assertion_type: JWT_BEARER, client_assertion: 'not-a-jwt' }],
  ])('refuses %s in the body with 401 invalid_client', async (_what, fields) => {
    expectInvalidClient(await introspect({ token: bobToken, ...fields }));
  });

  it('refuses two authentication methods in one request with 400 invalid_request (RFC 6749 §2.3)', async () => {
    const admin = (await issue(fixture.service, ALICE, { type: 'administrative', name: 'two-methods' })).token;
    const assertion = await secretAssertion(CLIENT_SECRET);
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ client_id: 'resource-server', client_secret: CLIENT_SECRET }, basic('resource-server', CLIENT_SECRET)],
      [{ client_id: 'resource-server', client_secret: CLIENT_SECRET }, bearer(admin)],
      [{ client_assertion_type: JWT_BEARER, client_assertion: assertion, client_secret: CLIENT_SECRET }, {}],
    ];
    for (const [fields, headers] of cases) {
      const reply = await introspect({ token: bobToken, ...fields }, headers);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
    }
  });

  it('accepts a client_secret_jwt assertion once: a replay is refused', async () => {
    const assertion = await secretAssertion(CLIENT_SECRET);
    const fields = { token: bobToken, client_assertion_type: JWT_BEARER, client_assertion: assertion };
    expect((await introspect(fields)).body).toMatchObject({ active: true });
    expectInvalidClient(await introspect(fields));
  });

  it.each([
    ['another audience', { aud: 'https://elsewhere.example' }],
    ['iss and sub of another client', { iss: 'acme-api', sub: 'acme-api' }],
    ['iss apart from sub', { iss: 'acme-api' }],
    ['a lifetime over five minutes', { lifetime: 3600 }],
    ['an expired assertion', { lifetime: -120 }],
    ['no jti', { jti: null }],
  ] as const)('refuses an assertion with %s', async (_what, shape) => {
    const assertion = await secretAssertion(CLIENT_SECRET, shape);
    expectInvalidClient(
      await introspect({ token: bobToken, client_assertion_type: JWT_BEARER, client_assertion: assertion }),
    );
  });

  it('refuses an assertion whose client_id parameter names another client, and one signed with a wrong key', async () => {
    const assertion = await secretAssertion(CLIENT_SECRET);
    expectInvalidClient(
      await introspect({
        token: bobToken,
        client_id: 'acme-api',
        client_assertion_type: JWT_BEARER,
        client_assertion: assertion,
      }),
    );
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('resource-server')
      .setSubject('resource-server')
      .setAudience(AS_ISSUER)
      .setJti(crypto.randomUUID())
      .setExpirationTime('1m')
      .sign(CLIENT_KEYS.privateKey);
    // Signed with keyed-client's key, but claiming to be resource-server (which has no keys).
    expectInvalidClient(
      await introspect({ token: bobToken, client_assertion_type: JWT_BEARER, client_assertion: forged }),
    );
  });

  it('refuses a repeated Authorization header (Basic and Bearer) as a malformed request', async () => {
    const body = `token=${bobToken}`;
    const request = [
      'POST /oauth/introspect HTTP/1.1',
      'Host: 127.0.0.1',
      'Connection: close',
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${body.length}`,
      basic('resource-server', CLIENT_SECRET).authorization!.replace(/^/, 'Authorization: '),
      'Authorization: Bearer acme_a_junk',
      '',
      body,
    ].join('\r\n');
    const reply = await rawRequest(server.url, request);
    expect(reply.status).toBe(400);
    expect(header(reply, 'www-authenticate')).toBe(`Bearer realm="${REALM}", error="invalid_request"`);
    expect(JSON.parse(reply.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('answers a bearer-only endpoint that client credentials are not accepted there', async () => {
    const reply = await call(server.url, '/oauth/introspect-bearer-only', {
      method: 'POST',
      headers: { ...FORM, ...basic('resource-server', CLIENT_SECRET) },
      body: new URLSearchParams({ token: bobToken }).toString(),
    });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_client');
    expect(reply.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
  });
});

describe.each(FRAMEWORKS)('RFC 7662 clients found by a lookup, with %s', (_name, start) => {
  let fixture: Fixture;
  let server: RunningServer;
  const asked: string[] = [];
  const stored: Record<string, unknown> = {
    'billing-api': { id: 'billing-api', secret: CLIENT_SECRET, tenant: 'globex' },
    // A broken record: the secret is far too short. It must never authenticate anyone.
    broken: { id: 'broken', secret: 'short' },
  };

  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({
      service: fixture.service,
      introspection: {
        realm: REALM,
        clients: async (clientId) => {
          asked.push(clientId);
          return stored[clientId] as IntrospectionClient | undefined;
        },
      },
    });
  });
  afterAll(() => server.close());

  const introspect = (token: string, id: string, secret: string) =>
    call(server.url, '/oauth/introspect', {
      method: 'POST',
      headers: { ...FORM, ...basic(id, secret) },
      body: new URLSearchParams({ token }).toString(),
    });

  it('authenticates a stored client and answers about its tenant only, under the default issuer', async () => {
    const gina = await issue(fixture.service, GINA);
    const bob = await issue(fixture.service, BOB);
    expect((await introspect(gina.token, 'billing-api', CLIENT_SECRET)).body).toMatchObject({
      active: true,
      iss: 'urn:tokenward:tenant:globex',
      sub: 'gina',
    });
    expect((await introspect(bob.token, 'billing-api', CLIENT_SECRET)).body).toEqual({ active: false });
    expect(asked).toContain('billing-api');
    expect((await introspect(gina.token, 'billing-api', 'wrong')).status).toBe(401);
    expect((await introspect(gina.token, 'unknown', CLIENT_SECRET)).status).toBe(401);
  });

  it('answers 500 for a stored client the lookup returns broken, and lets nobody in', async () => {
    const gina = await issue(fixture.service, GINA);
    const reply = await introspect(gina.token, 'broken', 'short');
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ error: 'internal_error' });
    expect(reply.text).not.toContain('short');
  });
});
