/**
 * RFC 7662 (OAuth 2.0 Token Introspection), over real sockets, for both
 * frameworks: a protected POST endpoint taking a form-encoded `token`, that
 * answers `{ "active": false }` and nothing else for anything not live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  BOB,
  CAROL,
  type Fixture,
  GINA,
  issue,
  makeFixture,
  REALM,
  VERIFICATION_SECRET,
} from './support/fixture.js';
import { bearer, call, type Reply } from './support/http.js';
import { FRAMEWORKS, type RunningServer } from './support/servers.js';

function form(fields: Record<string, string> | string, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
  };
}

describe.each(FRAMEWORKS)('RFC 7662 with %s', (_name, start) => {
  let fixture: Fixture;
  let server: RunningServer;
  let admin: string;
  const introspect = (token: string, caller = admin): Promise<Reply> =>
    call(server.url, '/oauth/introspect', form({ token }, bearer(caller)));

  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({ service: fixture.service });
    admin = (await issue(fixture.service, ALICE, { type: 'administrative', name: 'introspector' })).token;
  });
  afterAll(() => server.close());

  describe('§2.1 the endpoint is protected', () => {
    it('asks for credentials without any: a bearer token, and client credentials where clients are registered', async () => {
      const bearerOnly = await call(server.url, '/oauth/introspect-bearer-only', form({ token: 'x' }));
      expect(bearerOnly.status).toBe(401);
      expect(bearerOnly.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
      const withClients = await call(server.url, '/oauth/introspect', form({ token: 'x' }));
      expect(withClients.status).toBe(401);
      expect(withClients.body.error).toBe('invalid_client');
      expect(withClients.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", Basic realm="${REALM}"`);
    });

    it('refuses a bad caller token', async () => {
      const reply = await call(server.url, '/oauth/introspect', form({ token: 'x' }, bearer('acme_a_junk')));
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", error="invalid_token"`);
    });

    it('§2.3: refuses personal tokens as callers with 401 (not 403), telling them nothing', async () => {
      const bob = await issue(fixture.service, BOB);
      for (const path of ['/oauth/introspect', '/oauth/introspect-bearer-only']) {
        const reply = await call(server.url, path, form({ token: bob.token }, bearer(bob.token)));
        expect(reply.status).toBe(401);
        expect(reply.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", error="invalid_token"`);
        expect(reply.body).toMatchObject({ error: 'insufficient_scope', error_description: expect.any(String) });
        expect(reply.body).not.toHaveProperty('active');
      }
    });

    it('accepts the static verification token as a caller, for every tenant', async () => {
      const bob = await issue(fixture.service, BOB);
      const gina = await issue(fixture.service, GINA);
      expect((await introspect(bob.token, VERIFICATION_SECRET)).body).toMatchObject({ active: true, tenant: 'acme' });
      expect((await introspect(gina.token, VERIFICATION_SECRET)).body).toMatchObject({
        active: true,
        tenant: 'globex',
      });
      // An administrative token sees its own tenant only.
      expect((await introspect(gina.token)).body).toEqual({ active: false });
    });
  });

  describe('§2.2 active tokens', () => {
    it('describes a live personal token', async () => {
      const bob = await issue(fixture.service, BOB, { name: 'described', ttl: '30d' });
      const info = await fixture.service.get(bob.id, BOB);
      const reply = await introspect(bob.token);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
      expect(reply.body).toEqual({
        active: true,
        token_type: 'Bearer',
        jti: bob.id,
        iss: 'https://auth.tokenward.test/tenants/acme',
        sub: 'bob',
        exp: Math.floor(info.expiresAt!.getTime() / 1000),
        scope: 'bucket:in.c-csv-import:read',
        tenant: 'acme',
        type: 'personal',
        name: 'described',
        grants: [{ bucket: 'in.c-csv-import', access: 'read' }],
        owner_is_admin: false,
      });
    });

    it('lists in scope every need the token allows: write implies read, each component action', async () => {
      const carol = await issue(fixture.service, CAROL);
      const reply = await introspect(carol.token);
      expect(reply.body.scope.split(' ')).toEqual([
        'bucket:in.c-csv-import:read',
        'bucket:in.c-csv-import:write',
        'component:keboola.ex-db-mysql:run',
        'scope:checkup_report_create',
      ]);
    });

    it('names full access with the one token "all", and gives administrative tokens no sub', async () => {
      const other = await issue(fixture.service, ALICE, { type: 'administrative', name: 'other-admin' });
      const described = await introspect(other.token);
      expect(described.body).toMatchObject({ active: true, scope: 'all', type: 'administrative', grants: 'all' });
      expect(described.body).not.toHaveProperty('sub');
    });

    it('leaves scope out for a token that allows nothing (RFC 6749 §3.3 has no empty scope)', async () => {
      const master = await fixture.service.ensureMasterToken(BOB);
      const nothing = await fixture.service.issue(
        { type: 'limited', name: 'no-grants' },
        { principal: await fixture.service.verify(master.created ? master.token : '') },
      );
      const reply = await introspect(nothing.token);
      expect(reply.body).toMatchObject({ active: true, type: 'limited', grants: [] });
      expect(reply.body).not.toHaveProperty('scope');
    });

    it('names one issuer per tenant, so iss and sub together name one user', async () => {
      const acmeBob = await issue(fixture.service, BOB);
      const globexGina = await issue(fixture.service, GINA);
      const [first, second] = await Promise.all([
        introspect(acmeBob.token, VERIFICATION_SECRET),
        introspect(globexGina.token, VERIFICATION_SECRET),
      ]);
      expect(first.body.iss).toBe('https://auth.tokenward.test/tenants/acme');
      expect(second.body.iss).toBe('https://auth.tokenward.test/tenants/globex');
      const byDefault = await call(
        server.url,
        '/oauth/introspect-bearer-only',
        form({ token: acmeBob.token }, bearer(VERIFICATION_SECRET)),
      );
      expect(byDefault.body).toMatchObject({ iss: 'urn:tokenward:tenant:acme', sub: 'bob' });
    });

    it('accepts a JSON body too, and ignores token_type_hint', async () => {
      const bob = await issue(fixture.service, BOB);
      const reply = await call(server.url, '/oauth/introspect', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(admin) },
        body: JSON.stringify({ token: bob.token, token_type_hint: 'access_token' }),
      });
      expect(reply.body.active).toBe(true);
    });
  });

  describe('§2.2 anything else is { "active": false } and nothing more', () => {
    it.each([
      ['garbage', async () => 'not a token at all'],
      ['a well-formed token never issued', async () => (await issue(makeFixture().service, BOB)).token],
      [
        'a revoked token',
        async (f: Fixture) => {
          const t = await issue(f.service, BOB);
          await f.service.revoke(t.id, BOB);
          return t.token;
        },
      ],
      ['a token of another tenant', async (f: Fixture) => (await issue(f.service, GINA)).token],
      ['the static verification token', async () => VERIFICATION_SECRET],
    ] as const)('%s', async (_what, make) => {
      const token = await make(fixture);
      const reply = await introspect(token);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ active: false });
    });

    it('an expired token', async () => {
      const t = await issue(fixture.service, BOB, { ttl: '1h' });
      fixture.advance(2 * 3_600_000);
      try {
        expect((await introspect(t.token)).body).toEqual({ active: false });
      } finally {
        fixture.advance(-2 * 3_600_000);
      }
    });
  });

  describe('§2.3 errors', () => {
    it('answers a missing or repeated token parameter with 400 invalid_request and an error_description', async () => {
      for (const body of ['', 'token=', 'token_type_hint=access_token', 'token=a&token=b']) {
        const reply = await call(server.url, '/oauth/introspect', form(body, bearer(admin)));
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
        expect(reply.body.error_description).toBe(reply.body.message);
      }
    });

    it('§2.1 / RFC 6749 §3.2: ignores parameters it does not know, in forms and in JSON', async () => {
      const bob = await issue(fixture.service, BOB);
      const extras = { client_id: 'some-client', resource: 'https://api.example.com', foo: 'a', Weird: 'x' };
      const reply = await call(
        server.url,
        '/oauth/introspect',
        form(`${new URLSearchParams({ token: bob.token, ...extras })}&foo=b`, bearer(admin)),
      );
      expect(reply.status).toBe(200);
      expect(reply.body.active).toBe(true);
      const asJson = await call(server.url, '/oauth/introspect', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(admin) },
        body: JSON.stringify({ token: bob.token, ...extras, nested: { a: 1 } }),
      });
      expect(asJson.body.active).toBe(true);
    });

    it('answers a storage outage with 503 and Retry-After, never with active: false', async () => {
      const bob = await issue(fixture.service, BOB);
      // The caller is a verification token (checked without storage), so the outage hits the introspected token.
      fixture.outage.down = true;
      try {
        const reply = await introspect(bob.token, VERIFICATION_SECRET);
        expect(reply.status).toBe(503);
        expect(reply.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        expect(reply.body).toMatchObject({ error: 'unavailable', error_description: reply.body.message });
      } finally {
        fixture.outage.down = false;
      }
    });
  });
});
