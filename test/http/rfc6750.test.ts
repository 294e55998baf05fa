/**
 * RFC 6750 (Bearer Token Usage) compliance, over real sockets, for both
 * frameworks: §2 where tokens may come from, §3 the WWW-Authenticate
 * challenge and its error codes, and the status code of each error.
 */
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireGrant as expressGuard, tokenAuth } from '../../src/express/index.js';
import { requireGrant as fastifyGuard, tokenward } from '../../src/fastify/index.js';
import { BOB, CAROL, type Fixture, issue, makeFixture, REALM, VERIFICATION_SECRET } from './support/fixture.js';
import { bearer, call } from './support/http.js';
import { FRAMEWORKS, ONE_LAYER_FORMS, type RunningServer } from './support/servers.js';

const CHALLENGE = `Bearer realm="${REALM}"`;
const INVALID_TOKEN = `Bearer realm="${REALM}", error="invalid_token"`;
const INVALID_REQUEST = `Bearer realm="${REALM}", error="invalid_request"`;

// The one-layer guarded routes answer the whole table as the two-layer ones do.
describe.each([...FRAMEWORKS, ...ONE_LAYER_FORMS])('RFC 6750 with %s', (_name, start) => {
  let fixture: Fixture;
  let server: RunningServer;
  let bob: { token: string; id: string };
  let carol: { token: string; id: string };

  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({ service: fixture.service });
    bob = await issue(fixture.service, BOB, { name: 'bob-reader' });
    carol = await issue(fixture.service, CAROL, { name: 'carol-writer' });
  });
  afterAll(() => server.close());

  describe('§3.1: no credentials', () => {
    it('answers 401 with a bare challenge and no error attribute', async () => {
      const reply = await call(server.url, '/api/me');
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(CHALLENGE);
      expect(reply.body).toEqual({
        error: 'token_missing',
        message: 'authentication is required',
        error_description: 'authentication is required',
      });
    });

    it('treats another authentication scheme as no bearer credentials (§3.1: unsupported method)', async () => {
      for (const value of ['Basic YWxpY2U6c2VjcmV0', `Token ${bob.token}`, 'Digest username="x"']) {
        const reply = await call(server.url, '/api/me', { headers: { authorization: value } });
        expect(reply.status).toBe(401);
        expect(reply.headers.get('www-authenticate')).toBe(CHALLENGE);
      }
    });

    it('passes in optional mode without a principal', async () => {
      const reply = await call(server.url, '/optional/whoami');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ principal: null });
    });
  });

  describe('§3.1 invalid_token: 401', () => {
    it('refuses a string that is not a token', async () => {
      const reply = await call(server.url, '/api/me', { headers: bearer('acme_p_not-a-real-token') });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(INVALID_TOKEN);
      expect(reply.body.error).toBe('token_invalid');
    });

    it('refuses a well-formed token this service never issued', async () => {
      const other = makeFixture();
      const foreign = await issue(other.service, BOB);
      const reply = await call(server.url, '/api/me', { headers: bearer(foreign.token) });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(INVALID_TOKEN);
    });

    it('refuses an expired token', async () => {
      const shortLived = await issue(fixture.service, BOB, { ttl: '1h' });
      expect((await call(server.url, '/api/me', { headers: bearer(shortLived.token) })).status).toBe(200);
      fixture.advance(2 * 3_600_000);
      try {
        const reply = await call(server.url, '/api/me', { headers: bearer(shortLived.token) });
        expect(reply.status).toBe(401);
        expect(reply.headers.get('www-authenticate')).toBe(INVALID_TOKEN);
        expect(reply.body.error).toBe('token_expired');
      } finally {
        fixture.advance(-2 * 3_600_000);
      }
    });

    it('refuses a revoked token', async () => {
      const doomed = await issue(fixture.service, BOB);
      await fixture.service.revoke(doomed.id, BOB);
      const reply = await call(server.url, '/api/me', { headers: bearer(doomed.token) });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(INVALID_TOKEN);
      expect(reply.body.error).toBe('token_revoked');
    });

    it('refuses a token of another tenant where the route names its tenant', async () => {
      const reply = await call(server.url, '/globex/me', { headers: bearer(bob.token) });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(INVALID_TOKEN);
    });

    it('still refuses a bad token in optional mode', async () => {
      const reply = await call(server.url, '/optional/whoami', { headers: bearer('acme_p_garbage') });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(INVALID_TOKEN);
    });

    it('never puts the token into the answer', async () => {
      const revoked = await issue(fixture.service, BOB);
      await fixture.service.revoke(revoked.id, BOB);
      // A one-character typo (never the character already there, or it would be the valid token).
      const typo = `${bob.token.slice(0, -1)}${bob.token.endsWith('x') ? 'y' : 'x'}`;
      for (const token of [revoked.token, typo, 'acme_p_AAAA']) {
        const reply = await call(server.url, '/api/me', { headers: bearer(token) });
        expect(reply.status).toBe(401);
        const lines: string[] = [];
        reply.headers.forEach((value, name) => {
          lines.push(`${name}: ${value}`);
        });
        const everything = `${lines.join('\n')}\n${reply.text}`;
        expect(everything).not.toContain(token);
        expect(everything).not.toContain(token.slice(-20));
      }
    });
  });

  describe('§3.1 insufficient_scope: 403 naming the scope', () => {
    it('names the bucket access that is missing', async () => {
      const reply = await call(server.url, '/api/buckets/in.c-csv-import', {
        method: 'POST',
        headers: bearer(bob.token),
      });
      expect(reply.status).toBe(403);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer realm="${REALM}", error="insufficient_scope", scope="bucket:in.c-csv-import:write"`,
      );
      expect(reply.body.error).toBe('insufficient_scope');
    });

    it('names the component action that is missing', async () => {
      const reply = await call(server.url, '/api/components/keboola.ex-db-mysql/run', {
        method: 'POST',
        headers: bearer(bob.token),
      });
      expect(reply.status).toBe(403);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer realm="${REALM}", error="insufficient_scope", scope="component:keboola.ex-db-mysql:run"`,
      );
    });

    it('names every need of a guard with several', async () => {
      const reply = await call(server.url, '/api/reports', { headers: bearer(bob.token) });
      expect(reply.status).toBe(403);
      expect(reply.headers.get('www-authenticate')).toBe(
        `Bearer realm="${REALM}", error="insufficient_scope", scope="scope:checkup_report_create bucket:in.c-csv-import:read"`,
      );
    });

    it('lets a token with the grants through (write implies read)', async () => {
      expect((await call(server.url, '/api/buckets/in.c-csv-import', { headers: bearer(bob.token) })).status).toBe(200);
      for (const [method, path, status] of [
        ['GET', '/api/buckets/in.c-csv-import', 200],
        ['POST', '/api/buckets/in.c-csv-import', 201],
        ['POST', '/api/components/keboola.ex-db-mysql/run', 200],
        ['GET', '/api/reports', 200],
      ] as const) {
        expect((await call(server.url, path, { method, headers: bearer(carol.token) })).status).toBe(status);
      }
    });

    it("narrows by the token's own grants: the owner may, the token may not", async () => {
      const narrow = await issue(fixture.service, CAROL, {
        type: 'personal',
        grants: [{ bucket: 'in.c-csv-import', access: 'read' }],
      });
      const reply = await call(server.url, '/api/buckets/in.c-csv-import', {
        method: 'POST',
        headers: bearer(narrow.token),
      });
      expect(reply.status).toBe(403);
      expect(reply.headers.get('www-authenticate')).toContain('scope="bucket:in.c-csv-import:write"');
    });
  });

  describe('§3.1 invalid_request: 400', () => {
    it('refuses "Bearer" with no token', async () => {
      const reply = await call(server.url, '/api/me', { headers: { authorization: 'Bearer' } });
      expect(reply.status).toBe(400);
      expect(reply.headers.get('www-authenticate')).toBe(INVALID_REQUEST);
      expect(reply.body.error).toBe('invalid_request');
    });

    it('refuses two different tokens in one request', async () => {
      const reply = await call(server.url, '/api/me', {
        headers: { ...bearer(bob.token), cookie: `auth_token=${carol.token}` },
      });
      expect(reply.status).toBe(400);
      expect(reply.headers.get('www-authenticate')).toBe(INVALID_REQUEST);
    });

    it('accepts the same token in two places', async () => {
      const reply = await call(server.url, '/api/me', {
        headers: {
          ...bearer(bob.token),
          cookie: `theme=dark; auth_token=${bob.token}`,
          'verification-token': bob.token,
        },
      });
      expect(reply.status).toBe(200);
      expect(reply.body.owner).toBe('bob');
    });
  });

  describe('§2: where tokens come from', () => {
    it('§2.1 Authorization: Bearer', async () => {
      const reply = await call(server.url, '/api/me', { headers: bearer(bob.token) });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ tokenId: bob.id, type: 'personal', owner: 'bob', tenant: 'acme' });
    });

    it('a configured custom header (Verification-Token) and cookie (auth_token)', async () => {
      const viaHeader = await call(server.url, '/api/me', { headers: { 'verification-token': bob.token } });
      expect(viaHeader.body.owner).toBe('bob');
      const viaCookie = await call(server.url, '/api/me', { headers: { cookie: `a=b; auth_token=${carol.token}` } });
      expect(viaCookie.body.owner).toBe('carol');
    });

    it('the static verification token', async () => {
      const reply = await call(server.url, '/api/me', { headers: { 'verification-token': VERIFICATION_SECRET } });
      expect(reply.status).toBe(200);
      expect(reply.body.type).toBe('verification');
    });

    it('§2.3 refuses access_token in the query string unless enabled', async () => {
      const refused = await call(server.url, `/api/me?access_token=${bob.token}`);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('www-authenticate')).toBe(INVALID_REQUEST);
      // Even alongside a good header: the URL already leaked the token into logs.
      const withHeader = await call(server.url, `/api/me?access_token=${bob.token}`, { headers: bearer(bob.token) });
      expect(withHeader.status).toBe(400);
      const enabled = await call(server.url, `/query/me?access_token=${bob.token}`);
      expect(enabled.status).toBe(200);
      expect(enabled.body.owner).toBe('bob');
    });
  });

  describe('a storage outage fails closed', () => {
    it('answers 503 for a valid token while the repository is down, and 200 again after', async () => {
      fixture.outage.down = true;
      try {
        const reply = await call(server.url, '/api/me', { headers: bearer(bob.token) });
        expect(reply.status).toBe(503);
        expect(reply.body.error).toBe('unavailable');
        expect(reply.text).not.toContain('ECONNREFUSED');
        const guarded = await call(server.url, '/api/buckets/in.c-csv-import', { headers: bearer(carol.token) });
        expect(guarded.status).toBe(503);
        // RFC 9110 §15.6.4: a 503 says when to come back.
        for (const answer of [reply, guarded]) expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      } finally {
        fixture.outage.down = false;
      }
      expect((await call(server.url, '/api/me', { headers: bearer(bob.token) })).status).toBe(200);
    });
  });
});

describe('the realm is configuration and cannot break the header', () => {
  const fixture = makeFixture();
  const bad = ['say "hi"', 'a\r\nSet-Cookie: x=1', 'back\\slash', '', 'tab\there', 'é'];
  const refusedRealm = expect.objectContaining({ code: 'invalid_request', details: { field: 'realm' } });

  it.each(bad)('Express refuses realm %j at setup', (realm) => {
    expect(() => tokenAuth(fixture.service, { realm })).toThrow(refusedRealm);
  });

  it.each(bad)('Fastify refuses realm %j at setup', async (realm) => {
    const app = Fastify();
    await expect(app.register(tokenward, { verifier: fixture.service, realm }).ready()).rejects.toThrow(refusedRealm);
    await app.close();
  });

  it('refuses guards without a valid need, at setup', () => {
    const refused = (field: string) => expect.objectContaining({ code: 'invalid_request', details: { field } });
    expect(() => expressGuard([])).toThrow(refused('need'));
    expect(() => fastifyGuard({ bucket: 'x', access: 'delete' } as never)).toThrow(refused('need'));
  });

  it('refuses Authorization as the custom header name and a setup with no token source', () => {
    expect(() => tokenAuth(fixture.service, { header: 'Authorization' })).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { field: 'header' } }),
    );
    expect(() => tokenAuth(fixture.service, { authorization: false })).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { field: 'authorization' } }),
    );
  });
});
