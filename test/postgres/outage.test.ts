/**
 * PostgreSQL killed under a busy application (`pg_ctl stop -m immediate`):
 * every backend dies mid-statement, some mid-transaction, with issue, rotate,
 * revoke, share and claim, `migrate` and cached verification in flight. The
 * application (`outage-app.ts`) runs in a child process, so that Node's own
 * rule applies: an unhandled `'error'` event from a connection the library
 * holds would end it with exit code 1.
 *
 * It must survive, answer `unavailable` for every call that failed, recover
 * once the server is back without being restarted itself, and leave stored
 * state consistent: a call whose COMMIT reached the server just before the
 * kill may have answered `unavailable` and still be written, so the checks
 * are invariants (each token with its events, each claim with its event, every
 * acknowledged write present), not the absence of unacknowledged ones.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describePostgres,
  findPostgresBin,
  type LocalPostgres,
  type PostgresAvailability,
  startLocalPostgres,
  testPool,
} from '../support/postgres.js';
import type { OutageReport } from './outage-app.js';

const availability: PostgresAvailability =
  findPostgresBin() === null
    ? { ok: false, reason: 'the outage test kills and restarts a server: it needs local PostgreSQL binaries' }
    : { ok: true, url: 'private', source: 'private' };

interface Run {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly exit: Promise<number | null>;
  readonly message: (type: string) => Promise<{ type: string; report?: OutageReport }>;
}

function startApp(url: string): Run {
  const child = fork(fileURLToPath(new URL('./outage-app.ts', import.meta.url)), [url], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  // A crashed app closes the channel; a send to it must fail the test, not the test runner.
  child.on('error', () => {});
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const messages: { type: string; report?: OutageReport }[] = [];
  child.on('message', (message) => messages.push(message as { type: string }));
  const message = async (type: string): Promise<{ type: string; report?: OutageReport }> => {
    let exited = false;
    void exit.then(() => {
      exited = true;
    });
    for (;;) {
      const found = messages.find((m) => m.type === type);
      if (found) return found;
      if (exited) throw new Error(`the app exited before '${type}':\n${stderr.slice(-3000)}`);
      await sleep(10);
    }
  };
  return { child, stderr: () => stderr, exit, message };
}

describePostgres('postgres killed under a busy application', availability, () => {
  let server: LocalPostgres;
  beforeAll(async () => {
    server = await startLocalPostgres({ durableCommits: true });
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('survives, fails every call with unavailable, recovers without a restart, and stays consistent', async () => {
    const app = startApp(server.url);
    try {
      await app.message('ready');
      await sleep(200);
      await server.stopImmediate();
      await sleep(1_000);
      await server.start();
      if (app.child.connected) app.child.send('restarted');
      const done = await app.message('done');
      expect(await app.exit).toBe(0);
      expect(app.stderr()).not.toMatch(/Unhandled 'error' event|uncaught/i);
      const report = done.report!;

      for (const loop of report.loops) {
        const context = JSON.stringify(loop);
        expect(loop.raw, context).toEqual([]);
        // Every failure was the storage outage, reported as such; nothing else went wrong.
        expect(Object.keys(loop.codes), context).toEqual(['unavailable']);
        expect(loop.before, context).toBeGreaterThan(0);
        expect(loop.after, context).toBeGreaterThanOrEqual(3);
      }
      // The rotations and claims that answered ok last are the secrets that work now.
      expect(Object.values(report.verifiedAfter)).toEqual(Object.values(report.latest).map(() => 'ok'));
      await expectConsistent(server.url, report);
    } finally {
      app.child.kill('SIGKILL');
    }
  }, 180_000);
});

async function expectConsistent(url: string, report: OutageReport): Promise<void> {
  const pool = testPool(url, 2);
  try {
    const count = async (sql: string, values: unknown[] = []): Promise<number> =>
      Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, values)).rows[0]?.n);
    // Every acknowledged write is there.
    expect(await count('tokenward_tokens WHERE id = ANY($1)', [report.issued])).toBe(report.issued.length);
    expect(await count('tokenward_tokens WHERE id = ANY($1) AND revoked_at IS NOT NULL', [report.revoked])).toBe(
      report.revoked.length,
    );
    // Each token was written with exactly one `issued` event, and each change with its event: the version
    // counts the changes, the events name them, and they agree for every token.
    expect(
      await count(`tokenward_tokens t WHERE 1 <> (SELECT count(*) FROM tokenward_events e
        WHERE e.token_id = t.id AND e.type = 'issued')`),
    ).toBe(0);
    expect(
      await count(`tokenward_tokens t WHERE t.version - 1 <> (SELECT count(*) FROM tokenward_events e
        WHERE e.token_id = t.id AND e.type IN ('rotated', 'revoked', 'comment_updated', 'claimed'))`),
    ).toBe(0);
    // No event without its token, no pending claim without its `shared` event.
    expect(
      await count('tokenward_events e WHERE NOT EXISTS (SELECT 1 FROM tokenward_tokens t WHERE t.id = e.token_id)'),
    ).toBe(0);
    expect(
      await count(`tokenward_claims c WHERE NOT EXISTS (SELECT 1 FROM tokenward_events e
        WHERE e.token_id = c.token_id AND e.type = 'shared' AND e.at = c.created_at)`),
    ).toBe(0);
    expect(await count('tokenward_schema_migrations')).toBeGreaterThan(0);
  } finally {
    await pool.end();
  }
}
