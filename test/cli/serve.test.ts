/**
 * `tokenward serve` as a child process: the API-tokens page and its API on
 * loopback, acting as the `--as` user given at start; the management API
 * acting as each request's bearer token; stopped by SIGTERM.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, seededDir, startCli } from './support.js';

/** Starts `serve` on a free port and answers its URL (its first line of output) and a stop function. */
async function serve(dir: string, args: readonly string[]) {
  const child = await startCli(dir, ['serve', '--port', '0', '--json', ...args]);
  child.stdin.end();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [line] = (await Promise.race([
    once(child.stdout.setEncoding('utf8'), 'data'),
    once(child, 'close').then(() => {
      throw new Error(`serve ended: ${stderr}`);
    }),
  ])) as [string];
  const started = JSON.parse(line) as { url: string; tenant: string; actingAs: string };
  const stop = async (): Promise<number | null> => {
    const closed = once(child, 'close');
    child.kill('SIGTERM');
    return ((await closed) as [number | null])[0];
  };
  return { ...started, stop };
}

describe('tokenward serve', () => {
  it('serves the page and its API as the --as user, on loopback, until SIGTERM', async () => {
    const dir = await seededDir();
    const server = await serve(dir, ['--as', 'analyst']);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(server).toMatchObject({ tenant: 'default', actingAs: 'analyst' });
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const session = (await (await fetch(`${server.url}page/session`)).json()) as Record<string, unknown>;
      expect(session).toMatchObject({ signedIn: true, admin: false });
      // The page's API acts as analyst: a token made there is analyst's.
      const origin = server.url.slice(0, -1);
      const created = await fetch(`${server.url}page/api/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ name: 'from-the-page', ttl: '1d' }),
      });
      expect(created.status).toBe(201);
      const { token } = (await created.json()) as { token: string };
      const listed = await cliJson<{ items: { name: string; owner: string }[] }>(dir, ['--as', 'analyst', 'list']);
      expect(listed.json.items).toEqual([expect.objectContaining({ name: 'from-the-page', owner: 'analyst' })]);
      // Another site cannot drive it (origin check), nor a name pointed at the port (host check).
      const crossSite = await fetch(`${server.url}page/api/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify({ name: 'evil' }),
      });
      expect(crossSite.status).toBe(403);
      // The management API acts as the bearer token, not as analyst.
      expect((await fetch(`${server.url}manage/tokens`)).status).toBe(401);
      const bearer = { authorization: `Bearer ${token}` };
      const mine = await fetch(`${server.url}manage/tokens`, { headers: bearer });
      expect(mine.status).toBe(200);
      expect(((await mine.json()) as { items: { name: string }[] }).items.map((item) => item.name)).toEqual([
        'from-the-page',
      ]);
      // A personal token creates no token (only master tokens do), whoever the page acts as.
      const issued = await fetch(`${server.url}manage/tokens`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'via-token' }),
      });
      expect(issued.status).toBe(403);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('acts as the operator without --as, and refuses an unknown user and a host that is not loopback', async () => {
    const dir = await seededDir();
    const server = await serve(dir, []);
    try {
      expect(server.actingAs).toBe('system');
      const session = (await (await fetch(`${server.url}page/session`)).json()) as Record<string, unknown>;
      expect(session).toMatchObject({ signedIn: true, admin: true });
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const unknown = await cli(dir, ['serve', '--port', '0', '--as', 'nobody']);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('not_found')]);
    const wide = await cli(dir, ['serve', '--host', '0.0.0.0']);
    expect([wide.code, wide.stderr]).toEqual([2, expect.stringContaining('--host must be a loopback address')]);
  });
});
