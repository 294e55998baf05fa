/**
 * The HTTP behaviour both frameworks must share: every route of the
 * management API, acting as a session user or as a token, body validation,
 * status codes, recording of uses, and outages. `express.test.ts` and
 * `fastify.test.ts` run it against their server factory.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { Principal } from '../../src/core/principal-types.js';
import { BOB, CAROL, type Fixture, issue, makeFixture, REALM } from './support/fixture.js';
import { bearer, call, eventually, json, type Reply } from './support/http.js';
import type { RunningServer, StartServer } from './support/servers.js';

const AS_BOB = { 'x-test-user': 'bob' };
const AS_ALICE = { 'x-test-user': 'alice' };
const AS_CAROL = { 'x-test-user': 'carol' };
const HOUR = 3_600_000;

export function behaviourSuite(start: StartServer): void {
  let fixture: Fixture;
  let server: RunningServer;
  const get = (path: string, headers: Record<string, string> = {}): Promise<Reply> =>
    call(server.url, path, { headers });
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    call(server.url, path, body === undefined ? { method, headers } : json(method, body, headers));
  const me = async (token: string): Promise<number> => (await get('/api/me', bearer(token))).status;

  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({ service: fixture.service });
  });
  afterAll(() => server.close());

  describe('issue: POST /manage/tokens', () => {
    it('returns the secret once, with no-store, and the token works', async () => {
      const reply = await send(
        'POST',
        '/manage/tokens',
        { name: 'ci-pipeline', comment: 'nightly', ttl: '30d' },
        AS_BOB,
      );
      expect(reply.status).toBe(201);
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.body.info).toMatchObject({
        name: 'ci-pipeline',
        comment: 'nightly',
        owner: 'bob',
        status: 'active',
      });
      expect(typeof reply.body.token).toBe('string');
      expect(reply.body.info).not.toHaveProperty('secretHash');
      expect(await me(reply.body.token)).toBe(200);
      // Listing and getting never show it again.
      const listed = await get('/manage/tokens', AS_BOB);
      const got = await get(`/manage/tokens/${reply.body.info.id}`, AS_BOB);
      for (const text of [listed.text, got.text]) {
        expect(text).not.toContain(reply.body.token);
        expect(text).not.toContain('secretHash');
      }
    });

    it('answers a duplicate name with 409 conflict', async () => {
      await send('POST', '/manage/tokens', { name: 'twice' }, AS_BOB);
      const reply = await send('POST', '/manage/tokens', { name: 'twice' }, AS_BOB);
      expect(reply.status).toBe(409);
      expect(reply.body.error).toBe('conflict');
    });

    it('refuses grants beyond the owner with 403 and FOR USER by a non-admin with 403', async () => {
      const beyond = await send(
        'POST',
        '/manage/tokens',
        { grants: [{ bucket: 'in.c-csv-import', access: 'write' }] },
        AS_BOB,
      );
      expect(beyond.status).toBe(403);
      const forUser = await send('POST', '/manage/tokens', { owner: 'carol' }, AS_BOB);
      expect(forUser.status).toBe(403);
      expect(forUser.body.error).toBe('forbidden');
      const byAdmin = await send('POST', '/manage/tokens', { owner: 'carol', name: 'for-carol' }, AS_ALICE);
      expect(byAdmin.status).toBe(201);
      expect(byAdmin.body.info.owner).toBe('carol');
    });

    it.each([
      ['an unknown field', { name: 'x', expiresIn: '1d' }, 'expiresIn'],
      ['a bad ttl', { ttl: 'forever' }, 'ttl'],
      ['bad grants', { grants: [{ bucket: 'x' }] }, 'grants[0]'],
      ['a non-string name', { name: 42 }, 'name'],
    ])('refuses %s with 400 naming the field', async (_what, body, field) => {
      const reply = await send('POST', '/manage/tokens', body, AS_BOB);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: 'invalid_request', field });
      expect(reply.headers.get('www-authenticate')).toBeNull();
    });

    it('refuses unreadable bodies: bad JSON, an array (400), another content type (415), too large (413)', async () => {
      const badJson = await call(server.url, '/manage/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...AS_BOB },
        body: '{"name": ',
      });
      expect(badJson.status).toBe(400);
      expect(badJson.body.error).toBe('invalid_request');
      expect((await send('POST', '/manage/tokens', ['name'], AS_BOB)).status).toBe(400);
      const text = await call(server.url, '/manage/tokens', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...AS_BOB },
        body: 'name=x',
      });
      expect(text.status).toBe(415);
      const huge = await send('POST', '/manage/tokens', { comment: 'x'.repeat(100_000) }, AS_BOB);
      expect(huge.status).toBe(413);
      expect(huge.body.error).toBe('invalid_request');
    });

    it('asks for authentication when the app names no actor', async () => {
      const reply = await send('POST', '/manage/tokens', { name: 'nobody' });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}"`);
    });

    it('acts as a verified token: a master token creates tokens, a personal token may not', async () => {
      const master = await fixture.service.ensureMasterToken(CAROL);
      expect(master.created).toBe(true);
      const masterToken = master.created ? master.token : '';
      const created = await send(
        'POST',
        '/manage/tokens',
        { type: 'limited', name: 'from-master', grants: [{ scope: 'checkup_report_create' }] },
        bearer(masterToken),
      );
      expect(created.status).toBe(201);
      expect(created.body.info).toMatchObject({
        type: 'limited',
        owner: 'carol',
        createdBy: expect.stringMatching(/^token:/),
      });
      const personal = await issue(fixture.service, CAROL);
      const refused = await send('POST', '/manage/tokens', { name: 'from-personal' }, bearer(personal.token));
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe('forbidden');
    });
  });

  describe('list: GET /manage/tokens', () => {
    it("lists only the actor's own tokens, pages through them without overlap", async () => {
      const names = ['page-a', 'page-b', 'page-c'];
      for (const name of names) await issue(fixture.service, CAROL, { name });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const page = await get(`/manage/tokens?limit=2${query}`, AS_CAROL);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        for (const item of page.body.items) {
          expect(item.owner).toBe('carol');
          seen.push(item.id);
        }
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor !== null && pages < 50);
      expect(new Set(seen).size).toBe(seen.length);
      expect(pages).toBeGreaterThanOrEqual(2);
      const all = await get('/manage/tokens?limit=1000', AS_CAROL);
      expect(all.body.items.map((item: { id: string }) => item.id).sort()).toEqual([...seen].sort());
    });

    it('hides revoked and expired tokens unless asked', async () => {
      const revoked = await issue(fixture.service, BOB, { name: 'to-hide-revoked' });
      await fixture.service.revoke(revoked.id, BOB);
      const expiring = await issue(fixture.service, BOB, { name: 'to-hide-expired', ttl: '1h' });
      fixture.advance(2 * HOUR);
      try {
        const ids = async (query: string): Promise<string[]> =>
          (await get(`/manage/tokens${query}`, AS_BOB)).body.items.map((item: { id: string }) => item.id);
        expect(await ids('')).not.toContain(revoked.id);
        expect(await ids('')).not.toContain(expiring.id);
        expect(await ids('?hideRevoked=false')).toContain(revoked.id);
        expect(await ids('?hideRevoked=false')).not.toContain(expiring.id);
        expect(await ids('?hideExpired=false')).toContain(expiring.id);
        const both = await get('/manage/tokens?hideExpired=false&hideRevoked=false', AS_BOB);
        const statuses = Object.fromEntries(
          both.body.items.map((item: { id: string; status: string }) => [item.id, item.status]),
        );
        expect(statuses[revoked.id]).toBe('revoked');
        expect(statuses[expiring.id]).toBe('expired');
      } finally {
        fixture.advance(-2 * HOUR);
      }
    });

    it("lets an admin list a user's or every token, and no one else", async () => {
      await issue(fixture.service, BOB, { name: 'bobs-for-admin' });
      const forBob = await get('/manage/tokens?owner=bob', AS_ALICE);
      expect(forBob.status).toBe(200);
      expect(forBob.body.items.every((item: { owner: string }) => item.owner === 'bob')).toBe(true);
      expect(forBob.body.items.length).toBeGreaterThan(0);
      const all = await get('/manage/tokens?all=true&type=personal,limited&limit=1000', AS_ALICE);
      const owners = new Set(all.body.items.map((item: { owner: string }) => item.owner));
      expect(owners.has('bob') && owners.has('carol')).toBe(true);
      expect((await get('/manage/tokens?owner=carol', AS_BOB)).status).toBe(403);
      expect((await get('/manage/tokens?all=true', AS_BOB)).status).toBe(403);
    });

    it.each([
      ['hideExpired=maybe', 'hideExpired'],
      ['limit=-1', 'limit'],
      ['limit=5000', 'filter.limit'],
      ['type=superuser', 'type'],
      ['limit=1&limit=2', 'limit'],
    ])('refuses ?%s with 400', async (query, field) => {
      const reply = await get(`/manage/tokens?${query}`, AS_BOB);
      expect(reply.status).toBe(400);
      expect(reply.body.field).toBe(field);
    });
  });

  describe('get, comment, events', () => {
    it("gets one token; another user's token is 404, not 403", async () => {
      const own = await issue(fixture.service, BOB, { name: 'get-me' });
      const reply = await get(`/manage/tokens/${own.id}`, AS_BOB);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: own.id, name: 'get-me', status: 'active' });
      const others = await get(`/manage/tokens/${own.id}`, AS_CAROL);
      expect(others.status).toBe(404);
      expect(others.body.error).toBe('not_found');
      expect((await get('/manage/tokens/not-an-id', AS_BOB)).status).toBe(400);
      expect((await get('/manage/tokens/01ARZ3NDEKTSV4RRFFQ69G5FAV', AS_BOB)).status).toBe(404);
    });

    it('changes only the comment and records it', async () => {
      const own = await issue(fixture.service, BOB, { name: 'commented', comment: 'before' });
      const reply = await send('PATCH', `/manage/tokens/${own.id}`, { comment: 'after' }, AS_BOB);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: own.id, name: 'commented', comment: 'after' });
      expect(await me(own.token)).toBe(200);
      expect((await send('PATCH', `/manage/tokens/${own.id}`, {}, AS_BOB)).status).toBe(400);
      expect((await send('PATCH', `/manage/tokens/${own.id}`, { comment: 5 }, AS_BOB)).status).toBe(400);
      expect((await send('PATCH', `/manage/tokens/${own.id}`, { comment: 'x', colour: 'y' }, AS_BOB)).status).toBe(400);
      const events = await get(`/manage/tokens/${own.id}/events`, AS_BOB);
      expect(events.status).toBe(200);
      expect(events.body.items.map((event: { type: string }) => event.type)).toEqual(
        expect.arrayContaining(['issued', 'comment_updated']),
      );
      // Times over HTTP are ISO 8601 strings, as in token info.
      for (const event of events.body.items) expect(new Date(event.at).toISOString()).toBe(event.at);
    });

    it('records each authenticated request as a token event with method, route pattern and status', async () => {
      const own = await issue(fixture.service, BOB, { name: 'recorded' });
      expect(await me(own.token)).toBe(200);
      expect(
        (await call(server.url, '/api/buckets/in.c-csv-import', { method: 'POST', headers: bearer(own.token) })).status,
      ).toBe(403);
      const used = await eventually(async () => {
        const page = await get(`/manage/tokens/${own.id}/events?limit=50`, AS_BOB);
        const items = page.body.items.filter((event: { type: string }) => event.type === 'used');
        return items.length >= 2 ? items : undefined;
      });
      const byOperation = Object.fromEntries(
        used.map((event: { operation: string; detail: unknown }) => [event.operation, event.detail]),
      );
      expect(byOperation['GET /api/me']).toEqual({ method: 'GET', route: '/api/me', status: 200 });
      expect(byOperation['POST /api/buckets/in.c-csv-import']).toEqual({
        method: 'POST',
        route: '/api/buckets/in.c-csv-import',
        status: 403,
      });
    });

    it('pages events', async () => {
      const own = await issue(fixture.service, BOB, { name: 'many-events' });
      for (let i = 0; i < 3; i++) await send('PATCH', `/manage/tokens/${own.id}`, { comment: `c${i}` }, AS_BOB);
      const first = await get(`/manage/tokens/${own.id}/events?limit=2`, AS_BOB);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).not.toBeNull();
      const second = await get(
        `/manage/tokens/${own.id}/events?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
        AS_BOB,
      );
      expect(second.body.items.length).toBeGreaterThan(0);
      const firstIds = first.body.items.map((event: { id: string }) => event.id);
      for (const event of second.body.items) expect(firstIds).not.toContain(event.id);
    });
  });

  describe('rotate, share, claim', () => {
    it('rotates: the new secret works, the old one fails at once', async () => {
      const own = await issue(fixture.service, BOB, { name: 'rotate-now' });
      const reply = await send('POST', `/manage/tokens/${own.id}/rotate`, undefined, AS_BOB);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.body.info.id).toBe(own.id);
      expect(reply.body.token).not.toBe(own.token);
      expect(await me(reply.body.token)).toBe(200);
      expect(await me(own.token)).toBe(401);
    });

    it('rotates with a grace period: the old secret works until it ends', async () => {
      const own = await issue(fixture.service, BOB, { name: 'rotate-grace' });
      const reply = await send('POST', `/manage/tokens/${own.id}/rotate`, { gracePeriod: '1h' }, AS_BOB);
      expect(reply.status).toBe(200);
      expect(await me(own.token)).toBe(200);
      fixture.advance(HOUR + 1000);
      try {
        expect(await me(own.token)).toBe(401);
        expect(await me(reply.body.token)).toBe(200);
      } finally {
        fixture.advance(-(HOUR + 1000));
      }
      expect((await send('POST', `/manage/tokens/${own.id}/rotate`, { gracePeriod: 'soon' }, AS_BOB)).status).toBe(400);
    });

    it('shares with a one-time claim code; claiming rotates and needs no session', async () => {
      const own = await issue(fixture.service, BOB, { name: 'shared' });
      const shared = await send('POST', `/manage/tokens/${own.id}/share`, { ttl: '1d' }, AS_BOB);
      expect(shared.status).toBe(201);
      expect(shared.headers.get('cache-control')).toBe('no-store');
      expect(shared.body).toMatchObject({ tokenId: own.id });
      expect(shared.text).not.toContain(own.token);
      const claimed = await send('POST', '/manage/claims', { code: shared.body.code });
      expect(claimed.status).toBe(200);
      expect(claimed.body.info.id).toBe(own.id);
      expect(await me(claimed.body.token)).toBe(200);
      expect(await me(own.token)).toBe(401);
      const again = await send('POST', '/manage/claims', { code: shared.body.code });
      expect(again.status).toBe(404);
      expect((await send('POST', '/manage/claims', { code: 'nonsense' })).status).toBe(400);
      expect((await send('POST', '/manage/claims', {})).status).toBe(400);
    });

    it("refuses to share another user's token (404) and to rotate a revoked one (409)", async () => {
      const own = await issue(fixture.service, BOB, { name: 'not-yours' });
      expect((await send('POST', `/manage/tokens/${own.id}/share`, {}, AS_CAROL)).status).toBe(404);
      await fixture.service.revoke(own.id, BOB);
      const rotated = await send('POST', `/manage/tokens/${own.id}/rotate`, {}, AS_BOB);
      expect(rotated.status).toBe(409);
    });
  });

  describe('revoke and revoke all', () => {
    it('revokes; revoking again answers the token as it is (200)', async () => {
      const own = await issue(fixture.service, BOB, { name: 'revoke-me' });
      const reply = await send('DELETE', `/manage/tokens/${own.id}`, undefined, AS_BOB);
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ id: own.id, status: 'revoked' });
      expect(await me(own.token)).toBe(401);
      const again = await send('DELETE', `/manage/tokens/${own.id}`, undefined, AS_BOB);
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('revoked');
    });

    it('refuses to revoke a master token (403)', async () => {
      const master = await fixture.service.ensureMasterToken(BOB);
      const reply = await send('DELETE', `/manage/tokens/${master.info.id}`, undefined, AS_BOB);
      expect(reply.status).toBe(403);
    });

    it("revokes all of a user's tokens: admins for anyone, users for themselves", async () => {
      const one = await issue(fixture.service, CAROL, { name: 'all-1' });
      const two = await issue(fixture.service, CAROL, { name: 'all-2' });
      expect((await send('POST', '/manage/users/carol/revoke-all', undefined, AS_BOB)).status).toBe(403);
      expect(await me(one.token)).toBe(200);
      const reply = await send('POST', '/manage/users/carol/revoke-all', undefined, AS_ALICE);
      expect(reply.status).toBe(200);
      expect(reply.body.revoked).toBeGreaterThanOrEqual(2);
      expect(await me(one.token)).toBe(401);
      expect(await me(two.token)).toBe(401);
      const mine = await issue(fixture.service, BOB, { name: 'self-revoke-all' });
      const self = await send('POST', '/manage/users/bob/revoke-all', undefined, AS_BOB);
      expect(self.status).toBe(200);
      expect(await me(mine.token)).toBe(401);
    });
  });

  describe('max-duration policies', () => {
    it('admins set user and role policies; issuing above them is refused with the limit; explain shows the source', async () => {
      expect((await send('PUT', '/manage/policies/users/bob', { maxTtl: '24h' }, AS_BOB)).status).toBe(403);
      expect((await send('PUT', '/manage/policies/users/bob', { maxTtl: '24h' }, AS_ALICE)).status).toBe(204);
      const tooLong = await send('POST', '/manage/tokens', { ttl: '48h' }, AS_BOB);
      expect(tooLong.status).toBe(422);
      expect(tooLong.body).toMatchObject({ error: 'duration_exceeds_policy', limit: 24 * HOUR });
      expect((await send('POST', '/manage/tokens', { ttl: '12h', name: 'short' }, AS_BOB)).status).toBe(201);
      const explained = await get('/manage/policies/users/bob', AS_ALICE);
      expect(explained.status).toBe(200);
      expect(explained.body).toMatchObject({ maxTtl: 24 * HOUR, source: { kind: 'user', name: 'bob' } });
      expect((await get('/manage/policies/users/bob', AS_BOB)).status).toBe(200);
      expect((await get('/manage/policies/users/bob', AS_CAROL)).status).toBe(403);
      expect((await send('PUT', '/manage/policies/users/bob', { maxTtl: null }, AS_ALICE)).status).toBe(204);
      expect((await send('POST', '/manage/tokens', { ttl: '48h', name: 'long-again' }, AS_BOB)).status).toBe(201);
      expect((await send('PUT', '/manage/policies/roles/service_accounts', { maxTtl: '30d' }, AS_ALICE)).status).toBe(
        204,
      );
      expect((await send('PUT', '/manage/policies/users/bob', {}, AS_ALICE)).status).toBe(400);
      expect((await send('PUT', '/manage/policies/users/bob', { maxTtl: 'ages' }, AS_ALICE)).status).toBe(400);
    });
  });

  describe('outages and recording failures', () => {
    it('answers management calls with 503 while storage is down', async () => {
      fixture.outage.down = true;
      try {
        const listed = await get('/manage/tokens', AS_BOB);
        expect(listed.status).toBe(503);
        expect(listed.body.error).toBe('unavailable');
        expect(listed.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
        expect((await send('POST', '/manage/tokens', { name: 'during-outage' }, AS_BOB)).status).toBe(503);
      } finally {
        fixture.outage.down = false;
      }
      // Nothing half-written: the name is free once storage is back.
      expect((await send('POST', '/manage/tokens', { name: 'during-outage' }, AS_BOB)).status).toBe(201);
    });

    it("answers 500 when the app's tenant resolver throws: the app's error, never the client's, never a pass", async () => {
      const own = await issue(fixture.service, BOB, { name: 'tenant-resolver' });
      const reply = await get('/broken-tenant/me', bearer(own.token));
      expect(reply.status).toBe(500);
      expect(reply.headers.get('www-authenticate')).toBeNull();
      // Express and Fastify hand it to their error handling (their default answers here; the
      // app's handler in test/http/resolver-faults.test.ts); the other entries answer it themselves.
      if (typeof reply.body === 'object' && reply.body !== null && 'error_description' in reply.body) {
        expect(reply.body).toEqual({
          error: 'internal_error',
          message: 'internal error',
          error_description: 'internal error',
        });
      }
    });

    it('warns to the given logger, with the error code only, when recording fails without onRecordError', async () => {
      const lines: [string, string, unknown][] = [];
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const logger = {
        warn: (message: string, fields?: unknown) => void lines.push(['warn', message, fields]),
        error: (message: string, fields?: unknown) => void lines.push(['error', message, fields]),
      };
      const flaky = {
        verify: (token: string): Promise<Principal> => fixture.service.verify(token),
        record: (): Promise<void> => Promise.reject(new TokenError('unavailable', 'disk full')),
      };
      const other = await start({ service: fixture.service, verifier: flaky, logger });
      try {
        const own = await issue(fixture.service, BOB, { name: 'record-logged' });
        expect((await call(other.url, '/api/me', { headers: bearer(own.token) })).status).toBe(200);
        await eventually(async () => (lines.length > 0 ? true : undefined));
        expect(lines).toEqual([['warn', 'recording a use failed', { source: 'tokenward/http', code: 'unavailable' }]]);
        expect(JSON.stringify(lines)).not.toContain(own.token);
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
        await other.close();
      }
    });

    it('does not fail a request when recording its use fails', async () => {
      const failures: unknown[] = [];
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const flaky = {
        verify: (token: string): Promise<Principal> => fixture.service.verify(token),
        record: (): Promise<void> => Promise.reject(new Error('disk full')),
      };
      const other = await start({ service: fixture.service, verifier: flaky, onRecordError: (e) => failures.push(e) });
      try {
        const own = await issue(fixture.service, BOB, { name: 'record-fails' });
        const reply = await call(other.url, '/api/me', { headers: bearer(own.token) });
        expect(reply.status).toBe(200);
        await eventually(async () => (failures.length > 0 ? true : undefined));
        expect(String(failures[0])).toContain('disk full');
        expect(warn).not.toHaveBeenCalled();
      } finally {
        warn.mockRestore();
        await other.close();
      }
    });
  });
}
