/**
 * Authority only narrows, over real sockets (issue 8, findings 1 and 2): the
 * management API with its default actor, the verified token, in front of
 * both frameworks. A narrowed or short-lived credential must not obtain the
 * secret of a stronger one: the service refuses, not the adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeySet, generateSigningKey } from '../../src/jwt/index.js';
import { jwtSessionCodec } from '../../src/jwt/session.js';
import type { TokenService } from '../../src/service/token-service.js';
import { BOB, CAROL, issue, makeFixture } from './support/fixture.js';
import { bearer, call, json, type Reply } from './support/http.js';
import type { RunningServer } from './support/servers.js';
import { TOKEN_APPS } from './support/token-actor.js';

const READ_CSV = { bucket: 'in.c-csv-import', access: 'read' } as const;

async function sessionService(): Promise<TokenService> {
  const keys = await createKeySet({ signing: await generateSigningKey('HS256', { kid: 'session-1' }) });
  const codec = jwtSessionCodec({ keys, issuer: 'https://auth.acme.test', audience: 'https://api.acme.test' });
  return makeFixture({ sessions: { codec } }).service;
}

/** The master token of `user`, created here so the test holds its secret. */
async function master(
  service: TokenService,
  user: { tenant: string; user: string },
): Promise<{ token: string; id: string }> {
  const made = await service.ensureMasterToken(user);
  if (!made.created) throw new Error('expected a new master token');
  return { token: made.token, id: made.info.id };
}

describe.each(TOKEN_APPS)('%s: a token acting on the management API', (_name, start) => {
  let service: TokenService;
  let server: RunningServer;
  const post = (path: string, token: string, body: unknown = {}): Promise<Reply> =>
    call(server.url, path, json('POST', body, bearer(token)));
  const get = (path: string, token: string): Promise<Reply> => call(server.url, path, { headers: bearer(token) });
  const remove = (path: string, token: string): Promise<Reply> =>
    call(server.url, path, { method: 'DELETE', headers: bearer(token) });
  const verifies = async (token: string): Promise<boolean> =>
    service.verify(token).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    service = await sessionService();
    server = await start(service);
  });
  afterAll(() => server.close());

  describe('finding 1: a personal token never reaches its owner’s master or a wider sibling', () => {
    it('a personal token issued with no grants cannot rotate the master (404); the master keeps working', async () => {
      const bobMaster = await master(service, BOB);
      const empty = await issue(service, BOB, { name: 'no-grants', grants: [] });
      const reply = await post(`/manage/tokens/${bobMaster.id}/rotate`, empty.token);
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({ error: 'not_found' });
      expect(reply.text).not.toMatch(/"token"/);
      expect(await verifies(bobMaster.token)).toBe(true);

      const plain = await issue(service, BOB, { name: 'plain-personal' });
      expect((await post(`/manage/tokens/${bobMaster.id}/rotate`, plain.token)).status).toBe(404);
      expect((await post(`/manage/tokens/${bobMaster.id}/share`, plain.token)).status).toBe(404);
      expect((await get(`/manage/tokens/${bobMaster.id}`, plain.token)).status).toBe(404);
      expect(await verifies(bobMaster.token)).toBe(true);
    });

    it('a narrowed token cannot rotate, share, read or revoke a wider sibling', async () => {
      const narrow = await issue(service, CAROL, { name: 'narrow', grants: [READ_CSV], ttl: '30d' });
      // Wider by its grants, or by its lifetime alone.
      const wide = await issue(service, CAROL, { name: 'wide', ttl: '1d' });
      const longer = await issue(service, CAROL, { name: 'longer', type: 'limited', grants: [READ_CSV], ttl: '60d' });
      for (const sibling of [wide, longer]) {
        expect((await post(`/manage/tokens/${sibling.id}/rotate`, narrow.token)).status).toBe(404);
        expect((await post(`/manage/tokens/${sibling.id}/share`, narrow.token)).status).toBe(404);
        expect((await get(`/manage/tokens/${sibling.id}`, narrow.token)).status).toBe(404);
        expect((await remove(`/manage/tokens/${sibling.id}`, narrow.token)).status).toBe(404);
        expect(await verifies(sibling.token)).toBe(true);
      }
      const listed = await get('/manage/tokens?limit=1000', narrow.token);
      expect(listed.status).toBe(200);
      const ids = listed.body.items.map((item: { id: string }) => item.id);
      expect(ids).toContain(narrow.id);
      expect(ids).not.toContain(wide.id);
    });

    it('the same narrowed token still manages itself and narrower siblings, and their shares can be claimed', async () => {
      const narrow = await issue(service, CAROL, { name: 'narrow-2', grants: [READ_CSV], ttl: '30d' });
      const narrower = await issue(service, CAROL, {
        name: 'narrower',
        type: 'limited',
        grants: [READ_CSV],
        ttl: '1d',
      });
      const rotated = await post(`/manage/tokens/${narrower.id}/rotate`, narrow.token);
      expect(rotated.status).toBe(200);
      expect(await verifies(rotated.body.token)).toBe(true);
      const shared = await post(`/manage/tokens/${narrower.id}/share`, narrow.token, { ttl: '1h' });
      expect(shared.status).toBe(201);
      const claimed = await post('/manage/claims', narrow.token, { code: shared.body.code });
      expect(claimed.status).toBe(200);
      expect(claimed.body.info.id).toBe(narrower.id);
      const self = await post(`/manage/tokens/${narrow.id}/rotate`, narrow.token);
      expect(self.status).toBe(200);
      expect(await verifies(self.body.token)).toBe(true);
    });
  });

  describe('finding 2: a short session never becomes a long-lived secret', () => {
    it('a session of a personal token cannot rotate the master (404) nor its own parent (403)', async () => {
      const user = { tenant: 'acme', user: 'alice' } as const;
      const aliceMaster = await master(service, user);
      const parent = await issue(service, user, { name: 'session-parent', ttl: '30d' });
      const session = await service.exchange(parent.token, { ttl: '5m' });

      const toMaster = await post(`/manage/tokens/${aliceMaster.id}/rotate`, session.token);
      expect(toMaster.status).toBe(404);
      expect(await verifies(aliceMaster.token)).toBe(true);

      const toParent = await post(`/manage/tokens/${parent.id}/rotate`, session.token);
      expect(toParent.status).toBe(403);
      expect(toParent.body).toMatchObject({ error: 'forbidden' });
      expect(toParent.text).not.toMatch(/"token"/);
      expect(await verifies(parent.token)).toBe(true);
      expect((await post(`/manage/tokens/${parent.id}/share`, session.token)).status).toBe(403);
      expect((await remove(`/manage/tokens/${parent.id}`, session.token)).status).toBe(403);
      expect((await post('/manage/tokens', session.token, { name: 'from-session' })).status).toBe(403);

      // It still reads what its parent may read.
      expect((await get(`/manage/tokens/${parent.id}`, session.token)).status).toBe(200);

      // RFC 7009 with the session string signs that session out, and only it (the table's "itself").
      const rfc7009 = await call(server.url, '/manage/revoke', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(session.token) },
        body: `token=${session.token}`,
      });
      expect(rfc7009.status).toBe(200);
      expect((await get(`/manage/tokens/${parent.id}`, session.token)).status).toBe(401);
      expect(await verifies(parent.token)).toBe(true);
    });

    it('a session of a master token cannot rotate that master nor create tokens (403)', async () => {
      const user = { tenant: 'acme', user: 'bob' } as const;
      const existing = await service.list({ types: ['master'] }, user);
      const bobMaster = existing.items[0]?.id ?? (await master(service, user)).id;
      const rotated = await service.rotate(bobMaster, user);
      const session = await service.exchange(rotated.token, { ttl: '5m' });
      expect((await post(`/manage/tokens/${bobMaster}/rotate`, session.token)).status).toBe(403);
      expect((await post('/manage/tokens', session.token, { name: 'from-master-session' })).status).toBe(403);
      expect(await verifies(rotated.token)).toBe(true);
    });
  });
});
