/**
 * RFC 7009 (Token Revocation) semantics, over real sockets, for both
 * frameworks: `POST /manage/revoke` revokes the token it is given (holding
 * a token is the right to revoke it), and answers 200 for tokens that are
 * invalid, unknown or already revoked, so it tells nothing about them; the
 * owner's `DELETE /manage/tokens/:id` is idempotent and does not reveal
 * other users' tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOB, CAROL, type Fixture, issue, makeFixture, VERIFICATION_SECRET } from './support/fixture.js';
import { bearer, call, type Reply } from './support/http.js';
import { FRAMEWORKS, type RunningServer } from './support/servers.js';

describe.each(FRAMEWORKS)('RFC 7009 with %s', (_name, start) => {
  let fixture: Fixture;
  let server: RunningServer;
  const revoke = (body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Reply> =>
    call(server.url, '/manage/revoke', { method: 'POST', headers: { 'content-type': contentType }, body });
  const me = async (token: string): Promise<number> =>
    (await call(server.url, '/api/me', { headers: bearer(token) })).status;

  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({ service: fixture.service });
  });
  afterAll(() => server.close());

  describe('§2.1 revocation request', () => {
    it('revokes the presented token and answers 200 with no body', async () => {
      const bob = await issue(fixture.service, BOB, { name: 'leaked' });
      expect(await me(bob.token)).toBe(200);
      const reply = await revoke(new URLSearchParams({ token: bob.token, token_type_hint: 'access_token' }).toString());
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('');
      expect(await me(bob.token)).toBe(401);
      const info = await fixture.service.get(bob.id, BOB);
      expect(info.status).toBe('revoked');
    });

    it('accepts a JSON body as well', async () => {
      const bob = await issue(fixture.service, BOB);
      const reply = await revoke(JSON.stringify({ token: bob.token }), 'application/json');
      expect(reply.status).toBe(200);
      expect(await me(bob.token)).toBe(401);
    });

    it('answers a missing or repeated token parameter with 400 invalid_request and an error_description', async () => {
      for (const body of ['', 'token=', 'token_type_hint=access_token', 'token=a&token=b']) {
        const reply = await revoke(body);
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ error: 'invalid_request', error_description: reply.body.message });
      }
    });

    it('RFC 6749 §3.2: ignores parameters it does not know (client credentials included), in forms and JSON', async () => {
      const extras = { client_id: 'some-client', client_secret: 'whatever', resource: 'https://api.example.com' };
      const bob = await issue(fixture.service, BOB);
      const reply = await revoke(`${new URLSearchParams({ token: bob.token, ...extras })}&foo=1&foo=2`);
      expect(reply.status).toBe(200);
      expect(await me(bob.token)).toBe(401);
      const other = await issue(fixture.service, BOB);
      const asJson = await revoke(JSON.stringify({ token: other.token, ...extras, nested: [1] }), 'application/json');
      expect(asJson.status).toBe(200);
      expect(await me(other.token)).toBe(401);
    });

    it('revokes with client credentials in an HTTP Basic header, which it does not need', async () => {
      const bob = await issue(fixture.service, BOB);
      const reply = await call(server.url, '/manage/revoke', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${btoa('some-client:some-secret')}`,
        },
        body: new URLSearchParams({ token: bob.token }).toString(),
      });
      expect(reply.status).toBe(200);
      expect(await me(bob.token)).toBe(401);
    });
  });

  describe('§2.2 invalid tokens do not cause an error', () => {
    it.each([
      ['garbage', async () => 'not-a-token'],
      ['a well-formed token never issued', async () => (await issue(makeFixture().service, BOB)).token],
      [
        'an already revoked token',
        async (f: Fixture) => {
          const t = await issue(f.service, BOB);
          await f.service.revoke(t.id, BOB);
          return t.token;
        },
      ],
    ] as const)('%s → 200', async (_what, make) => {
      const token = await make(fixture);
      const reply = await revoke(new URLSearchParams({ token }).toString());
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('');
    });

    it('an expired token → 200', async () => {
      const t = await issue(fixture.service, BOB, { ttl: '1h' });
      fixture.advance(2 * 3_600_000);
      try {
        expect((await revoke(`token=${t.token}`)).status).toBe(200);
      } finally {
        fixture.advance(-2 * 3_600_000);
      }
    });
  });

  describe('§2.2.1 unsupported token types', () => {
    it('refuses master and verification tokens with unsupported_token_type; they keep working', async () => {
      const master = await fixture.service.ensureMasterToken(CAROL);
      const masterToken = master.created ? master.token : '';
      for (const token of [masterToken, VERIFICATION_SECRET]) {
        const reply = await revoke(new URLSearchParams({ token }).toString());
        expect(reply.status).toBe(400);
        expect(reply.body).toMatchObject({ error: 'unsupported_token_type', error_description: expect.any(String) });
        expect(await me(token)).toBe(200);
      }
    });
  });

  describe('§2.2.1 server errors', () => {
    it('answers 503 with Retry-After while storage is down and revokes nothing', async () => {
      const bob = await issue(fixture.service, BOB);
      fixture.outage.down = true;
      try {
        const reply = await revoke(`token=${bob.token}`);
        expect(reply.status).toBe(503);
        expect(reply.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        expect(reply.body).toMatchObject({ error: 'unavailable', error_description: reply.body.message });
      } finally {
        fixture.outage.down = false;
      }
      expect(await me(bob.token)).toBe(200);
    });
  });

  describe('revocation by id (DELETE /manage/tokens/:id)', () => {
    it('is idempotent for the owner', async () => {
      const bob = await issue(fixture.service, BOB);
      const headers = { 'x-test-user': 'bob' };
      const first = await call(server.url, `/manage/tokens/${bob.id}`, { method: 'DELETE', headers });
      const second = await call(server.url, `/manage/tokens/${bob.id}`, { method: 'DELETE', headers });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body.status).toBe('revoked');
      expect(second.body.revokedAt).toBe(first.body.revokedAt);
    });

    it("answers another user's token exactly like a token that does not exist", async () => {
      const bob = await issue(fixture.service, BOB);
      const headers = { 'x-test-user': 'carol' };
      const others = await call(server.url, `/manage/tokens/${bob.id}`, { method: 'DELETE', headers });
      const missing = await call(server.url, '/manage/tokens/01ARZ3NDEKTSV4RRFFQ69G5FAV', {
        method: 'DELETE',
        headers,
      });
      expect(others.status).toBe(404);
      expect(others.body).toEqual(missing.body);
      expect(await me(bob.token)).toBe(200);
    });
  });
});
