/**
 * What only the Fetch API entry has: handlers called in process with a
 * `Request` (as Next.js route handlers and Workers are), `protect` passing
 * a Worker's extra arguments on, `requireGrant` on its own, routing of the
 * management handler (base path, 404, 405 with `Allow`, `HEAD`), and bodies
 * without `Content-Length` (in-process requests, streams).
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/core/principal-types.js';
import { introspectionHandler, managementHandler, requireGrant, tokenAuth } from '../../src/fetch/index.js';
import type { TokenService } from '../../src/service/token-service.js';
import { BOB, CAROL, issue, makeFixture, REALM } from './support/fixture.js';
import { eventually } from './support/http.js';

const ORIGIN = 'http://tokens.test';

function request(path: string, init: RequestInit = {}): Request {
  return new Request(`${ORIGIN}${path}`, init);
}

/** The token's `used` events once there are `count` of them (recording runs after the response). */
function usedEvents(service: TokenService, id: string, count: number): Promise<{ detail: unknown }[]> {
  return eventually(async () => {
    const page = await service.events(id, BOB, { limit: 50 });
    const used = page.items.filter((event) => event.type === 'used');
    return used.length >= count ? used : undefined;
  });
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('tokenAuth for Fetch API handlers', () => {
  it('authenticate: a principal, or the RFC 6750 answer as a Response', async () => {
    const { service } = makeFixture();
    const auth = tokenAuth(service, { realm: REALM });
    const own = await issue(service, BOB);
    const ok = await auth.authenticate(request('/x', { headers: bearer(own.token) }));
    expect(ok.ok && ok.principal?.owner).toBe('bob');
    const missing = await auth.authenticate(request('/x'));
    expect(missing.ok).toBe(false);
    if (missing.ok) return;
    expect(missing.response.status).toBe(401);
    expect(missing.response.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
    expect(missing.response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await missing.response.json()).toMatchObject({ error: 'token_missing' });
    const bad = await auth.authenticate(request('/x', { headers: bearer(`${own.token}x`) }));
    expect(!bad.ok && bad.response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('protect passes further arguments on (a Worker env and ctx) and refuses before the handler runs', async () => {
    const { service } = makeFixture();
    const auth = tokenAuth(service, { realm: REALM });
    const seen: unknown[] = [];
    const handler = auth.protect(
      (_request: Request, principal: Principal | null, env: { name: string }, ctx: { id: number }) => {
        seen.push([principal?.owner, env.name, ctx.id]);
        return Response.json({ ok: true });
      },
      { need: { bucket: 'in.c-csv-import', access: 'write' } },
    );
    const carol = await issue(service, CAROL);
    const bob = await issue(service, BOB);
    expect((await handler(request('/w', { headers: bearer(carol.token) }), { name: 'env' }, { id: 7 })).status).toBe(
      200,
    );
    const refused = await handler(request('/w', { headers: bearer(bob.token) }), { name: 'env' }, { id: 8 });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer realm="${REALM}", error="insufficient_scope", scope="bucket:in.c-csv-import:write"`,
    );
    expect(seen).toEqual([['carol', 'env', 7]]);
  });

  it('records uses under the route given to protect, else the path', async () => {
    const { service } = makeFixture();
    const auth = tokenAuth(service, { realm: REALM, record: true });
    const own = await issue(service, BOB);
    await auth.protect(() => new Response(null, { status: 204 }), { route: '/items/:id' })(
      request('/items/42', { headers: bearer(own.token) }),
    );
    await auth.protect(() => new Response('x'))(request('/plain?q=1', { headers: bearer(own.token) }));
    const used = await usedEvents(service, own.id, 2);
    expect(used.map((event) => event.detail)).toEqual(
      expect.arrayContaining([
        { method: 'GET', route: '/items/:id', status: 204 },
        { method: 'GET', route: '/plain', status: 200 },
      ]),
    );
  });

  it('requireGrant alone: null when allowed, else a 403 or 401 Response', async () => {
    const { service } = makeFixture();
    const check = requireGrant({ scope: 'checkup_report_create' }, { realm: REALM });
    const carol = await service.verify((await issue(service, CAROL)).token);
    const bob = await service.verify((await issue(service, BOB)).token);
    expect(check(carol)).toBeNull();
    const forbidden = check(bob);
    expect(forbidden?.status).toBe(403);
    expect(forbidden?.headers.get('www-authenticate')).toContain('scope="scope:checkup_report_create"');
    expect(check(null)?.status).toBe(401);
    expect(check(undefined)?.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
  });
});

describe('managementHandler routing', () => {
  const fixture = makeFixture();
  const asBob = { 'x-test-user': 'bob' };
  const manage = managementHandler(fixture.service, {
    basePath: '/api',
    realm: REALM,
    actor: (req, principal) =>
      req.headers.get('x-test-user') === 'bob' ? BOB : principal === null ? null : { principal },
  });

  it('answers 404 outside its base path and for unknown routes, 405 with Allow for another method', async () => {
    expect((await manage(request('/elsewhere/tokens', { headers: asBob }))).status).toBe(404);
    expect((await manage(request('/apix/tokens', { headers: asBob }))).status).toBe(404);
    const unknown = await manage(request('/api/tokens/a/b/c', { headers: asBob }));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
    const wrong = await manage(request('/api/tokens', { method: 'PUT', headers: asBob }));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET, HEAD');
  });

  it('answers HEAD like GET, without a body', async () => {
    const head = await manage(request('/api/tokens', { method: 'HEAD', headers: asBob }));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('reads a body that comes without Content-Length, as in-process requests and streams do', async () => {
    const created = await manage(
      request('/api/tokens', {
        method: 'POST',
        headers: { ...asBob, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'in-process' }),
      }),
    );
    expect(created.status).toBe(201);
    // Bytes without a Content-Type: refused like a body without one over HTTP/1.1.
    const untyped = await manage(
      request('/api/tokens', { method: 'POST', headers: asBob, body: new TextEncoder().encode('{}') }),
    );
    expect(untyped.status).toBe(415);
    expect(await untyped.json()).toMatchObject({ field: 'content-type' });
  });

  it('stops reading a stream past the body limit: 413, nothing written', async () => {
    const small = managementHandler(fixture.service, { bodyLimit: 1024, actor: () => BOB });
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 1000) controller.close();
        else controller.enqueue(new TextEncoder().encode(`{"comment":"${'x'.repeat(500)}`));
      },
    });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' };
    const reply = await small(request('/tokens', init as RequestInit));
    expect(reply.status).toBe(413);
    expect(pulled).toBeLessThan(10);
  });
});

describe('introspectionHandler', () => {
  it('answers POST only: another method is 405 with Allow: POST', async () => {
    const { service } = makeFixture();
    const introspect = introspectionHandler(service, { realm: REALM });
    const reply = await introspect(request('/introspect'));
    expect(reply.status).toBe(405);
    expect(reply.headers.get('allow')).toBe('POST');
  });
});
