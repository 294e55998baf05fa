/**
 * The one-layer guarded routes of issue 12 (Express `tokenAuth(verifier,
 * { need })`, Fastify `config: { tokenward: { need } }`) against the
 * two-layer forms they replace, over real sockets: every request of a table
 * is answered identically (status, challenge, body), the principal is
 * attached, an optional scope still refuses a route with a need, and bad
 * needs stop the setup naming the field. Also the guard's fast path (the
 * grants asked directly with needs parsed at setup) against `Principal.can`,
 * and the b64token scan against its regular expression.
 */
import express from 'express';
import fc from 'fast-check';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { createPrincipal } from '../../src/core/principal.js';
import type { Principal } from '../../src/core/principal-types.js';
import type { GrantSet, Need } from '../../src/core/types.js';
import { requireGrant as expressGuard, tokenAuth } from '../../src/express/index.js';
import { requireGrant as fastifyGuard, tokenward } from '../../src/fastify/index.js';
import { routeSettings } from '../../src/fastify/route.js';
import { grantGuard, guardAllows } from '../../src/http/authenticate.js';
import { B64TOKEN, isB64Token } from '../../src/http/extract.js';
import { arbGrantSet, arbNeed } from '../core/arbitraries.js';
import { BUCKET, describePrincipal, listen, type RunningServer } from './support/app-parts.js';
import { BOB, CAROL, type Fixture, issue, makeFixture, REALM } from './support/fixture.js';
import { call, type Reply } from './support/http.js';
import { startExpress, startExpressOneLayer, startFastify, startFastifyRouteNeed } from './support/servers.js';

const NEED = { bucket: BUCKET, access: 'read' } as const;

/** The status each request of the table gets. */
const EXPECTED: Readonly<Record<string, number>> = {
  'no token': 401,
  'another scheme': 401,
  'Bearer alone': 400,
  'two credentials': 400,
  'not a b64token': 400,
  garbage: 401,
  foreign: 401,
  revoked: 401,
  'two tokens': 400,
  'read allowed': 200,
  cookie: 200,
  'custom header': 200,
  'write refused': 403,
  'write allowed': 201,
  'token narrower than owner': 403,
  'component refused': 403,
  'two needs refused': 403,
  'two needs allowed': 200,
  'query token': 400,
};

/** What a reply says: status, challenge and body. */
function answerOf(reply: Reply): unknown {
  return { status: reply.status, challenge: reply.headers.get('www-authenticate'), body: reply.body };
}

describe.each([
  ['Express', startExpress, startExpressOneLayer],
  ['Fastify', startFastify, startFastifyRouteNeed],
] as const)('%s: the one-layer guard answers every request as the two-layer one', (_name, twoLayer, oneLayer) => {
  let fixture: Fixture;
  let servers: RunningServer[];
  const tokens = { bob: '', carol: '', short: '', revoked: '', foreign: '', narrow: '' };

  beforeAll(async () => {
    fixture = makeFixture();
    servers = [await twoLayer({ service: fixture.service }), await oneLayer({ service: fixture.service })];
    tokens.bob = (await issue(fixture.service, BOB)).token;
    tokens.carol = (await issue(fixture.service, CAROL)).token;
    tokens.short = (await issue(fixture.service, BOB, { ttl: '1h' })).token;
    const revoked = await issue(fixture.service, CAROL);
    await fixture.service.revoke(revoked.id, CAROL);
    tokens.revoked = revoked.token;
    tokens.foreign = (await issue(makeFixture().service, CAROL)).token;
    tokens.narrow = (await issue(fixture.service, CAROL, { type: 'personal', grants: [] })).token;
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  /** Each request: its method, path and headers, given the tokens. */
  const requests: readonly (readonly [string, string, string, (t: typeof tokens) => Record<string, string>])[] = [
    ['no token', 'GET', `/api/buckets/${BUCKET}`, () => ({})],
    ['another scheme', 'GET', `/api/buckets/${BUCKET}`, (t) => ({ authorization: `Token ${t.bob}` })],
    ['Bearer alone', 'GET', `/api/buckets/${BUCKET}`, () => ({ authorization: 'Bearer' })],
    ['two credentials', 'GET', `/api/buckets/${BUCKET}`, () => ({ authorization: 'Bearer a b' })],
    ['not a b64token', 'GET', `/api/buckets/${BUCKET}`, () => ({ authorization: 'Bearer a=b' })],
    ['garbage', 'GET', `/api/buckets/${BUCKET}`, () => ({ authorization: 'Bearer acme_p_garbage' })],
    ['foreign', 'GET', `/api/buckets/${BUCKET}`, (t) => ({ authorization: `Bearer ${t.foreign}` })],
    ['revoked', 'GET', `/api/buckets/${BUCKET}`, (t) => ({ authorization: `Bearer ${t.revoked}` })],
    [
      'two tokens',
      'GET',
      `/api/buckets/${BUCKET}`,
      (t) => ({ authorization: `Bearer ${t.bob}`, cookie: `auth_token=${t.carol}` }),
    ],
    ['read allowed', 'GET', `/api/buckets/${BUCKET}`, (t) => ({ authorization: `Bearer ${t.bob}` })],
    ['cookie', 'GET', `/api/buckets/${BUCKET}`, (t) => ({ cookie: `auth_token=${t.bob}` })],
    ['custom header', 'GET', `/api/buckets/${BUCKET}`, (t) => ({ 'verification-token': t.bob })],
    ['write refused', 'POST', `/api/buckets/${BUCKET}`, (t) => ({ authorization: `Bearer ${t.bob}` })],
    ['write allowed', 'POST', `/api/buckets/${BUCKET}`, (t) => ({ authorization: `Bearer ${t.carol}` })],
    ['token narrower than owner', 'POST', `/api/buckets/${BUCKET}`, (t) => ({ authorization: `Bearer ${t.narrow}` })],
    [
      'component refused',
      'POST',
      '/api/components/keboola.ex-db-mysql/run',
      (t) => ({ authorization: `Bearer ${t.bob}` }),
    ],
    ['two needs refused', 'GET', '/api/reports', (t) => ({ authorization: `Bearer ${t.bob}` })],
    ['two needs allowed', 'GET', '/api/reports', (t) => ({ authorization: `Bearer ${t.carol}` })],
    ['query token', 'GET', `/api/buckets/${BUCKET}?access_token=abc`, () => ({})],
  ];

  it.each(requests)('%s', async (_case, method, path, headers) => {
    const [two, one] = await Promise.all(
      servers.map((server) => call(server.url, path, { method, headers: headers(tokens) })),
    );
    expect(answerOf(one!)).toEqual(answerOf(two!));
    expect(one!.status).toBe(EXPECTED[_case]);
  });

  it('answers an expired token alike, with invalid_token', async () => {
    fixture.advance(2 * 3_600_000);
    try {
      const headers = { authorization: `Bearer ${tokens.short}` };
      const [two, one] = await Promise.all(
        servers.map((server) => call(server.url, `/api/buckets/${BUCKET}`, { headers })),
      );
      expect(one!.status).toBe(401);
      expect(one!.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", error="invalid_token"`);
      expect(answerOf(one!)).toEqual(answerOf(two!));
    } finally {
      fixture.advance(-2 * 3_600_000);
    }
  });

  it('answers a storage outage alike, 503, never letting the request through', async () => {
    fixture.outage.down = true;
    try {
      const headers = { authorization: `Bearer ${tokens.carol}` };
      const [two, one] = await Promise.all(servers.map((server) => call(server.url, '/api/reports', { headers })));
      expect(one!.status).toBe(503);
      expect(answerOf(one!)).toEqual(answerOf(two!));
    } finally {
      fixture.outage.down = false;
    }
  });
});

/** A small app per framework: `/who` guarded in one layer (optional or not) answering the principal it sees. */
const oneLayerApps: readonly (readonly [
  string,
  (service: Fixture['service'], optional: boolean) => Promise<RunningServer>,
])[] = [
  [
    'Express',
    async (service, optional) => {
      const app = express();
      app.get('/who', tokenAuth(service, { realm: REALM, optional, need: NEED }), (req, res) => {
        res.json(describePrincipal(req.tokenPrincipal));
      });
      return listen(app.listen(0, '127.0.0.1'));
    },
  ],
  [
    'Fastify',
    async (service, optional) => {
      const app = Fastify();
      await app.register(tokenward, { verifier: service, realm: REALM, optional });
      app.get('/who', { config: { tokenward: { need: NEED } } }, async (request) =>
        describePrincipal(request.tokenPrincipal),
      );
      app.get('/open', async (request) => describePrincipal(request.tokenPrincipal));
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, close: () => app.close() };
    },
  ],
];

describe.each(oneLayerApps)('%s one-layer guard', (_name, start) => {
  let fixture: Fixture;
  let strict: RunningServer;
  let optional: RunningServer;
  beforeAll(async () => {
    fixture = makeFixture();
    strict = await start(fixture.service, false);
    optional = await start(fixture.service, true);
  });
  afterAll(async () => {
    await strict.close();
    await optional.close();
  });

  it('attaches the principal for the route handler', async () => {
    const { token, id } = await issue(fixture.service, BOB);
    for (const server of [strict, optional]) {
      const reply = await call(server.url, '/who', { headers: { authorization: `Bearer ${token}` } });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ tokenId: id, type: 'personal', owner: 'bob', tenant: 'acme' });
    }
  });

  it('refuses a request without a token with the bare challenge, even where authentication is optional', async () => {
    for (const server of [strict, optional]) {
      const reply = await call(server.url, '/who');
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
    }
  });

  it('refuses a principal without the grant with 403 naming the scope', async () => {
    const { token } = await issue(fixture.service, CAROL, { type: 'personal', grants: [] });
    const reply = await call(strict.url, '/who', { headers: { authorization: `Bearer ${token}` } });
    expect(reply.status).toBe(403);
    expect(reply.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", error="insufficient_scope", scope="bucket:${BUCKET}:read"`,
    );
  });
});

describe('Fastify: a route without a need in an optional scope with guarded routes', () => {
  it('still lets anonymous requests through', async () => {
    const fixture = makeFixture();
    const server = await oneLayerApps[1]![1](fixture.service, true);
    try {
      const reply = await call(server.url, '/open');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ principal: null });
    } finally {
      await server.close();
    }
  });
});

/** The `details.field` of the TokenError a setup throws or rejects with. */
async function fieldOf(setup: () => unknown): Promise<string | undefined> {
  try {
    await setup();
  } catch (error) {
    if (error instanceof TokenError && error.code === 'invalid_request') return error.details.field as string;
    throw error;
  }
  return undefined;
}

describe('bad needs stop the setup, naming the field', () => {
  const { service } = makeFixture();
  it.each([
    [{ bucket: BUCKET }, 'need'],
    [[], 'need'],
    [[NEED, { component: 'x', action: 'fly' }], 'need[1]'],
    ['reports', 'need'],
  ])('Express tokenAuth need %j → %s', async (need, field) => {
    expect(await fieldOf(() => tokenAuth(service, { need: need as Need }))).toBe(field);
  });

  it.each([
    [{ need: { scope: '' } }, 'config.tokenward.need'],
    [{ need: [NEED, {}] }, 'config.tokenward.need[1]'],
    [{ needs: NEED }, 'config.tokenward.needs'],
    [{ cost: () => 1 }, 'config.tokenward'],
  ])('Fastify config.tokenward %j → %s', async (config, field) => {
    const app = Fastify();
    const setup = app.register(async (scope) => {
      await scope.register(tokenward, { verifier: service });
      scope.get('/x', { config: { tokenward: config as never } }, async () => ({}));
    });
    expect(await fieldOf(() => setup.then(() => app.ready()))).toBe(field);
    await app.close();
  });

  it('a route config with only a need keeps the plugin metering; one naming cost or ratelimit replaces it', () => {
    expect(routeSettings({ tokenward: { need: NEED } }).metering).toBeUndefined();
    expect(routeSettings({ tokenward: { need: NEED } }).guard?.scope).toBe(`bucket:${BUCKET}:read`);
    expect(routeSettings({ tokenward: { cost: 5 } }).metering).toEqual({ cost: 5, ratelimit: undefined });
    expect(routeSettings({ tokenward: { ratelimit: 'exports' } }).guard).toBeUndefined();
    expect(routeSettings({}).guard).toBeUndefined();
  });

  it('the two-layer guards are unchanged', async () => {
    expect(await fieldOf(() => expressGuard([]))).toBe('need');
    expect(await fieldOf(() => fastifyGuard([NEED, {} as Need]))).toBe('need[1]');
  });
});

describe('the guard asks grants directly (issue 12)', () => {
  const principalWith = (grants: GrantSet): Principal =>
    createPrincipal({
      tokenId: '01J0000000000000000000000A',
      type: grants === 'all' ? 'administrative' : 'limited',
      tenant: 'acme',
      owner: grants === 'all' ? null : 'bob',
      name: 'guarded',
      grants,
      ownerIsAdmin: false,
      expiresAt: null,
      meta: null,
    });

  it('allows exactly what Principal.can allows, for every grant set and list of needs', () => {
    fc.assert(
      fc.property(arbGrantSet, fc.array(arbNeed, { minLength: 1, maxLength: 4 }), (grants, needs) => {
        const principal = principalWith(grants);
        expect(guardAllows(principal, grantGuard(needs))).toBe(needs.every((need) => principal.can(need)));
      }),
      { numRuns: 500 },
    );
  });

  it('asks any other principal through its own can, never its grants field', () => {
    const guard = grantGuard(NEED);
    const says = (answer: boolean, grants: GrantSet) => ({ grants, can: () => answer }) as unknown as Principal;
    expect(guardAllows(says(false, 'all'), guard)).toBe(false);
    expect(guardAllows(says(true, []), guard)).toBe(true);
    // A copy of a verified principal is no principal of tokenward's: its can refuses (forbidden).
    const copy = Object.create(principalWith('all')) as Principal;
    expect(() => guardAllows(copy, guard)).toThrow(TokenError);
  });
});

describe('isB64Token: the character scan against B64TOKEN', () => {
  it('agrees with the regular expression on any string of token characters and others', () => {
    const unit = fc.constantFrom(...'Aa9-._~+/= \t"%,;é\u0000\u007f\u0100'.split(''), 'z', '0', '=');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 24 }), (units) => {
        const value = units.join('');
        expect(isB64Token(value)).toBe(B64TOKEN.test(value));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        expect(isB64Token(value)).toBe(B64TOKEN.test(value));
      }),
    );
  });
});
