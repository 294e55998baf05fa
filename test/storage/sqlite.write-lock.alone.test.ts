/**
 * Verification on SQLite while another connection holds the write lock
 * (issue 9, finding 2). better-sqlite3 is synchronous: a last-used write
 * that waited for the lock on the verify path would freeze the whole event
 * loop for the busy timeout. This file measures the event loop, so it runs
 * alone (the `alone` project of vitest.config.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { ANALYST, makeHarness } from '../support/service.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOLD_MS = 2_000;

/**
 * Another process with its own connection: takes `BEGIN IMMEDIATE`, says
 * `locked`, holds the write lock for `holdMs`, commits and says `released`.
 */
function holdWriteLock(path: string, holdMs: number): ChildProcess {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("UPDATE tokenward_tokens SET comment = 'held' WHERE 0").run();
    process.stdout.write('locked\\n');
    setTimeout(() => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); }, Number(process.argv[2]));
  `;
  return spawn(process.execPath, ['-e', script, path, String(holdMs)], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/**
 * How long this thread has waited for a CPU so far, in ms (Linux
 * schedstat; 0 elsewhere). The machine running the tests may be shared:
 * time the thread was ready but not running is the machine's load, not a
 * stall of ours, and is kept apart from what the test measures.
 */
function runQueueWaitMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

function said(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(word)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before saying ${word}`)));
  });
}

describe('sqlite: a write lock held by another connection', () => {
  // Each attempt (the retry included) works on its own file: a retry on the first attempt's file
  // would fail at issuing (the names are taken), not at what it measures.
  let attempt = 0;
  // A stall from the lock lasts the busy timeout (1 s) and comes back on every attempt; one retry
  // absorbs a rare disk or scheduler hiccup of a machine shared with other test runs.
  it('never blocks the event loop for verification: delay stays under 50 ms for the 2 s the lock is held', {
    retry: 1,
  }, async () => {
    const path = join(dir, `held-${++attempt}.sqlite`);
    const repository = sqliteRepository({ path });
    // touchInterval 1 ms on a real clock: every verification wants a last-used write.
    const { service } = makeHarness({ repository, touchInterval: 1, now: Date.now });
    const tokens: string[] = [];
    for (let i = 0; i < 200; i++) tokens.push((await service.issue({ name: `t${i}` }, ANALYST)).token);

    const holder = holdWriteLock(path, HOLD_MS);
    const exited = once(holder, 'exit');
    const released = said(holder, 'released');
    await said(holder, 'locked');
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    let done = false;
    void released.then(() => {
      done = true;
    });
    let verified = 0;
    let longestOwnTurn = 0;
    let longestStarvation = 0;
    let lastStarvation = 0;
    let previous = { at: performance.now(), queued: runQueueWaitMs() };
    const startedAt = previous.at;
    while (!done) {
      const principal = await service.verify(tokens[verified % tokens.length]!);
      expect(principal.owner).toBe('analyst');
      verified++;
      // Give timers (and the delay monitor) their turn, as a server between requests would.
      await new Promise((resolve) => setImmediate(resolve));
      const current = { at: performance.now(), queued: runQueueWaitMs() };
      const starved = current.queued - previous.queued;
      longestOwnTurn = Math.max(longestOwnTurn, current.at - previous.at - starved);
      longestStarvation = Math.max(longestStarvation, starved + lastStarvation);
      lastStarvation = starved;
      previous = current;
    }
    const heldFor = performance.now() - startedAt;
    // One more timer turn, so a stall just before the release is sampled too.
    await new Promise((resolve) => setTimeout(resolve, 20));
    delay.disable();
    await exited;

    // What this process itself spent per turn (computing, or sleeping inside SQLite on a lock).
    expect(longestOwnTurn, `longest turn of our own ${longestOwnTurn.toFixed(1)} ms`).toBeLessThan(50);
    // The event loop's own measure, allowing only for time the OS kept the thread waiting for a CPU.
    const delayMs = delay.max / 1e6;
    const bound = 50 + longestStarvation;
    expect(delayMs, `event-loop delay max ${delayMs.toFixed(1)} ms (bound ${bound.toFixed(1)} ms)`).toBeLessThan(bound);
    expect(heldFor).toBeGreaterThan(HOLD_MS * 0.8);
    expect(verified).toBeGreaterThan(200);
    // The uses seen while the file was locked are written once it is free again.
    await vi.waitFor(
      () => {
        const row = repository.database
          .prepare('SELECT COUNT(*) AS n FROM tokenward_tokens WHERE last_used_at IS NULL')
          .get() as { n: number };
        expect(row.n).toBe(0);
      },
      { timeout: 15_000, interval: 100 },
    );
    await repository.close();
  });
});
