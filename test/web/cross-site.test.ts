/**
 * Requests from other sites: a page on another origin cannot make the tokens
 * page act. `Host` must be one of the page's own hosts (DNS rebinding),
 * state-changing requests must carry an allowed `Origin`, bodies must be
 * JSON, and every answer carries the strict Content-Security-Policy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PAGE_CSP } from '../../src/web/index.js';
import { demoSignIn, type PageServer, requestWithHost, sessionCookieOf, startPage, TENANT } from './support.js';

let page: PageServer | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

const demo = { signIn: { demoUsers: ['alice', 'root'] } } as const;

describe('Host: the page answers only for its own names', () => {
  it('by default, loopback names only, on any port', async () => {
    page = await startPage({ tenant: TENANT, ...demo });
    const port = new URL(page.base).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect((await requestWithHost(page, 'GET', '/', { host })).status, host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, 'a@127.0.0.1']) {
      for (const path of ['/', '/page/session', '/page/assets/main.js', '/page/api/tokens']) {
        const answer = await requestWithHost(page, 'GET', path, { host });
        expect(answer.status, `${host} ${path}`).toBe(403);
        expect(JSON.parse(answer.text).error).toBe('forbidden');
      }
    }
  });

  it('refuses a rebinding page even when the page acts as a fixed user without any cookie', async () => {
    page = await startPage({ tenant: TENANT, actAs: { user: 'alice' } });
    const port = new URL(page.base).port;
    expect((await requestWithHost(page, 'GET', '/page/api/tokens', { host: `127.0.0.1:${port}` })).status).toBe(200);
    const rebound = await requestWithHost(page, 'GET', '/page/api/tokens', { host: `attacker.example:${port}` });
    expect(rebound.status).toBe(403);
    const post = await requestWithHost(
      page,
      'POST',
      '/page/api/tokens',
      {
        host: `attacker.example:${port}`,
        origin: `http://attacker.example:${port}`,
        'content-type': 'application/json',
      },
      '{}',
    );
    expect(post.status).toBe(403);
    expect((await page.service.list({}, { tenant: TENANT, user: 'alice' })).items).toEqual([]);
  });

  it('with allowedOrigins, exactly their hosts; cookies are Secure when every origin is https', async () => {
    page = await startPage({ tenant: TENANT, ...demo, allowedOrigins: ['https://Tokens.Example.com'] });
    const ok = await requestWithHost(page, 'GET', '/', { host: 'tokens.example.com' });
    expect(ok.status).toBe(200);
    expect((await requestWithHost(page, 'GET', '/', { host: 'tokens.example.com:443' })).status).toBe(200);
    expect((await requestWithHost(page, 'GET', '/', { host: 'tokens.example.com:8443' })).status).toBe(403);
    expect((await requestWithHost(page, 'GET', '/', { host: new URL(page.base).host })).status).toBe(403);
    const signIn = await requestWithHost(
      page,
      'POST',
      '/page/session/demo',
      { host: 'tokens.example.com', origin: 'https://tokens.example.com', 'content-type': 'application/json' },
      '{"user":"alice"}',
    );
    expect(signIn.status).toBe(200);
    expect(signIn.headers['set-cookie']?.[0]).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    expect(JSON.parse(signIn.text).shareUrl).toBe('https://tokens.example.com/');
  });
});

describe('Origin: state-changing requests come from the page itself', () => {
  it('refuses requests with no Origin, another Origin, or the opaque "null" origin, before they act', async () => {
    page = await startPage({ tenant: TENANT, ...demo });
    const cookie = await demoSignIn(page, 'alice');
    for (const origin of [null, 'http://evil.example', 'null', `${page.base}.evil.example`, 'http://localhost:1']) {
      const create = await page.request('POST', '/page/api/tokens', { cookie, origin, body: { name: 'forged' } });
      expect(create.status, String(origin)).toBe(403);
      expect(create.body.error).toBe('forbidden');
      const signIn = await page.request('POST', '/page/session/demo', { origin, body: { user: 'root' } });
      expect(signIn.status).toBe(403);
      expect(signIn.headers.getSetCookie()).toEqual([]);
      expect((await page.request('DELETE', '/page/session', { cookie, origin })).status).toBe(403);
    }
    expect((await page.service.list({}, { tenant: TENANT, user: 'alice' })).items).toEqual([]);
    // The sign-in survived every forged sign-out, and the page's own origin works.
    const create = await page.request('POST', '/page/api/tokens', { cookie, body: { name: 'mine' } });
    expect(create.status).toBe(201);
  });

  it('lets reads through without Origin (they change nothing)', async () => {
    page = await startPage({ tenant: TENANT, ...demo });
    const cookie = await demoSignIn(page, 'alice');
    expect((await page.request('GET', '/page/api/tokens', { cookie, origin: null })).status).toBe(200);
  });
});

describe('bodies: JSON only', () => {
  it('refuses what a cross-site form can send, on the sign-in and the management routes', async () => {
    page = await startPage({ tenant: TENANT, ...demo });
    const cookie = await demoSignIn(page, 'alice');
    const forms = [
      { type: 'application/x-www-form-urlencoded', text: 'user=root' },
      { type: 'text/plain', text: '{"user":"root"}' },
      {
        type: 'multipart/form-data; boundary=x',
        text: '--x\r\nContent-Disposition: form-data; name="user"\r\n\r\nroot\r\n--x--',
      },
    ];
    for (const raw of forms) {
      const signIn = await page.request('POST', '/page/session/demo', { raw });
      expect(signIn.status, raw.type).toBe(415);
      expect(signIn.body).toMatchObject({ error: 'invalid_request', field: 'content-type' });
      const create = await page.request('POST', '/page/api/tokens', { cookie, raw: { ...raw, text: 'name=x' } });
      expect(create.status, raw.type).toBe(415);
    }
  });
});

describe('headers', () => {
  it('sends the strict Content-Security-Policy and friends on the page, its files and its API', async () => {
    page = await startPage({ tenant: TENANT, ...demo });
    const cookie = await demoSignIn(page, 'alice');
    for (const path of ['/', '/page/assets/main.js', '/page/assets/page.css', '/page/session', '/page/api/tokens']) {
      const answer = await page.request('GET', path, { cookie });
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get('content-security-policy'), path).toBe(PAGE_CSP);
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(PAGE_CSP).toContain("default-src 'none'");
    expect(PAGE_CSP).toContain("script-src 'self'");
    expect(PAGE_CSP).not.toContain('unsafe');
    const html = await page.request('GET', '/');
    expect(html.headers.get('cache-control')).toBe('no-store');
  });

  it('leaves paths it does not own to the app', async () => {
    page = await startPage({ tenant: TENANT, ...demo });
    const answer = await page.request('POST', '/api/whatever', { origin: null, body: {} });
    // Express's own 404: no page headers, no origin check.
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-security-policy')).not.toBe(PAGE_CSP);
  });

  it('the session cookie is never readable by the page script', async () => {
    page = await startPage({ tenant: TENANT, ...demo });
    const answer = await page.request('POST', '/page/session/demo', { body: { user: 'alice' } });
    expect(sessionCookieOf(answer)).toMatch(/^tw_page=/);
    expect(answer.headers.getSetCookie()[0]).toContain('HttpOnly');
  });
});
