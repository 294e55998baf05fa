/**
 * The page's sign-in routes read their bodies by the same rules as the
 * management API (`src/http/json.ts`, `src/http/body.ts`), over real
 * sockets: a member named twice (however escaped) is refused rather than
 * the last one winning, a compressed body is refused unread, and so are
 * bytes that are not UTF-8, another charset, and a body past the limit.
 */
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { type PageServer, startPage, TENANT } from './support.js';

let page: PageServer | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

const both = { signIn: { demoUsers: ['root', 'alice'], token: true } } as const;

interface RawAnswer {
  readonly status: number;
  readonly setCookie: readonly string[];
  // biome-ignore lint/suspicious/noExplicitAny: tests read a few members of each answer
  readonly body: any;
}

/** A POST with exactly these bytes and headers, as a client other than a browser may send it. */
function rawPost(server: PageServer, path: string, headers: Record<string, string>, body: Buffer): Promise<RawAnswer> {
  const url = new URL(`${server.base}${server.mount}${path}`);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: url.pathname,
        headers: { origin: server.base, 'content-length': String(body.length), ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            setCookie: response.headers['set-cookie'] ?? [],
            body: text === '' ? null : JSON.parse(text),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };

describe('page sign-in bodies', () => {
  it('refuses a member named twice instead of letting the last one win, however the name is escaped', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const { token } = await page.service.issue({ name: 'sign-in' }, { tenant: TENANT, user: 'alice' });
    const cases: [string, string][] = [
      ['/page/session/demo', '{"user":"alice","user":"root"}'],
      ['/page/session/demo', '{"user":"alice","us\\u0065r":"root"}'],
      ['/page/session/token', `{"token":"junk","token":"${token}"}`],
      ['/page/session/token', `{"token":"${token}","t\\u006fken":"junk"}`],
    ];
    for (const [path, text] of cases) {
      const answer = await rawPost(page, path, JSON_TYPE, Buffer.from(text));
      expect(answer.status, text).toBe(400);
      expect(answer.body, text).toMatchObject({ error: 'invalid_request' });
      expect(answer.setCookie, text).toEqual([]);
    }
  });

  it('refuses a compressed body unread, as the management API does (415 naming content-encoding)', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const gzipped = gzipSync(Buffer.from('{"user":"root"}'));
    for (const path of ['/page/session/demo', '/page/api/tokens']) {
      const answer = await rawPost(page, path, { ...JSON_TYPE, 'content-encoding': 'gzip' }, gzipped);
      expect(answer.status, path).toBe(415);
      expect(answer.body, path).toMatchObject({ error: 'invalid_request', field: 'content-encoding' });
      expect(answer.setCookie, path).toEqual([]);
    }
  });

  it('refuses bytes that are not UTF-8, another charset, and a body past the limit', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const notUtf8 = Buffer.concat([Buffer.from('{"user":"ro'), Buffer.from([0xff]), Buffer.from('ot"}')]);
    const bad = await rawPost(page, '/page/session/demo', JSON_TYPE, notUtf8);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_request', field: 'body' });
    const latin1 = await rawPost(
      page,
      '/page/session/demo',
      { 'content-type': 'application/json; charset=latin1' },
      Buffer.from('{"user":"root"}'),
    );
    expect(latin1.status).toBe(415);
    expect(latin1.body).toMatchObject({ error: 'invalid_request', field: 'content-type' });
    const big = Buffer.from(JSON.stringify({ user: 'x'.repeat(9000) }));
    const tooLarge = await rawPost(page, '/page/session/demo', JSON_TYPE, big);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ error: 'invalid_request' });
  });

  it('still signs in with a well-formed body', async () => {
    page = await startPage({ tenant: TENANT, ...both });
    const answer = await rawPost(page, '/page/session/demo', JSON_TYPE, Buffer.from('{"user":"root"}'));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ signedIn: true, who: { user: 'root' } });
  });
});
