/**
 * Issue 14, "compose with other auth": tokenward next to the app's other
 * authentication, over real sockets.
 *
 * - Fastify: `requireGrant` is a strategy of `@fastify/auth` (with
 *   `relation: 'or'` a request another strategy accepts goes through; it was
 *   refused with 403/401), the plugin registers without its hook
 *   (`addHook: false`) and offers `fastify.verifyToken` as a strategy.
 * - Express: `failWithError` hands refusals to the app's error middleware
 *   as an `AuthRefusal`, `errorBody` shapes the body, `requestProperty`
 *   puts the principal on `req.auth` too.
 */
import type { AddressInfo } from 'node:net';
import fastifyAuth from '@fastify/auth';
import express, { type ErrorRequestHandler } from 'express';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/principal-types.js';
import { requireGrant as expressGuard, tokenAuth } from '../../src/express/index.js';
import { requireGrant, tokenward } from '../../src/fastify/index.js';
import { AuthRefusal, isAuthRefusal } from '../../src/http/refusal.js';
import { listen, type RunningServer } from './support/app-parts.js';
import { BOB, CAROL, issue, makeFixture, REALM } from './support/fixture.js';
import { bearer, call } from './support/http.js';
import { refusedField } from './support/option-cases.js';

const fixture = makeFixture();
const REPORTS = { scope: 'checkup_report_create' } as const;
const SESSION = { 'x-session': 'valid' };

/** The app's other authentication: a session header, failing with a plain 401 error. */
async function verifySession(request: FastifyRequest): Promise<void> {
  if (request.headers['x-session'] !== 'valid') {
    throw Object.assign(new Error('no session'), { statusCode: 401 });
  }
}

describe('Fastify with @fastify/auth', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const app = Fastify();
    await app.register(fastifyAuth);
    await app.register(
      async (scope) => {
        await scope.register(tokenward, { verifier: fixture.service, realm: REALM, optional: true });
        scope.get(
          '/session-or-grant',
          { preHandler: scope.auth([requireGrant(REPORTS), verifySession]) },
          async () => ({
            ok: true,
          }),
        );
        scope.get('/grant-last', { preHandler: scope.auth([verifySession, requireGrant(REPORTS)]) }, async () => ({
          ok: true,
        }));
        scope.get(
          '/session-and-grant',
          { preHandler: scope.auth([verifySession, requireGrant(REPORTS)], { relation: 'and' }) },
          async () => ({ ok: true }),
        );
      },
      { prefix: '/hooked' },
    );
    await app.register(
      async (scope) => {
        await scope.register(tokenward, { verifier: fixture.service, realm: REALM, addHook: false });
        const verifyToken = scope.verifyToken as (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
        scope.get('/open', async (request) => ({ principal: request.tokenPrincipal?.owner ?? null }));
        scope.get('/token-or-session', { preHandler: scope.auth([verifySession, verifyToken]) }, async (request) => ({
          owner: request.tokenPrincipal?.owner ?? null,
        }));
        scope.get(
          '/token-and-grant',
          { preHandler: scope.auth([verifyToken, requireGrant(REPORTS)], { relation: 'and' }) },
          async (request) => ({ owner: request.tokenPrincipal?.owner ?? null }),
        );
      },
      { prefix: '/strategies' },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    server = { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  });
  afterAll(() => server.close());

  it("relation 'or': a request the other strategy accepts goes through, although the grant is missing", async () => {
    const bob = await issue(fixture.service, BOB);
    const reply = await call(server.url, '/hooked/session-or-grant', { headers: { ...bearer(bob.token), ...SESSION } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ ok: true });
    const carol = await issue(fixture.service, CAROL);
    expect((await call(server.url, '/hooked/session-or-grant', { headers: bearer(carol.token) })).status).toBe(200);
  });

  it('when every strategy fails and the guard failed last, the answer is its RFC 6750 refusal', async () => {
    const bob = await issue(fixture.service, BOB);
    const reply = await call(server.url, '/hooked/grant-last', { headers: bearer(bob.token) });
    expect(reply.status).toBe(403);
    expect(reply.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", error="insufficient_scope", scope="scope:checkup_report_create"`,
    );
    expect(reply.body).toMatchObject({ error: 'insufficient_scope' });
    const anonymous = await call(server.url, '/hooked/grant-last');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
  });

  it("relation 'and': both must pass", async () => {
    const carol = await issue(fixture.service, CAROL);
    const both = await call(server.url, '/hooked/session-and-grant', {
      headers: { ...bearer(carol.token), ...SESSION },
    });
    expect(both.status).toBe(200);
    expect((await call(server.url, '/hooked/session-and-grant', { headers: SESSION })).status).toBe(401);
  });

  it('addHook: false authenticates nothing by itself; fastify.verifyToken is a strategy', async () => {
    const bob = await issue(fixture.service, BOB);
    // No hook: a bad token on an open route is not looked at.
    const open = await call(server.url, '/strategies/open', { headers: bearer(`${bob.token}x`) });
    expect(open.status).toBe(200);
    expect(open.body).toEqual({ principal: null });
    const byToken = await call(server.url, '/strategies/token-or-session', { headers: bearer(bob.token) });
    expect(byToken.body).toEqual({ owner: 'bob' });
    const bySession = await call(server.url, '/strategies/token-or-session', {
      headers: { ...bearer(`${bob.token}x`), ...SESSION },
    });
    expect(bySession.status).toBe(200);
    expect(bySession.body).toEqual({ owner: null });
    const neither = await call(server.url, '/strategies/token-or-session', { headers: bearer(`${bob.token}x`) });
    expect(neither.status).toBe(401);
    expect(neither.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", error="invalid_token"`);
    expect(neither.body).toMatchObject({ error: 'token_invalid' });
    const granted = await call(server.url, '/strategies/token-and-grant', {
      headers: bearer((await issue(fixture.service, CAROL)).token),
    });
    expect(granted.body).toEqual({ owner: 'carol' });
    expect((await call(server.url, '/strategies/token-and-grant', { headers: bearer(bob.token) })).status).toBe(403);
  });

  it('addHook must be a boolean', async () => {
    const app = Fastify();
    await expect(
      app.register(tokenward, { verifier: fixture.service, addHook: 'no' as never }).ready(),
    ).rejects.toMatchObject({ code: 'invalid_request', details: { field: 'addHook' } });
    await app.close();
  });
});

describe('Express with the app’s own error handling', () => {
  let server: RunningServer;
  const seen: unknown[] = [];
  beforeAll(async () => {
    const app = express();
    const handled: ErrorRequestHandler = (error, _req, res, _next) => {
      seen.push(error);
      const refusal = error as AuthRefusal;
      res.status(refusal.status).set(refusal.headers).json({ problem: refusal.code, handledBy: 'app' });
    };
    const principal = (req: express.Request): string | null =>
      ((req as unknown as { auth?: Principal }).auth?.owner ?? null) as string | null;
    app.get('/next/me', tokenAuth(fixture.service, { realm: REALM, failWithError: true }), (_req, res) => {
      res.json({ ok: true });
    });
    app.get(
      '/next/reports',
      tokenAuth(fixture.service, { realm: REALM, failWithError: true }),
      expressGuard(REPORTS),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    app.get('/final/me', tokenAuth(fixture.service, { realm: REALM, failWithError: true }), (_req, res) => {
      res.json({ ok: true });
    });
    app.get(
      '/shaped/reports',
      tokenAuth(fixture.service, { realm: REALM, errorBody: (body) => ({ problem: body.error }) }),
      expressGuard(REPORTS),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    app.get('/auth/me', tokenAuth(fixture.service, { realm: REALM, requestProperty: 'auth' }), (req, res) => {
      res.json({ auth: principal(req), typed: req.tokenPrincipal?.owner });
    });
    app.use('/next', handled);
    server = await listen(app.listen(0, '127.0.0.1'));
  });
  afterAll(() => server.close());

  it('failWithError: the error middleware gets an AuthRefusal with status, challenge and body', async () => {
    const reply = await call(server.url, '/next/me');
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ problem: 'token_missing', handledBy: 'app' });
    expect(reply.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
    const refusal = seen.at(-1);
    expect(refusal).toBeInstanceOf(AuthRefusal);
    expect(isAuthRefusal(refusal)).toBe(true);
    expect(refusal).toMatchObject({ status: 401, statusCode: 401, expose: true, body: { error: 'token_missing' } });
  });

  it('failWithError reaches the guards behind tokenAuth, and never carries the token', async () => {
    const bob = await issue(fixture.service, BOB);
    const reply = await call(server.url, '/next/reports', { headers: bearer(bob.token) });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ problem: 'insufficient_scope', handledBy: 'app' });
    expect(reply.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const bad = await call(server.url, '/next/me', { headers: bearer(`${bob.token}x`) });
    expect(bad.body.problem).toBe('token_invalid');
    expect(JSON.stringify(seen.at(-1), Object.getOwnPropertyNames(seen.at(-1)))).not.toContain(bob.token);
  });

  it("without error middleware, Express's final handler still answers with the status and the challenge", async () => {
    const reply = await call(server.url, '/final/me');
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
  });

  it('errorBody shapes the body; status and challenge stay', async () => {
    const bob = await issue(fixture.service, BOB);
    const reply = await call(server.url, '/shaped/reports', { headers: bearer(bob.token) });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ problem: 'insufficient_scope' });
    expect(reply.headers.get('www-authenticate')).toContain('scope="scope:checkup_report_create"');
    expect((await call(server.url, '/shaped/reports')).body).toEqual({ problem: 'token_missing' });
  });

  it('requestProperty puts the principal on req.auth beside req.tokenPrincipal', async () => {
    const bob = await issue(fixture.service, BOB);
    const reply = await call(server.url, '/auth/me', { headers: bearer(bob.token) });
    expect(reply.body).toEqual({ auth: 'bob', typed: 'bob' });
  });

  it.each([
    [{ requestProperty: 'body' }, 'requestProperty'],
    [{ requestProperty: 'headers' }, 'requestProperty'],
    [{ requestProperty: 'tokenPrincipal' }, 'requestProperty'],
    [{ requestProperty: 'a-b' }, 'requestProperty'],
    [{ requestProperty: '__proto__' }, 'requestProperty'],
    [{ failWithError: 'yes' }, 'failWithError'],
    [{ errorBody: {} }, 'errorBody'],
  ])('refuses %j at setup', (options, field) => {
    expect(refusedField(() => tokenAuth(fixture.service, options as never))).toBe(field);
  });

  it('requireGrant takes the same options', () => {
    expect(refusedField(() => expressGuard(REPORTS, { failWithError: 1 } as never))).toBe('failWithError');
  });
});
