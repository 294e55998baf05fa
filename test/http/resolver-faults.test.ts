/**
 * A per-request function the application gives the Express middleware or
 * the Fastify plugin (`tenant`, `cost`, `ratelimit`) that answers a value
 * its option does not take (a cost of -1, NaN or '2', a tenant that is not
 * one) is the application's fault: handed to the framework's error handling
 * (Express `next(err)`, Fastify's error handler; a 500 by default) as
 * `TokenError('invalid_request')` naming the option, never answered as the
 * client's 400, and never heard by `onVerificationFailed` (no token was
 * looked at). What such a function throws is handed on as it is. Over real
 * sockets.
 */
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request } from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { tokenAuth } from '../../src/express/index.js';
import { tokenward } from '../../src/fastify/index.js';
import { BOB, issue, makeFixture, REALM } from './support/fixture.js';
import { bearer, call } from './support/http.js';

const failures: unknown[] = [];
const fixture = makeFixture({ hooks: { onVerificationFailed: (event) => void failures.push(event) } });
const thrown = new Error('the resolver failed');

/** What a resolver answers, by the request's `?v=`: bad values of every kind, a good one, or a throw. */
const VALUES: Record<string, unknown> = {
  minus: -1,
  nan: Number.NaN,
  string: '2',
  fraction: 1.5,
  object: {},
  good: undefined,
};
function answerFor(query: unknown): unknown {
  const key = (query as { v?: string }).v ?? 'good';
  if (key === 'throw') throw thrown;
  return VALUES[key];
}
const TENANTS: Record<string, unknown> = { space: 'a b', number: 42, null: null, empty: '', good: 'acme' };
/** Values a resolver may throw that are not errors: Express takes a falsy one, or 'route', as no error. */
const NOT_ERRORS: Record<string, unknown> = {
  'throw-undefined': undefined,
  'throw-zero': 0,
  'throw-empty': '',
  'throw-false': false,
  'throw-route': 'route',
  'throw-router': 'router',
  'throw-object': { code: 'NO_TENANT', message: 'internal detail' },
  'throw-success': { statusCode: 200, status: 200 },
  'throw-array': ['x'],
};
const tenantFor = (query: unknown): unknown => {
  const key = (query as { v?: string }).v ?? 'good';
  if (key === 'throw') throw thrown;
  if (key in NOT_ERRORS) throw NOT_ERRORS[key];
  return TENANTS[key];
};

/** The error each framework's error handling received, per request id (`x-case` header). */
const handled = new Map<string, unknown>();

interface Running {
  readonly url: string;
  close(): Promise<void>;
}

async function startExpress(): Promise<Running> {
  const app = express();
  const ok = (_req: Request, res: express.Response) => void res.json({ ok: true });
  const resolver = (req: Request) => answerFor(req.query) as number | undefined;
  app.get('/cost', tokenAuth(fixture.service, { realm: REALM, cost: resolver }), ok);
  app.get(
    '/ratelimit',
    tokenAuth(fixture.service, { realm: REALM, ratelimit: (req) => answerFor(req.query) as string | undefined }),
    ok,
  );
  app.get(
    '/tenant',
    tokenAuth(fixture.service, { realm: REALM, tenant: (req) => tenantFor(req.query) as string | undefined }),
    ok,
  );
  app.get('/optional', tokenAuth(fixture.service, { realm: REALM, optional: true, cost: resolver }), (req, res) => {
    res.json({ ok: true, principal: req.tokenPrincipal?.tokenId ?? null });
  });
  // Where a route command thrown as an error would lead: it must never be reached.
  app.get('/tenant', (_req, res) => void res.json({ reached: 'the next route' }));
  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    handled.set(String(req.headers['x-case']), error);
    res.status(error.status ?? 500).json({ handledBy: 'app' });
  };
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function startFastify(withHandler: boolean): Promise<Running> {
  const app = Fastify();
  if (withHandler) {
    app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
      handled.set(String(request.headers['x-case']), error);
      return reply.code(error.statusCode ?? 500).send({ handledBy: 'app' });
    });
  }
  const ok = async () => ({ ok: true });
  const resolver = (request: FastifyRequest) => answerFor(request.query) as number | undefined;
  await app.register(async (scope) => {
    await scope.register(tokenward, { verifier: fixture.service, realm: REALM, cost: resolver });
    scope.get('/cost', ok);
  });
  await app.register(async (scope) => {
    const ratelimit = (request: FastifyRequest) => answerFor(request.query) as string | undefined;
    await scope.register(tokenward, { verifier: fixture.service, realm: REALM, ratelimit });
    scope.get('/ratelimit', ok);
  });
  await app.register(async (scope) => {
    const tenant = (request: FastifyRequest) => tenantFor(request.query) as string | undefined;
    await scope.register(tokenward, { verifier: fixture.service, realm: REALM, tenant });
    scope.get('/tenant', ok);
  });
  await app.register(async (scope) => {
    await scope.register(tokenward, { verifier: fixture.service, realm: REALM, optional: true, cost: resolver });
    scope.get('/optional', async (request) => ({ ok: true, principal: request.tokenPrincipal?.tokenId ?? null }));
  });
  await app.register(async (scope) => {
    // The strategy form: fastify.verifyToken throws the app's error as it is.
    await scope.register(tokenward, { verifier: fixture.service, realm: REALM, addHook: false, cost: resolver });
    scope.get('/strategy', { preHandler: (request, reply) => scope.verifyToken!(request, reply) }, ok);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

const FAULTS: [string, string, string][] = [
  ['/cost', 'minus', 'cost'],
  ['/cost', 'nan', 'cost'],
  ['/cost', 'string', 'cost'],
  ['/cost', 'fraction', 'cost'],
  ['/ratelimit', 'object', 'ratelimit'],
  ['/ratelimit', 'minus', 'ratelimit'],
  ['/tenant', 'number', 'tenant'],
  ['/tenant', 'null', 'tenant'],
];

describe.each([
  ['Express', startExpress],
  ['Fastify', () => startFastify(true)],
])('%s: a resolver’s bad answer is the application’s error', (name, start) => {
  let server: Running;
  let token: string;
  beforeAll(async () => {
    server = await start();
    token = (await issue(fixture.service, BOB, { remaining: 100 })).token;
  });
  afterAll(() => server.close());

  it.each(FAULTS)('%s?v=%s goes to the error handling as TokenError naming %s, a 500', async (path, v, field) => {
    const id = `${name}${path}${v}`;
    failures.length = 0;
    const reply = await call(server.url, `${path}?v=${v}`, { headers: { ...bearer(token), 'x-case': id } });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ handledBy: 'app' });
    expect(reply.headers.get('www-authenticate')).toBeNull();
    const error = handled.get(id) as TokenError;
    expect(error).toBeInstanceOf(TokenError);
    expect([error.code, error.details.field, error.message.startsWith(`${field} `)]).toEqual([
      'invalid_request',
      field,
      true,
    ]);
    expect(error).toMatchObject({ status: 500, statusCode: 500, expose: false });
    // No token was refused: the hook hears nothing.
    expect(failures).toEqual([]);
  });

  it.each(['space', 'empty'])(
    '/tenant?v=%s: a tenant string that names no tenant (the client’s, read from its request) is the client’s 401',
    async (v) => {
      failures.length = 0;
      const reply = await call(server.url, `/tenant?v=${v}`, { headers: bearer(token) });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toContain('invalid_token');
      expect(failures.map((failure) => (failure as { code: string }).code)).toEqual(['token_invalid']);
    },
  );

  it.each(Object.keys(NOT_ERRORS))(
    '/tenant?v=%s: a thrown value that is no error reaches the error handling wrapped, never a pass',
    async (v) => {
      const id = `${name}-${v}`;
      const reply = await call(server.url, `/tenant?v=${v}`, { headers: { ...bearer(token), 'x-case': id } });
      expect([reply.status, reply.body]).toEqual([500, { handledBy: 'app' }]);
      const error = handled.get(id) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.cause).toBe(NOT_ERRORS[v]);
    },
  );

  it('a request without a token never runs the functions: an optional route lets it through', async () => {
    for (const v of ['minus', 'throw', 'good']) {
      const reply = await call(server.url, `/optional?v=${v}`);
      expect([reply.status, reply.body]).toEqual([200, { ok: true, principal: null }]);
    }
    // With a token the bad cost is still the application's error.
    const withToken = await call(server.url, '/optional?v=minus', { headers: bearer(token) });
    expect(withToken.status).toBe(500);
  });

  it('a resolver that throws: its own error, as it is', async () => {
    failures.length = 0;
    const id = `${name}-throw`;
    const reply = await call(server.url, '/cost?v=throw', { headers: { ...bearer(token), 'x-case': id } });
    expect(reply.status).toBe(500);
    expect(handled.get(id)).toBe(thrown);
    expect(failures).toEqual([]);
  });

  it('a good answer still verifies, and a bad token is still the client’s 401', async () => {
    for (const path of ['/cost', '/ratelimit', '/tenant']) {
      expect((await call(server.url, path, { headers: bearer(token) })).body).toEqual({ ok: true });
    }
    const refused = await call(server.url, '/cost', { headers: bearer(`${token}x`) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
  });
});

describe('Fastify without an error handler of the app', () => {
  let server: Running;
  let token: string;
  beforeAll(async () => {
    server = await startFastify(false);
    token = (await issue(fixture.service, BOB, { remaining: 100 })).token;
  });
  afterAll(() => server.close());

  it.each(['/cost', '/strategy'])('%s: Fastify’s default handler answers 500, not the client’s 400', async (path) => {
    failures.length = 0;
    const reply = await call(server.url, `${path}?v=minus`, { headers: bearer(token) });
    expect(reply.status).toBe(500);
    expect(reply.headers.get('www-authenticate')).toBeNull();
    expect(failures).toEqual([]);
  });
});
