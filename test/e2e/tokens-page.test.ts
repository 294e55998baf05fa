/**
 * The API-tokens page of `npm run demo`, walked in a real Chromium: sign in,
 * create, copy, see it listed, edit the comment, rotate (the old secret is
 * refused), share and claim, revoke, Hide revoked / Hide expired, events,
 * the admin's views of every user's tokens and of the duration policies, the
 * token sign-in (which can neither create nor rotate, and ends when its token
 * is revoked), and sign-out. No request leaves the demo's origin and the
 * console stays free of errors. `UPDATE_SCREENSHOT=1` writes docs/tokens-page.png.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { looksLikeToken } from '../../src/index.js';
import { describeBrowser, launchBrowser, type TestBrowser } from './support/browser.js';
import { type RunningDemo, startDemo } from './support/demo.js';

const root = new URL('../../', import.meta.url).pathname;
const screenshotPath =
  process.env.UPDATE_SCREENSHOT === '1'
    ? join(root, 'docs/tokens-page.png')
    : join(mkdtempSync(join(tmpdir(), 'tokenward-shot-')), 'tokens-page.png');

describeBrowser('the API-tokens page in Chromium', () => {
  let demo: RunningDemo;
  let browser: TestBrowser;
  let page: Page;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  /** Secrets as the walk sees them, by role. */
  const secrets: Record<string, string> = {};

  const whoami = (token: string): Promise<number> => demo.whoami(token);
  const pageApi = (method: string, path: string, cookie: string, body?: unknown): Promise<number> =>
    demo.pageApi(method, path, cookie, body);

  const button = (name: string, scope: Page | Locator = page): Locator =>
    scope.getByRole('button', { name, exact: true });
  const tokenTable = (): Locator => page.getByRole('table').first();
  const rowOf = (name: string): Locator =>
    tokenTable()
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  const dialog = (): Locator => page.getByRole('dialog');
  const createForm = (): Locator => page.getByRole('region', { name: 'Create a token' });

  async function readSecret(): Promise<string> {
    const field = page.getByLabel('New token secret', { exact: true });
    await field.waitFor();
    await expect.poll(() => field.inputValue()).not.toBe('');
    return field.inputValue();
  }

  async function confirmIn(name: string, action: string): Promise<void> {
    await button(action, rowOf(name)).click();
    await dialog().waitFor();
    await button('Confirm', dialog()).click();
  }

  async function signInAs(user: string): Promise<void> {
    await page.getByLabel('User', { exact: true }).selectOption(user);
    await button('Sign in').click();
    await page
      .getByText(`Signed in as ${user}`, { exact: true })
      .or(page.getByText(`Signed in as ${user} (admin)`, { exact: true }))
      .waitFor();
  }

  const signOut = async (): Promise<void> => {
    await button('Sign out').click();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  };
  async function sessionCookie(): Promise<string> {
    const cookie = (await browser.context.cookies(`${demo.base}/page/`)).find((c) => c.name === 'tw_page');
    if (cookie === undefined) throw new Error('no session cookie');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    return cookie.value;
  }

  beforeAll(async () => {
    demo = await startDemo();
    browser = await launchBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: demo.base });
    browser.context.on('request', (request) => requests.push(request.url()));
    browser.context.on('page', (opened) => {
      opened.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      opened.on('pageerror', (error) => consoleErrors.push(error.message));
    });
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${demo.base}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('signs in as a demo user, clearly labelled as demo-only', async () => {
    await page.getByRole('heading', { name: 'Demo sign-in' }).waitFor();
    await expect.poll(() => page.getByText('Demo only.').isVisible()).toBe(true);
    await signInAs('alice');
    await sessionCookie();
  });

  it('creates a token and shows its secret once, with a Copy button that copies it', async () => {
    await page.getByLabel('Name', { exact: true }).fill('ci-pipeline');
    const expires = page.getByLabel('Expires', { exact: true });
    const choices = await expires.locator('option').allTextContents();
    expect(choices).toEqual(['1 day', '1 week', '1 month', '1 year', 'No expiry (not recommended)']);
    await expires.selectOption({ label: '1 month' });
    await createForm().getByLabel('Comment', { exact: true }).fill('nightly CSV import');
    await button('Create token').click();
    const secret = await readSecret();
    expect(looksLikeToken(secret)).toBe(true);
    expect(await whoami(secret)).toBe(200);
    await button('Copy').click();
    await page.getByText('Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    secrets.first = secret;
    await button('Done').click();
    await expect.poll(() => page.getByLabel('New token secret').isVisible()).toBe(false);
  });

  it('lists the token in a table, with its comment and expiry', async () => {
    const row = rowOf('ci-pipeline');
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells.slice(0, 4)).toEqual(['Personal', 'alice', 'nightly CSV import', 'Active']);
    // The browser runs in en-GB and UTC: a month from now, as the page prints dates.
    const inAMonth = new Date(Date.now() + 30 * 86_400_000);
    expect(cells[4]).toContain(inAMonth.toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }));
  });

  it('creates a limited token with exactly the grants given', async () => {
    await page.getByLabel('Name', { exact: true }).fill('csv-reader');
    await page.getByLabel('Type', { exact: true }).selectOption({ label: 'Limited' });
    await button('Add grant').click();
    const grant = page.getByRole('group', { name: 'Grant 1' });
    await grant.getByLabel('Kind').selectOption({ label: 'Bucket' });
    // Refused input: the server names the field, the page says why and puts the focus on it.
    await button('Create token').click();
    await page
      .getByRole('alert')
      .getByText(/grants\[0\]/)
      .waitFor();
    const resource = grant.getByLabel('Resource');
    await expect.poll(() => resource.getAttribute('aria-invalid')).toBe('true');
    expect(await resource.evaluate((element) => element === document.activeElement)).toBe(true);
    // Chromium logs the refused request itself; that one is expected.
    expect(consoleErrors.splice(0)).toEqual([expect.stringContaining('status of 400')]);
    await resource.fill('in.c-csv-import');
    await grant.getByLabel('Access').selectOption({ label: 'Read' });
    await button('Create token').click();
    const secret = await readSecret();
    const principal = await fetch(`${demo.base}/api/whoami`, { headers: { authorization: `Bearer ${secret}` } });
    expect(((await principal.json()) as { grants: unknown }).grants).toEqual([
      { bucket: 'in.c-csv-import', access: 'read' },
    ]);
    const write = await fetch(`${demo.base}/api/buckets/in.c-csv-import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(write.status).toBe(403);
    await button('Done').click();
    expect(await rowOf('csv-reader').getByRole('cell').first().textContent()).toBe('Limited');
  });

  it('labels every control and names every button', async () => {
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input, select, textarea, button'))
        .filter((element) => {
          const control = element as HTMLInputElement;
          if (control.type === 'hidden') return false;
          const labelled = (control.labels?.length ?? 0) > 0 || control.getAttribute('aria-label') !== null;
          return element.tagName === 'BUTTON' ? (element.textContent ?? '').trim() === '' : !labelled;
        })
        .map((element) => element.outerHTML),
    );
    expect(unnamed).toEqual([]);
    expect(await page.getByRole('table').first().locator('caption').textContent()).toBe('Tokens of alice');
  });

  it('edits the comment', async () => {
    await button('Edit comment', rowOf('ci-pipeline')).click();
    const comment = dialog().getByLabel('Comment', { exact: true });
    await expect.poll(() => comment.inputValue()).toBe('nightly CSV import');
    await comment.fill('nightly CSV import (data team)');
    await button('Save comment', dialog()).click();
    await expect
      .poll(() => rowOf('ci-pipeline').getByRole('cell').nth(2).textContent())
      .toBe('nightly CSV import (data team)');
  });

  it('disables a token (refused, shown as Disabled) and enables it again', async () => {
    expect(await whoami(secrets.first!)).toBe(200);
    await button('Disable', rowOf('ci-pipeline')).click();
    await expect.poll(() => rowOf('ci-pipeline').getByRole('cell').nth(3).textContent()).toBe('Disabled');
    expect(await whoami(secrets.first!)).toBe(401);
    await button('Enable', rowOf('ci-pipeline')).click();
    await expect.poll(() => rowOf('ci-pipeline').getByRole('cell').nth(3).textContent()).toBe('Active');
    expect(await whoami(secrets.first!)).toBe(200);
  });

  it('rotates after a confirmation: a new secret once, and the old one is refused', async () => {
    // By keyboard: focus the button, Enter opens the confirmation, Escape cancels it and
    // gives the focus back to the button; nothing happened.
    await button('Rotate', rowOf('ci-pipeline')).focus();
    await page.keyboard.press('Enter');
    await dialog().waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog().count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Rotate');
    expect(await whoami(secrets.first!)).toBe(200);
    await confirmIn('ci-pipeline', 'Rotate');
    const rotated = await readSecret();
    expect(rotated).not.toBe(secrets.first);
    expect(await whoami(secrets.first!)).toBe(401);
    expect(await whoami(rotated)).toBe(200);
    secrets.rotated = rotated;
    await button('Done').click();
  });

  it('shares by a one-time link, and opening the link claims a new secret', async () => {
    await confirmIn('ci-pipeline', 'Share');
    const link = await dialog().getByLabel('Share link').inputValue();
    expect(link).toMatch(new RegExp(`^${demo.base}/#claim=`));
    await button('Close', dialog()).click();

    const recipient = await browser.context.newPage();
    await recipient.goto(link);
    await recipient.getByRole('button', { name: 'Claim token', exact: true }).click();
    const field = recipient.getByLabel('New token secret', { exact: true });
    await expect.poll(() => field.inputValue()).not.toBe('');
    const claimed = await field.inputValue();
    expect(await whoami(claimed)).toBe(200);
    expect(await whoami(secrets.rotated!)).toBe(401);
    // The link is forgotten by the page, and the code works once.
    expect(recipient.url()).toBe(`${demo.base}/`);
    const again = await fetch(`${demo.base}/page/api/claims`, {
      method: 'POST',
      headers: { origin: demo.base, 'content-type': 'application/json' },
      body: JSON.stringify({ code: decodeURIComponent(link.split('#claim=')[1]!) }),
    });
    expect(again.status).toBe(404);
    secrets.claimed = claimed;
    await recipient.close();
  });

  it('revokes after a confirmation; Hide revoked hides it and brings it back', async () => {
    await confirmIn('ci-pipeline', 'Revoke');
    await expect.poll(() => rowOf('ci-pipeline').count()).toBe(0);
    expect(await whoami(secrets.claimed!)).toBe(401);
    const hideRevoked = page.getByRole('checkbox', { name: 'Hide revoked' });
    expect(await hideRevoked.isChecked()).toBe(true);
    await hideRevoked.uncheck();
    await expect.poll(() => rowOf('ci-pipeline').getByRole('cell').nth(3).textContent()).toBe('Revoked');
    // A revoked token offers nothing to do but its history.
    expect(await rowOf('ci-pipeline').getByRole('button').allTextContents()).toEqual(['Events']);
    await hideRevoked.check();
    await expect.poll(() => rowOf('ci-pipeline').count()).toBe(0);
    await hideRevoked.uncheck();
    await rowOf('ci-pipeline').waitFor();
  });

  it('shows the events of a token', async () => {
    await button('Events', rowOf('ci-pipeline')).click();
    const events = dialog().getByRole('table');
    await events.getByRole('row').nth(1).waitFor();
    const kinds = await events.locator('tbody tr td:nth-child(2)').allTextContents();
    // Newest first (the two updates are the disable and the enable); `used` events are the demo's guarded routes recording each call made with the token.
    expect(kinds.filter((kind) => kind !== 'used')).toEqual([
      'revoked',
      'claimed',
      'shared',
      'rotated',
      'updated',
      'updated',
      'comment updated',
      'issued',
    ]);
    const uses = events.getByRole('row').filter({ hasText: 'used' });
    expect(await uses.count()).toBeGreaterThan(0);
    expect(await uses.first().getByRole('cell').nth(3).textContent()).toBe('GET /api/whoami');
    await button('Close', dialog()).click();
  });

  it('hides expired tokens unless Hide expired is unchecked', async () => {
    const answer = await fetch(`${demo.base}/manage/tokens`, {
      method: 'POST',
      headers: { 'x-demo-user': 'alice', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'short-lived', ttl: '1s' }),
    });
    expect(answer.status).toBe(201);
    await new Promise((done) => setTimeout(done, 1500));
    const hideExpired = page.getByRole('checkbox', { name: 'Hide expired' });
    await hideExpired.uncheck();
    await expect.poll(() => rowOf('short-lived').getByRole('cell').nth(3).textContent()).toBe('Expired');
    await hideExpired.check();
    await expect.poll(() => rowOf('short-lived').count()).toBe(0);
  });

  it('creates a second token to sign in with later, and signs out: the old cookie opens nothing', async () => {
    await page.getByLabel('Name', { exact: true }).fill('page-login');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    secrets.login = await readSecret();
    await button('Done').click();
    const cookie = await sessionCookie();
    expect(await pageApi('GET', '/api/tokens', cookie)).toBe(200);
    await signOut();
    expect(await pageApi('GET', '/api/tokens', cookie)).toBe(401);
  });

  it("shows an admin every user's tokens and which policy sets a user's limit", async () => {
    await signInAs('admin');
    await rowOf('page-login').waitFor();
    expect(await tokenTable().getByRole('row').nth(0).textContent()).toContain('Owner');
    await page.getByLabel('Owner', { exact: true }).fill('bob');
    await button('Show').click();
    await expect.poll(() => page.locator('#token-caption').textContent()).toBe('Tokens of bob');
    await expect.poll(() => rowOf('page-login').count()).toBe(0);
    await page.getByLabel('Owner', { exact: true }).fill('');
    await button('Show').click();
    await rowOf('page-login').waitFor();

    const setPolicy = async (kind: string, name: string, max: string): Promise<void> => {
      await page.getByLabel('Applies to').selectOption({ label: kind });
      await page.getByLabel('User or role').fill(name);
      await page.getByLabel('Maximum duration').fill(max);
      await button('Save policy').click();
      await page.getByText(`now live at most ${max}`).waitFor();
    };
    await setPolicy('A role', 'service_accounts', '30d');
    await setPolicy('A user', 'bob', '7d');
    await page.getByLabel('Explain for user').fill('bob');
    await button('Explain limit').click();
    await page.getByText('set by the role policy of service_accounts').waitFor();
    const applied = page.getByRole('table', { name: 'Policies that apply to bob' });
    expect(await applied.locator('tbody th').allTextContents()).toEqual(
      expect.arrayContaining(['Role service_accounts', 'User bob']),
    );

    // Creating FOR USER bob offers only what bob's policies allow.
    await page.getByLabel('For user', { exact: true }).fill('bob');
    await page.getByLabel('For user', { exact: true }).press('Tab');
    await expect
      .poll(() => page.getByLabel('Expires', { exact: true }).locator('option').allTextContents())
      .toEqual(['1 day', '1 week', '1 month']);
    await page.getByLabel('Name', { exact: true }).fill('report_bot');
    await createForm().getByLabel('Comment', { exact: true }).fill('report exports for bob');
    await button('Create token').click();
    await readSecret();
    await button('Done').click();
    await page.getByLabel('Explain for user').fill('');
    await page.locator('#main').focus();
    await page.screenshot({ path: screenshotPath, fullPage: true });
    await signOut();
  });

  it('signs in with a token: read only, it can neither create nor rotate', async () => {
    await page.getByLabel('Token', { exact: true }).fill(secrets.login!);
    await button('Sign in with token').click();
    await page.getByText('Signed in with token page-login of alice: read only', { exact: true }).waitFor();
    await rowOf('page-login').waitFor();
    expect(await page.getByRole('heading', { name: 'Create a token' }).isVisible()).toBe(false);
    expect(await rowOf('page-login').getByRole('button').allTextContents()).toEqual(['Events']);
    // The service refuses what the page does not offer.
    const cookie = await sessionCookie();
    const list = await fetch(`${demo.base}/page/api/tokens`, { headers: { cookie: `tw_page=${cookie}` } });
    const { items } = (await list.json()) as { items: { id: string; name: string }[] };
    const login = items.find((item) => item.name === 'page-login')!;
    expect(await pageApi('POST', '/api/tokens', cookie, { name: 'from-a-session' })).toBe(403);
    expect(await pageApi('POST', `/api/tokens/${login.id}/rotate`, cookie)).toBe(403);
    expect(await pageApi('POST', `/api/tokens/${login.id}/share`, cookie)).toBe(403);
    expect(await pageApi('DELETE', `/api/tokens/${login.id}`, cookie)).toBe(403);
    expect(await whoami(secrets.login!)).toBe(200);
    // Sign-out drops the server-side record: the cookie is dead even if it was copied.
    await signOut();
    expect(await pageApi('GET', '/api/tokens', cookie)).toBe(401);
  });

  it('ends a token sign-in when its token is revoked', async () => {
    await page.getByLabel('Token', { exact: true }).fill(secrets.login!);
    await button('Sign in with token').click();
    await page.getByText('Signed in with token page-login of alice: read only', { exact: true }).waitFor();
    const cookie = await sessionCookie();
    const revoked = await fetch(`${demo.base}/manage/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: secrets.login! }).toString(),
    });
    expect(revoked.status).toBe(200);
    await page.reload();
    await page.getByText('Your token session ended: the token was revoked or rotated.').waitFor();
    await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    expect(await pageApi('GET', '/api/tokens', cookie)).toBe(401);
  });

  it('made no request outside the demo and logged no console error', () => {
    expect(requests.length).toBeGreaterThan(10);
    const outside = requests.filter((url) => !url.startsWith(`${demo.base}/`) && !url.startsWith('data:'));
    expect(outside).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
