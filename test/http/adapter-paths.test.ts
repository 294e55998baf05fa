/**
 * The paths the Express middleware and the Fastify hook took apart for
 * speed (issue 12): extraction and verification as two halves instead of
 * async layers, the default realm remembered only over another one, and a
 * guard that builds no answer for a request it lets through. Each test
 * names what would go wrong if a shortcut dropped a case; all over real
 * sockets.
 */
import express, { type ErrorRequestHandler } from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { Principal } from '../../src/core/principal-types.js';
import { requireGrant as expressGuard, tokenAuth } from '../../src/express/index.js';
import { requireGrant as fastifyGuard, tokenward } from '../../src/fastify/index.js';
import type { TokenVerifier } from '../../src/http/authenticate.js';
import { listen, type RunningServer } from './support/app-parts.js';
import { BOB, issue, makeFixture } from './support/fixture.js';
import { bearer, call } from './support/http.js';

const fixture = makeFixture();
const NEED = { scope: 'checkup_report_create' } as const;
/** A verifier that throws instead of returning a promise, as a careless custom one might. */
const throwing: TokenVerifier = {
  verify: () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  },
};
/** Bob's token, and his principal as the service verified it. */
let bob: { token: string; principal: Principal };
/** A verifier that answers with a plain value instead of a promise, as a JavaScript caller's might. */
const plainValue: TokenVerifier = {
  verify: ((token: string) => {
    if (token !== bob.token) throw new TokenError('token_invalid', 'token is invalid');
    return bob.principal;
  }) as unknown as TokenVerifier['verify'],
};
beforeAll(async () => {
  const { token } = await issue(fixture.service, BOB);
  bob = { token, principal: await fixture.service.verify(token) };
});

describe('Express', () => {
  let server: RunningServer;
  const handled: unknown[] = [];
  beforeAll(async () => {
    const app = express();
    // Outer realm `storage`, inner the default: the guard answers with the inner one, `api`.
    app.get(
      '/nested',
      tokenAuth(fixture.service, { realm: 'storage', optional: true }),
      tokenAuth(fixture.service, { optional: true }),
      expressGuard(NEED),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    app.get(
      '/outer',
      tokenAuth(fixture.service, { realm: 'storage', optional: true }),
      expressGuard(NEED),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    app.get('/throwing', tokenAuth(throwing), (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/plain', tokenAuth(plainValue), (req, res) => {
      res.json({ owner: req.tokenPrincipal?.owner });
    });
    // errorBody that throws while a refusal is being settled: the app's error middleware gets it.
    app.get(
      '/broken-body',
      tokenAuth(fixture.service, {
        errorBody: () => {
          throw new Error('errorBody failed');
        },
      }),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    const onError: ErrorRequestHandler = (error: Error, _req, res, _next) => {
      handled.push(error.message);
      res.status(500).json({ handled: error.message });
    };
    app.use(onError);
    server = await listen(app.listen(0, '127.0.0.1'));
  });
  afterAll(() => server.close());

  it('a default realm after another one is remembered: the guard answers with the last', async () => {
    expect((await call(server.url, '/nested')).headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect((await call(server.url, '/outer')).headers.get('www-authenticate')).toBe('Bearer realm="storage"');
  });

  it('a token that lacks the grant is refused with the realm and the scope', async () => {
    const reply = await call(server.url, '/outer', { headers: bearer(bob.token) });
    expect(reply.status).toBe(403);
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer realm="storage", error="insufficient_scope", scope="scope:checkup_report_create"',
    );
  });

  it('a verifier that throws refuses the request (500, as for its rejection), it never passes', async () => {
    const reply = await call(server.url, '/throwing', { headers: bearer(bob.token) });
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ error: 'internal_error' });
  });

  it('a verifier that answers without a promise is still awaited', async () => {
    expect((await call(server.url, '/plain', { headers: bearer(bob.token) })).body).toEqual({ owner: 'bob' });
  });

  it('an error while refusing goes to the error middleware, and the process lives on', async () => {
    const reply = await call(server.url, '/broken-body', { headers: bearer('acme_not-a-real-token-at-all') });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ handled: 'errorBody failed' });
    expect(handled).toContain('errorBody failed');
  });
});

describe('Fastify', () => {
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    app = Fastify();
    await app.register(async (outer) => {
      await outer.register(tokenward, { verifier: fixture.service, realm: 'storage', optional: true });
      outer.get('/outer', { preHandler: fastifyGuard(NEED) }, async () => ({ ok: true }));
      await outer.register(async (inner) => {
        await inner.register(tokenward, { verifier: fixture.service, optional: true });
        inner.get('/nested', { preHandler: fastifyGuard(NEED) }, async () => ({ ok: true }));
      });
    });
    await app.register(async (scope) => {
      await scope.register(tokenward, { verifier: throwing });
      scope.get('/throwing', async () => ({ ok: true }));
    });
    await app.register(async (scope) => {
      await scope.register(tokenward, { verifier: plainValue });
      scope.get('/plain', async (request) => ({ owner: request.tokenPrincipal?.owner }));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as import('node:net').AddressInfo).port}`;
  });
  afterAll(() => app.close());

  it('a default realm after another one is remembered: the guard answers with the last', async () => {
    expect((await call(url, '/nested')).headers.get('www-authenticate')).toBe('Bearer realm="api"');
    expect((await call(url, '/outer')).headers.get('www-authenticate')).toBe('Bearer realm="storage"');
  });

  it('a token that lacks the grant is refused with the realm and the scope', async () => {
    const reply = await call(url, '/outer', { headers: bearer(bob.token) });
    expect(reply.status).toBe(403);
    expect(reply.headers.get('www-authenticate')).toBe(
      'Bearer realm="storage", error="insufficient_scope", scope="scope:checkup_report_create"',
    );
  });

  it('a verifier that throws refuses the request (500, as for its rejection), it never passes', async () => {
    const reply = await call(url, '/throwing', { headers: bearer(bob.token) });
    expect(reply.status).toBe(500);
    expect(reply.body).toMatchObject({ error: 'internal_error' });
  });

  it('a verifier that answers without a promise is still awaited', async () => {
    expect((await call(url, '/plain', { headers: bearer(bob.token) })).body).toEqual({ owner: 'bob' });
  });
});
