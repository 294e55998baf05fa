/**
 * Sign-in and sign-out of the tokens page over real sockets: the cookie's
 * attributes, demo sign-in, token sign-in under the actor table (it views and
 * never creates, rotates, shares or revokes), the end of a token sign-in when
 * its token is revoked, rotated or expires, sign-out deleting the server-side
 * record, fixation and cookie tossing, and a sign-in store that fails closed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { PageSession, PageSessionStore } from '../../src/web/index.js';
import { memoryPageSessions } from '../../src/web/index.js';
import {
  demoSignIn,
  type PageServer,
  pageService,
  sessionCookieOf,
  startPage,
  TENANT,
  tokenSignIn,
} from './support.js';

let page: PageServer | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

const both = { signIn: { demoUsers: ['root', 'alice', 'analyst', 'nobody'], token: true } } as const;

describe('demo sign-in', () => {
  it('sets an HttpOnly, SameSite=Strict cookie scoped to the page, holding a random id only', async () => {
    page = await startPage({ tenant: TENANT, ...both }, { mount: '/tokens' });
    const answer = await page.request('POST', '/page/session/demo', { body: { user: 'alice' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ signedIn: true, who: { kind: 'user', user: 'alice' }, admin: false });
    const [cookie] = answer.headers.getSetCookie();
    expect(cookie).toMatch(
      /^tw_page=[A-Za-z0-9_-]{43}; Path=\/tokens\/page; Max-Age=28800; HttpOnly; SameSite=Strict$/,
    );
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses users that are not demo users, and demo users the directory does not know', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const stranger = await page.request('POST', '/page/session/demo', { body: { user: 'gina' } });
    expect(stranger.status).toBe(403);
    expect(stranger.headers.getSetCookie()).toEqual([]);
    const unknown = await page.request('POST', '/page/session/demo', { body: { user: 'nobody' } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });

  it('answers bad bodies with invalid_request naming the field', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const cases: [unknown, string][] = [
      [{}, 'user'],
      [{ user: 7 }, 'user'],
      [{ user: '' }, 'user'],
      [{ user: 'alice', admin: true }, 'admin'],
      [[], 'body'],
    ];
    for (const [body, field] of cases) {
      const answer = await page.request('POST', '/page/session/demo', { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_request', field });
    }
    const broken = await page.request('POST', '/page/session/demo', { raw: { type: 'application/json', text: '{' } });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ error: 'invalid_request', field: 'body' });
  });

  it('tells admins apart by asking the service, and gives the user their policy', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    await page.service.setMaxTtl({ tenant: TENANT, role: 'service_accounts' }, '30d', 'system');
    const root = await page.request('GET', '/page/session', { cookie: await demoSignIn(page, 'root') });
    expect(root.body).toMatchObject({ admin: true, canManage: true, policy: { source: { kind: 'system' } } });
    const analyst = await page.request('GET', '/page/session', { cookie: await demoSignIn(page, 'analyst') });
    expect(analyst.body).toMatchObject({
      admin: false,
      policy: { maxTtl: 30 * 86_400_000, source: { kind: 'role', name: 'service_accounts' } },
    });
  });
});

describe('sign-out', () => {
  it('deletes the stored sign-in: the same cookie, replayed, opens nothing', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const cookie = await demoSignIn(page, 'alice');
    expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(200);
    const out = await page.request('DELETE', '/page/session', { cookie });
    expect(out.status).toBe(200);
    expect(out.body.signedIn).toBe(false);
    expect(out.headers.getSetCookie()[0]).toMatch(/^tw_page=; Path=\/page; Max-Age=0; HttpOnly; SameSite=Strict$/);
    expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(401);
    expect((await page.request('GET', '/page/session', { cookie })).body.signedIn).toBe(false);
  });

  it('gives a new id at every sign-in and forgets the one before (no session fixation)', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const first = await demoSignIn(page, 'alice');
    const again = await page.request('POST', '/page/session/demo', { cookie: first, body: { user: 'root' } });
    const second = sessionCookieOf(again);
    expect(second).not.toBe(first);
    expect((await page.request('GET', '/page/session', { cookie: first })).body.signedIn).toBe(false);
    expect((await page.request('GET', '/page/session', { cookie: second })).body.who).toEqual({
      kind: 'user',
      user: 'root',
    });
  });

  it('ignores a cookie sent twice (a sibling site tossing its own in)', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const alice = await demoSignIn(page, 'alice');
    const root = await demoSignIn(page, 'root');
    const answer = await page.request('GET', '/page/api/tokens', { cookie: `${root}; ${alice}` });
    expect(answer.status).toBe(401);
  });
});

describe('token sign-in', () => {
  it('acts as the token: it lists, and creates, rotates, shares, revokes and comments nothing', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const { service } = page;
    // Issued first, so it ends no later than `login`: within the session's authority, so it sees it.
    const other = await service.issue({ name: 'other', ttl: '30d' }, { tenant: TENANT, user: 'alice' });
    const login = await service.issue({ name: 'login' }, { tenant: TENANT, user: 'alice' });
    const signedIn = await page.request('POST', '/page/session/token', { body: { token: login.token } });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({
      who: { kind: 'token', name: 'login', type: 'personal', owner: 'alice' },
      canManage: false,
      signOut: true,
    });
    // The session token stays on the server: the browser gets a random id, and no JWT in any answer.
    expect(signedIn.text).not.toMatch(/eyJ/);
    const cookie = sessionCookieOf(signedIn);
    const listed = await page.request('GET', '/page/api/tokens', { cookie });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { name: string }) => item.name).sort()).toEqual(['login', 'other']);
    for (const id of [login.info.id, other.info.id]) {
      expect((await page.request('POST', `/page/api/tokens/${id}/rotate`, { cookie, body: {} })).status).toBe(403);
      expect((await page.request('POST', `/page/api/tokens/${id}/share`, { cookie, body: {} })).status).toBe(403);
      expect((await page.request('DELETE', `/page/api/tokens/${id}`, { cookie })).status).toBe(403);
      expect((await page.request('PATCH', `/page/api/tokens/${id}`, { cookie, body: { comment: 'x' } })).status).toBe(
        403,
      );
    }
    expect((await page.request('POST', '/page/api/tokens', { cookie, body: { name: 'more' } })).status).toBe(403);
    expect((await page.request('GET', `/page/api/tokens/${other.info.id}/events`, { cookie })).status).toBe(200);
    const names = (await service.list({ hideRevoked: false }, { tenant: TENANT, user: 'alice' })).items.map(
      (item) => `${item.name}:${item.status}`,
    );
    expect(names.sort()).toEqual(['login:active', 'other:active']);
  });

  it("a master token's session cannot create either", async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const master = await page.service.ensureMasterToken({ tenant: TENANT, user: 'alice' });
    if (!master.created) throw new Error('expected a new master token');
    const cookie = await tokenSignIn(page, master.token);
    expect((await page.request('POST', '/page/api/tokens', { cookie, body: { name: 'x' } })).status).toBe(403);
    expect((await page.request('POST', `/page/api/tokens/${master.info.id}/rotate`, { cookie, body: {} })).status).toBe(
      403,
    );
  });

  it('takes master and personal tokens only, of the page tenant only', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const { service } = page;
    const limited = await service.issue({ type: 'limited', grants: [] }, { tenant: TENANT, user: 'alice' });
    const administrative = await service.issue({ type: 'administrative', tenant: TENANT }, 'system');
    const foreign = await service.issue({ tenant: 'globex', owner: 'gina' }, 'system');
    for (const token of [limited.token, administrative.token]) {
      const answer = await page.request('POST', '/page/session/token', { body: { token } });
      expect(answer.status).toBe(403);
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    const other = await page.request('POST', '/page/session/token', { body: { token: foreign.token } });
    expect(other.status).toBe(401);
    const junk = await page.request('POST', '/page/session/token', { body: { token: 'not-a-token' } });
    expect(junk.status).toBe(401);
    expect(junk.text).not.toContain('not-a-token');
  });

  for (const [how, end] of [
    ['revoked', (service: PageServer['service'], id: string) => service.revoke(id, 'system')],
    ['rotated', (service: PageServer['service'], id: string) => service.rotate(id, 'system')],
  ] as const) {
    it(`ends at the next request once its token is ${how}, and says so once`, async () => {
      page = await startPage({ tenant: TENANT, ...both });
      const login = await page.service.issue({ name: 'login' }, { tenant: TENANT, user: 'alice' });
      const cookie = await tokenSignIn(page, login.token);
      expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(200);
      await end(page.service, login.info.id);
      const refused = await page.request('GET', '/page/api/tokens', { cookie });
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe('token_revoked');
      expect(refused.headers.getSetCookie()[0]).toMatch(/^tw_page=; .*Max-Age=0/);
      // The record is gone: the page now simply reads as signed out.
      expect((await page.request('GET', '/page/session', { cookie })).body).toMatchObject({ signedIn: false });
    });
  }

  it('reports the end on the page when the status is asked first', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const login = await page.service.issue({ name: 'login' }, { tenant: TENANT, user: 'alice' });
    const cookie = await tokenSignIn(page, login.token);
    await page.service.revoke(login.info.id, 'system');
    const status = await page.request('GET', '/page/session', { cookie });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ signedIn: false, ended: 'token_revoked' });
  });

  it('ends when its session expires, even where a store keeps the record longer', async () => {
    let now = Date.UTC(2026, 0, 1);
    const service = await pageService({ now: () => now });
    // A store that stretches every record: the session token's own expiry still ends the sign-in.
    const records = new Map<string, PageSession>();
    const stretching: PageSessionStore = {
      get: (key) => records.get(key),
      set: (key, session) => {
        records.set(key, { ...session, expiresAt: session.expiresAt + 86_400_000 });
      },
      delete: (key) => {
        records.delete(key);
      },
    };
    page = await startPage(
      { tenant: TENANT, ...both, tokenSessionTtl: '5m', now: () => now, sessionStore: stretching },
      { service },
    );
    const login = await service.issue({ name: 'login' }, { tenant: TENANT, user: 'alice' });
    const cookie = await tokenSignIn(page, login.token);
    expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(200);
    now += 5 * 60_000;
    const refused = await page.request('GET', '/page/api/tokens', { cookie });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe('token_expired');
    expect(records.size).toBe(0);
  });

  it('ends with its record under the default store', async () => {
    let now = Date.UTC(2026, 0, 1);
    const service = await pageService({ now: () => now });
    page = await startPage({ tenant: TENANT, ...both, tokenSessionTtl: '5m', now: () => now }, { service });
    const login = await service.issue({ name: 'login' }, { tenant: TENANT, user: 'alice' });
    const signedIn = await page.request('POST', '/page/session/token', { body: { token: login.token } });
    expect(signedIn.headers.getSetCookie()[0]).toContain('Max-Age=300;');
    const cookie = sessionCookieOf(signedIn);
    now += 5 * 60_000 - 1;
    expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(200);
    now += 1;
    expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(401);
  });

  it('is not offered unless asked for', async () => {
    page = await startPage({ tenant: TENANT, signIn: { demoUsers: ['alice'] } });
    const login = await page.service.issue({ name: 'login' }, { tenant: TENANT, user: 'alice' });
    expect((await page.request('POST', '/page/session/token', { body: { token: login.token } })).status).toBe(404);
    expect((await page.request('GET', '/page/session')).body.signIn).toEqual({ demoUsers: ['alice'], token: false });
  });
});

describe('the sign-in store', () => {
  const broken = (): PageSessionStore => ({
    get: () => Promise.reject(new Error('store down')),
    set: () => {
      throw new Error('store down');
    },
    delete: () => Promise.reject(new Error('store down')),
  });

  it('fails closed: 503 unavailable, never a pass, never a crash', async () => {
    page = await startPage({ tenant: TENANT, ...both, sessionStore: broken() });
    const signIn = await page.request('POST', '/page/session/demo', { body: { user: 'alice' } });
    expect(signIn.status).toBe(503);
    expect(signIn.body.error).toBe('unavailable');
    expect(signIn.headers.get('retry-after')).toBe('5');
    expect(signIn.headers.getSetCookie()).toEqual([]);
    const cookie = `tw_page=${'a'.repeat(43)}`;
    expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(503);
    expect((await page.request('GET', '/page/session', { cookie })).status).toBe(503);
    expect((await page.request('GET', '/page/session')).status).toBe(200);
  });

  it('treats records it did not write as no sign-in', async () => {
    const records = new Map<string, unknown>();
    const store: PageSessionStore = {
      get: (key) => records.get(key) as PageSession | undefined,
      set: (key, session) => {
        records.set(key, session);
      },
      delete: (key) => {
        records.delete(key);
      },
    };
    page = await startPage({ tenant: TENANT, ...both, sessionStore: store });
    const cookie = await demoSignIn(page, 'alice');
    const [key] = [...records.keys()];
    records.set(key!, { kind: 'user', tenant: TENANT, user: 42, expiresAt: Date.now() + 60_000 });
    expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(401);
    // Sign-ins of another tenant's page are not this page's.
    records.set(key!, { kind: 'user', tenant: 'globex', user: 'gina', expiresAt: Date.now() + 60_000 });
    expect((await page.request('GET', '/page/api/tokens', { cookie })).status).toBe(401);
  });

  it('memoryPageSessions keeps at most maxEntries, dropping the oldest, and forgets expired ones', () => {
    let now = 1000;
    const store = memoryPageSessions({ maxEntries: 2, now: () => now });
    const record = (user: string, expiresAt: number): PageSession => ({
      kind: 'user',
      tenant: TENANT,
      user,
      expiresAt,
    });
    store.set('a', record('a', 5000));
    store.set('b', record('b', 5000));
    store.set('c', record('c', 5000));
    const users = [store.get('a'), store.get('b'), store.get('c')].map((found) =>
      found !== undefined && 'user' in found ? found.user : undefined,
    );
    expect(users).toEqual([undefined, 'b', 'c']);
    now = 5000;
    expect(store.get('b')).toBeUndefined();
    expect(() => memoryPageSessions({ maxEntries: 0 })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
