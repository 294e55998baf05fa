/**
 * Without a server (or PgBouncer) the PostgreSQL tests are skipped loudly,
 * and with TOKENWARD_REQUIRE_PG=1 (as CI sets it) the skip is a failure.
 * Checked by running a fixture file in a child vitest, once each way.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = fileURLToPath(new URL('./fixtures/vitest.fixture.config.ts', import.meta.url));

function runFixture(require: boolean): Promise<{ code: number; output: string }> {
  const env = { ...process.env };
  delete env.TOKENWARD_TEST_PG_URL;
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  if (require) env.TOKENWARD_REQUIRE_PG = '1';
  else delete env.TOKENWARD_REQUIRE_PG;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [`${root}/node_modules/vitest/vitest.mjs`, 'run', '--config', config],
      { cwd: root, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

describe('PostgreSQL tests without a server', () => {
  it('are skipped with a banner and the reason in the test name', async () => {
    const { code, output } = await runFixture(false);
    expect(code).toBe(0);
    expect(output).toContain('SKIPPED: "fixture block" needs PostgreSQL');
    expect(output).toContain('fixture: no server here');
    expect(output).toContain('SKIPPED: "pooler fixture block" needs PostgreSQL');
    expect(output).toContain('install the pgbouncer package');
    expect(output).toMatch(/2 skipped/);
  }, 60_000);

  it('fail instead when TOKENWARD_REQUIRE_PG=1', async () => {
    const { code, output } = await runFixture(true);
    expect(code).not.toBe(0);
    expect(output).toContain('needs a PostgreSQL server (TOKENWARD_REQUIRE_PG=1)');
    expect(output).toContain('PostgreSQL is required but unavailable: fixture: no server here');
    // A missing PgBouncer fails the same way: the pooler tests are not optional in CI either.
    expect(output).toContain('PostgreSQL is required but unavailable: fixture: no pgbouncer here');
  }, 60_000);
});
