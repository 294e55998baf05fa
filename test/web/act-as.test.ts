/**
 * `actAs`: the page without its own sign-in, as `tokenward serve --as` and
 * apps with their own sessions mount it. The service still decides every
 * call: a fixed user is not an admin unless the directory says so.
 */
import type { Request } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { type PageServer, startPage, TENANT } from './support.js';

let page: PageServer | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

describe('actAs', () => {
  it('a fixed user: the page acts as them, with no sign-in and no sign-out', async () => {
    page = await startPage({ tenant: TENANT, actAs: { user: 'alice' } });
    const status = await page.request('GET', '/page/session');
    expect(status.body).toMatchObject({
      signedIn: true,
      who: { kind: 'user', user: 'alice' },
      admin: false,
      canManage: true,
      signOut: false,
      signIn: { demoUsers: [], token: false },
    });
    const created = await page.request('POST', '/page/api/tokens', { body: { name: 'mine', ttl: '7d' } });
    expect(created.status).toBe(201);
    expect(created.body.info.owner).toBe('alice');
    // Not an admin: other users' tokens stay out of reach.
    expect((await page.request('GET', '/page/api/tokens?all=true')).status).toBe(403);
    expect((await page.request('DELETE', '/page/session')).status).toBe(403);
    expect((await page.request('POST', '/page/session/demo', { body: { user: 'root' } })).status).toBe(404);
  });

  it("'system': the operator, with every right, naming the tenant", async () => {
    page = await startPage({ tenant: TENANT, actAs: 'system' });
    const status = await page.request('GET', '/page/session');
    expect(status.body).toMatchObject({ who: { kind: 'system' }, admin: true, canManage: true, policy: null });
    const created = await page.request('POST', '/page/api/tokens', {
      body: { tenant: TENANT, owner: 'alice', name: 'for-alice' },
    });
    expect(created.status).toBe(201);
    const all = await page.request('GET', `/page/api/tokens?all=true&tenant=${TENANT}`);
    expect(all.body.items.map((item: { name: string }) => item.name)).toEqual(['for-alice']);
  });

  it("a function of the request: the app's own session; null reads as signed out", async () => {
    page = await startPage({
      tenant: TENANT,
      actAs: (req: Request) => {
        const user = req.get('x-app-user');
        return user === undefined ? null : { user };
      },
    });
    expect((await page.request('GET', '/page/session')).body.signedIn).toBe(false);
    expect((await page.request('GET', '/page/api/tokens')).status).toBe(401);
    const root = await page.request('GET', '/page/session', { headers: { 'x-app-user': 'root' } });
    expect(root.body).toMatchObject({ who: { kind: 'user', user: 'root' }, admin: true });
  });
});
