/**
 * The Fetch API and Hono examples of docs/http.md (examples/fetch-worker.ts,
 * examples/hono-app.ts) run as they are, with requests made in process.
 */
import { describe, expect, it } from 'vitest';
import worker, { tokens as workerTokens } from '../../examples/fetch-worker.js';
import app, { tokens as honoTokens } from '../../examples/hono-app.js';

const BOB = { tenant: 'acme', user: 'bob' } as const;

describe('examples/fetch-worker.ts', () => {
  it('guards, manages and introspects', async () => {
    const bob = await workerTokens.issue({ name: 'example' }, BOB);
    const get = (path: string, token?: string) =>
      worker.fetch(
        new Request(
          `https://worker.example${path}`,
          token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
        ),
      );
    expect(await (await get('/buckets/main', bob.token)).json()).toEqual({ owner: 'bob' });
    expect((await get('/buckets/main')).status).toBe(401);
    const listed = await get('/api/tokens-admin/tokens', bob.token);
    expect((await listed.json()).items.map((item: { name: string }) => item.name)).toContain('example');
    expect((await get('/api/tokens-admin/openapi.json')).status).toBe(200);
    expect((await get('/oauth/introspect')).status).toBe(405);
  });
});

describe('examples/hono-app.ts', () => {
  it('guards and manages', async () => {
    const bob = await honoTokens.issue({ name: 'example' }, BOB);
    const headers = { authorization: `Bearer ${bob.token}` };
    expect(await (await app.request('/api/buckets/main', { headers })).json()).toEqual({ owner: 'bob' });
    expect((await app.request('/api/buckets/main')).status).toBe(401);
    const listed = await app.request('/tokens-admin/tokens', { headers });
    expect((await listed.json()).items.map((item: { name: string }) => item.name)).toContain('example');
    const introspected = await app.request('/oauth/introspect', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${bob.token}`,
    });
    expect(introspected.status).toBe(401);
  });
});
