/**
 * `npm run demo -- --once` really runs: it starts on a fresh store, prints
 * the admin token once, walks a token through its life over HTTP against
 * itself (exiting non-zero if any step answers differently), and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { looksLikeToken } from '../../src/core/format.js';

const root = new URL('../../', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'tokenward-demo-'));

function runDemo(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['examples/demo.ts', ...args], {
    cwd: root,
    env: { ...process.env, DEMO_DATA_DIR: dataDir, PORT: '0', DEMO_ONCE: '1' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const printedTokens = (text: string): string[] => text.split(/\s+/).filter((word) => looksLikeToken(word));

describe('npm run demo -- --once', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints the admin token on first start, walks a token through its life, prints curl lines, exits 0', () => {
    const first = runDemo('--once');
    expect(first.stderr).not.toMatch(/failed/i);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Admin token (shown this once');
    const tokens = printedTokens(first.stdout);
    // The admin token is the only full token printed; walkthrough tokens are redacted.
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatch(/^demo_a_/);
    for (const text of [
      'issues',
      '403, Bearer realm="tokenward-demo", error="insufficient_scope"',
      'rotated',
      'claimed',
      'revoked',
      'history: issued',
    ]) {
      expect(first.stdout).toContain(text);
    }
    expect(first.stdout).toContain('Walkthrough complete.');
    expect(first.stdout).toMatch(/curl -s -X POST http:\/\/127\.0\.0\.1:\d+\/oauth\/introspect/);
    expect(statSync(join(dataDir, 'pepper')).mode & 0o777).toBe(0o600);
  }, 120_000);

  it('on a later start says the admin token exists and prints no secret', () => {
    const second = runDemo();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('An admin token exists');
    expect(second.stdout).toContain('npm run demo -- --new-admin-token');
    expect(printedTokens(second.stdout)).toHaveLength(0);
    expect(second.stdout).toContain('Walkthrough complete.');
  }, 120_000);
});
