/**
 * The page's files: served from the package with the right types and
 * validators, naming nothing outside the page's origin, and the page shell
 * with its mount point and title escaped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PAGE_FILES } from '../../src/web/assets-bundle.js';
import { type PageServer, startPage, TENANT } from './support.js';

const assetDir = new URL('../../src/web/assets/', import.meta.url).pathname;

let page: PageServer | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

describe('the page files', () => {
  it('are carried in the module exactly as they stand in src/web/assets (node scripts/embed-web-assets.mjs)', () => {
    const onDisk = Object.fromEntries(
      readdirSync(assetDir)
        .sort()
        .map((name) => [name, readFileSync(join(assetDir, name), 'utf8')]),
    );
    expect(PAGE_FILES).toEqual(onDisk);
  });

  it('name no other origin: no URL, no protocol-relative reference, no CSS import', () => {
    for (const name of readdirSync(assetDir)) {
      const text = readFileSync(join(assetDir, name), 'utf8');
      expect(text, name).not.toMatch(/https?:\/\//);
      expect(text, name).not.toMatch(/(?:src|href|url\()\s*=?\s*["']?\/\//);
      expect(text, name).not.toMatch(/@import/);
      expect(text, name).not.toMatch(/\bstyle=/);
      expect(text, name).not.toMatch(/<script>|\bon[a-z]+=/);
    }
  });

  it('are served with their types, strong validators and 304s', async () => {
    page = await startPage({ tenant: TENANT, actAs: { user: 'alice' } });
    const script = await page.request('GET', '/page/assets/main.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = script.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const again = await page.request('GET', '/page/assets/main.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await page.request('GET', '/page/assets/page.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    for (const missing of ['/page/assets/index.html', '/page/assets/nothing.js', '/page/assets/..%2Foptions.ts']) {
      expect((await page.request('GET', missing)).status, missing).toBe(404);
    }
  });

  it('every module the page imports is served', async () => {
    page = await startPage({ tenant: TENANT, actAs: { user: 'alice' } });
    const seen = new Set<string>();
    const queue = ['main.js'];
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const answer = await page.request('GET', `/page/assets/${name}`);
      expect(answer.status, name).toBe(200);
      for (const match of answer.text.matchAll(/from '\.\/([a-z-]+\.js)'/g)) queue.push(match[1]!);
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  it('the shell points at its files below the mount point, with mount and title escaped', async () => {
    page = await startPage(
      { tenant: TENANT, actAs: { user: 'alice' }, title: 'Tokens <b>&</b> "keys"' },
      { mount: '/account/tokens' },
    );
    const html = (await page.request('GET', '/')).text;
    expect(html).toContain('<title>Tokens &lt;b&gt;&amp;&lt;/b&gt; &quot;keys&quot;</title>');
    expect(html).toContain('<script type="module" src="/account/tokens/page/assets/main.js"></script>');
    expect(html).toContain('<body data-base="/account/tokens/page">');
    expect(html).not.toContain('%BASE%');
  });
});
