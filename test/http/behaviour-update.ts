/**
 * The HTTP behaviour of issue 13 both frameworks must share: PATCH with the
 * new fields (errors naming the body's fields), enable and disable (a
 * disabled token answers 401 with RFC 6750's `invalid_token`), the
 * expiring listing, and `meta` in RFC 7662 introspection. `express.test.ts`
 * and `fastify.test.ts` run it against their server factory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, type Fixture, issue, makeFixture, REALM } from './support/fixture.js';
import { bearer, call, json, type Reply } from './support/http.js';
import type { RunningServer, StartServer } from './support/servers.js';

const AS_BOB = { 'x-test-user': 'bob' };
const AS_ALICE = { 'x-test-user': 'alice' };

export function updateBehaviourSuite(start: StartServer): void {
  let fixture: Fixture;
  let server: RunningServer;
  const get = (path: string, headers: Record<string, string> = {}): Promise<Reply> =>
    call(server.url, path, { headers });
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    call(server.url, path, body === undefined ? { method, headers } : json(method, body, headers));

  beforeAll(async () => {
    fixture = makeFixture();
    server = await start({ service: fixture.service });
  });
  afterAll(() => server.close());

  describe('PATCH /manage/tokens/:id', () => {
    it('changes name, comment, meta, grants and ttl in place', async () => {
      const own = await issue(fixture.service, BOB, { name: 'patched', ttl: '1d' });
      const reply = await send(
        'PATCH',
        `/manage/tokens/${own.id}`,
        {
          name: 'patched-2',
          comment: 'now with meta',
          meta: { customer: 'cus_9', seats: 2 },
          grants: [{ bucket: 'in.c-csv-import', access: 'read' }],
          ttl: '7d',
        },
        AS_BOB,
      );
      expect(reply.status).toBe(200);
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(reply.body).toMatchObject({
        id: own.id,
        name: 'patched-2',
        comment: 'now with meta',
        meta: { customer: 'cus_9', seats: 2 },
        grants: [{ bucket: 'in.c-csv-import', access: 'read' }],
        enabled: true,
      });
      expect(Date.parse(reply.body.expiresAt) - Date.now()).toBeGreaterThan(6 * 86_400_000);
    });

    it('names the body field it refuses, and answers policy and name errors with their statuses', async () => {
      const own = await issue(fixture.service, BOB, { name: 'refusing' });
      await issue(fixture.service, BOB, { name: 'taken-name' });
      const cases: [unknown, number, string, string | undefined][] = [
        [{}, 400, 'invalid_request', 'body'],
        [{ enabled: 'yes' }, 400, 'invalid_request', 'enabled'],
        [{ meta: [1, 2] }, 400, 'invalid_request', 'meta'],
        [{ grants: [{ scope: 'x y' }] }, 400, 'invalid_request', 'grants[0]'],
        [{ ttl: '2y' }, 422, 'duration_exceeds_policy', 'ttl'],
        [{ name: 'taken-name' }, 409, 'conflict', undefined],
        [{ grants: [{ bucket: 'in.c-csv-import', access: 'write' }] }, 403, 'insufficient_scope', undefined],
      ];
      for (const [body, status, error, field] of cases) {
        const reply = await send('PATCH', `/manage/tokens/${own.id}`, body, AS_BOB);
        expect([reply.status, reply.body.error, reply.body.field], JSON.stringify(body)).toEqual([
          status,
          error,
          field,
        ]);
        if (field !== undefined && field !== 'body') expect(reply.body.message.startsWith(field)).toBe(true);
      }
    });
  });

  describe('POST /manage/tokens with meta and enabled', () => {
    it('issues a token with its meta, or disabled, and checks both fields', async () => {
      const created = await send(
        'POST',
        '/manage/tokens',
        { name: 'born-off', meta: { order: 'o-1' }, enabled: false },
        AS_BOB,
      );
      expect(created.status).toBe(201);
      expect(created.body.info).toMatchObject({ name: 'born-off', meta: { order: 'o-1' }, enabled: false });
      const refused = await get('/api/me', bearer(created.body.token));
      expect([refused.status, refused.body.error]).toEqual([401, 'token_disabled']);
      const badMeta = await send('POST', '/manage/tokens', { name: 'bad-meta', meta: 'x' }, AS_BOB);
      expect([badMeta.status, badMeta.body.field]).toEqual([400, 'meta']);
      const badFlag = await send('POST', '/manage/tokens', { name: 'bad-flag', enabled: 1 }, AS_BOB);
      expect([badFlag.status, badFlag.body.field]).toEqual([400, 'enabled']);
    });
  });

  describe('enable and disable', () => {
    it('a disabled token answers 401 invalid_token (token_disabled) until enabled again', async () => {
      const own = await issue(fixture.service, BOB, { name: 'switch' });
      expect((await get('/api/me', bearer(own.token))).status).toBe(200);
      const off = await send('POST', `/manage/tokens/${own.id}/disable`, {}, AS_BOB);
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: own.id, enabled: false });
      const refused = await get('/api/me', bearer(own.token));
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('token_disabled');
      expect(refused.headers.get('www-authenticate')).toBe(`Bearer realm="${REALM}", error="invalid_token"`);
      // Acting through the disabled token is refused the same way.
      expect((await get('/manage/tokens', bearer(own.token))).status).toBe(401);
      const on = await send('POST', `/manage/tokens/${own.id}/enable`, {}, AS_BOB);
      expect(on.body).toMatchObject({ enabled: true });
      expect((await get('/api/me', bearer(own.token))).status).toBe(200);
      expect((await send('POST', `/manage/tokens/${own.id}/disable`, { why: 'x' }, AS_BOB)).status).toBe(400);
      expect((await send('POST', `/manage/tokens/${own.id}/disable`, {}, AS_ALICE)).status).toBe(200);
      expect((await send('POST', `/manage/tokens/${own.id}/enable`, {}, { 'x-test-user': 'carol' })).status).toBe(404);
    });
  });

  describe('GET /manage/tokens?expiringWithin=', () => {
    it('lists the live tokens expiring within the window, soonest first', async () => {
      const later = await issue(fixture.service, ALICE, { name: 'exp-later', ttl: '5d' });
      const sooner = await issue(fixture.service, ALICE, { name: 'exp-sooner', ttl: '1h' });
      await issue(fixture.service, ALICE, { name: 'exp-far', ttl: '60d' });
      const reply = await get('/manage/tokens?expiringWithin=1w', AS_ALICE);
      expect(reply.status).toBe(200);
      const names = reply.body.items.map((item: { name: string }) => item.name);
      expect(names.filter((name: string) => name.startsWith('exp-'))).toEqual(['exp-sooner', 'exp-later']);
      expect(reply.body.items.map((item: { id: string }) => item.id)).toEqual(
        expect.arrayContaining([sooner.id, later.id]),
      );
      const bad = await get('/manage/tokens?expiringWithin=soon', AS_ALICE);
      expect([bad.status, bad.body.field]).toEqual([400, 'expiringWithin']);
      const mixed = await get('/manage/tokens?expiringWithin=1w&hideExpired=false', AS_ALICE);
      expect([mixed.status, mixed.body.field]).toEqual([400, 'hideExpired']);
    });
  });

  describe('meta on the principal', () => {
    it('RFC 7662 introspection carries meta, and only when the token has one', async () => {
      const admin = await issue(fixture.service, ALICE, { type: 'administrative', name: 'introspector-meta' });
      const withMeta = await issue(fixture.service, BOB, { name: 'has-meta', meta: { app: 'billing' } });
      const without = await issue(fixture.service, BOB, { name: 'no-meta' });
      const ask = (token: string) =>
        call(server.url, '/oauth/introspect', json('POST', { token }, bearer(admin.token)));
      expect((await ask(withMeta.token)).body).toMatchObject({ active: true, meta: { app: 'billing' } });
      expect((await ask(without.token)).body).not.toHaveProperty('meta');
    });
  });
}
