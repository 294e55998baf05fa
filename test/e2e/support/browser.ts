/**
 * A real Chromium for end-to-end tests: Debian's `chromium` driven by
 * playwright-core (browsers are not downloaded). Without it, `describeBrowser`
 * skips loudly; with `TOKENWARD_REQUIRE_BROWSER=1` (set by `.ci/run`) it
 * fails instead.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = process.env.TOKENWARD_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function browserRequired(): boolean {
  return process.env.TOKENWARD_REQUIRE_BROWSER === '1';
}

/** `describe` for tests that need Chromium: skips loudly without it, or fails when it is required. */
export function describeBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  if (browserRequired()) {
    describe(name, () => {
      it('needs Chromium (TOKENWARD_REQUIRE_BROWSER=1)', () => {
        throw new Error(`Chromium is required but ${CHROMIUM} does not exist (apt-get install chromium)`);
      });
    });
    return;
  }
  console.warn(
    [
      '',
      '================================================================',
      ` SKIPPED: "${name}" needs Chromium`,
      ` ${CHROMIUM} does not exist: apt-get install chromium (or set TOKENWARD_CHROMIUM)`,
      '================================================================',
      '',
    ].join('\n'),
  );
  describe.skip(`${name} [SKIPPED: no Chromium at ${CHROMIUM}]`, () => {
    it('needs Chromium', () => {});
  });
}

/** A browser with a fresh profile, removed again by `close`. */
export interface TestBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'tokenward-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    // Playwright passes the fresh profile as --user-data-dir itself.
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
