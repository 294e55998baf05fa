/**
 * Expiry warnings and maintenance that runs itself (issue 13):
 * `listExpiring`, the `onExpiring` hook once per token and threshold,
 * `runMaintenance` (every task on its own, failures reported and logged)
 * and `startMaintenance` (a pass at once, then every interval, never two
 * at a time, stopped cleanly). Runs on the memory and SQLite stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/core/logger.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { ExpiringToken } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const dir = mkdtempSync(join(tmpdir(), 'tokenward-maintenance-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STORES: readonly [string, () => TokenRepository][] = [
  ['memory', () => memoryRepository()],
  ['SQLite', () => sqliteRepository({ path: join(dir, `maintenance-${++files}.sqlite`) })],
];

function recordingLogger(): Logger & { lines: { level: string; message: string; fields: unknown }[] } {
  const lines: { level: string; message: string; fields: unknown }[] = [];
  return {
    lines,
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
}

describe.each(STORES)('expiry warnings and maintenance on %s', (_name, store) => {
  it('listExpiring: own tokens, soonest first; a tenant for admins; not for others', async () => {
    const h = makeHarness({ repository: store() });
    const late = await h.service.issue({ name: 'late', ttl: '6d' }, ANALYST);
    const soon = await h.service.issue({ name: 'soon', ttl: '1d' }, ANALYST);
    await h.service.issue({ name: 'far', ttl: '30d' }, ANALYST);
    const bobs = await h.service.issue({ name: 'bobs', ttl: '2d' }, BOB);
    const revoked = await h.service.issue({ name: 'revoked', ttl: '1d' }, ANALYST);
    await h.service.revoke(revoked.info.id, ANALYST);
    const own = await h.service.listExpiring({ within: '1w' }, ANALYST);
    expect(own.items.map((info) => info.name)).toEqual(['soon', 'late']);
    const tenant = await h.service.listExpiring({ within: '1w', all: true }, ALICE);
    expect(tenant.items.map((info) => info.id)).toEqual([soon.info.id, bobs.info.id, late.info.id]);
    const paged = await h.service.listExpiring({ within: '1w', all: true, limit: 2 }, ALICE);
    const rest = await h.service.listExpiring({ within: '1w', all: true, cursor: paged.nextCursor }, ALICE);
    expect([...paged.items, ...rest.items].map((info) => info.id)).toEqual(tenant.items.map((info) => info.id));
    expect(await codeOf(h.service.listExpiring({ within: '1w', owner: 'analyst' }, BOB))).toBe('forbidden');
    expect(await codeOf(h.service.listExpiring({ within: 'soon' } as never, ANALYST))).toBe('invalid_request');
    expect(await codeOf(h.service.listExpiring({ within: '1w', hideExpired: false } as never, ANALYST))).toBe(
      'invalid_request',
    );
  });

  it('onExpiring fires once per token and threshold, shortest threshold first, again after a new expiry', async () => {
    const warnings: ExpiringToken[] = [];
    const h = makeHarness({
      repository: store(),
      expiryWarnings: ['7d', '1d'],
      hooks: { onExpiring: (warning) => void warnings.push(warning) },
    });
    const week = await h.service.issue({ name: 'week', ttl: '6d' }, ANALYST);
    const hours = await h.service.issue({ name: 'hours', ttl: '12h' }, ANALYST);
    await h.service.issue({ name: 'month', ttl: '1mo' }, ANALYST);
    const named = (): string[] => warnings.map((w) => `${w.token.name}@${w.within / DAY}d`);
    expect((await h.service.runMaintenance()).tasks).toContainEqual({ name: 'expiryWarnings', count: 2 });
    expect(named()).toEqual(['hours@1d', 'week@7d']);
    expect(warnings[0]).toMatchObject({ token: { id: hours.info.id }, expiresAt: hours.info.expiresAt });
    await h.service.runMaintenance();
    expect(named()).toHaveLength(2);
    h.clock.advance(5 * DAY + HOUR);
    await h.service.runMaintenance();
    expect(named()).toEqual(['hours@1d', 'week@7d', 'week@1d']);
    await h.service.update(week.info.id, { ttl: '5d' }, ANALYST);
    await h.service.runMaintenance();
    expect(named().slice(3)).toEqual(['week@7d']);
    // A disabled token is warned once it is enabled again (if still due).
    const disabled = await h.service.issue({ name: 'off', ttl: '12h', enabled: false }, ANALYST);
    await h.service.runMaintenance();
    expect(named()).toHaveLength(4);
    await h.service.update(disabled.info.id, { enabled: true }, ANALYST);
    await h.service.runMaintenance();
    expect(named().slice(4)).toEqual(['off@1d']);
  });

  it('without an onExpiring hook nothing is marked: a hook added later still warns', async () => {
    const repository = store();
    const quiet = makeHarness({ repository });
    await quiet.service.issue({ ttl: '1d' }, ANALYST);
    expect((await quiet.service.runMaintenance()).tasks).toContainEqual({ name: 'expiryWarnings', count: 0 });
    const seen: string[] = [];
    const loud = makeHarness({ repository, hooks: { onExpiring: (w) => void seen.push(w.token.id) } });
    await loud.service.runMaintenance();
    expect(seen).toHaveLength(1);
  });

  it('runMaintenance purges, prunes and warns; a failing task is reported and logged, the others still run', async () => {
    const repository = store();
    const logger = recordingLogger();
    const h = makeHarness({
      repository,
      logger,
      policy: { purgeAfter: '1d', eventRetention: '10d' },
      hooks: {
        onExpiring: () => {
          throw new Error('mail server down');
        },
      },
    });
    const short = await h.service.issue({ ttl: '1h' }, ANALYST);
    h.clock.advance(2 * DAY);
    const report = await h.service.runMaintenance();
    expect(report).toMatchObject({ skipped: false, startedAt: new Date(h.clock.now()) });
    expect(report.tasks.map((task) => task.name)).toEqual([
      'purgeExpired',
      'pruneEvents',
      'expiryWarnings',
      'refillCredits',
      'pruneRevokedSessions',
    ]);
    expect(report.tasks[0]).toEqual({ name: 'purgeExpired', count: 1 });
    expect(await h.repository.findById(short.info.id)).toBeNull();
    // A hook that throws is logged; the pass goes on.
    await h.service.issue({ ttl: '1h' }, ANALYST);
    await h.service.runMaintenance();
    expect(logger.lines).toContainEqual({
      level: 'error',
      message: 'the onExpiring hook failed',
      fields: { hook: 'onExpiring', code: 'Error' },
    });
    // A store that fails: the task reports its code, the next one runs.
    const failing = makeHarness({
      repository: Object.create(repository, {
        pruneEvents: { value: () => Promise.reject(Object.assign(new Error('disk'), { code: 'EIO' })) },
      }),
      logger,
    });
    const broken = await failing.service.runMaintenance();
    expect(broken.tasks.map((task) => task.error)).toEqual([undefined, 'unavailable', undefined, undefined, undefined]);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', fields: { task: 'pruneEvents', code: 'unavailable' } });
  });

  it('refills usage credits that came due in each pass (issue 13: meters plug into the task registry)', async () => {
    const h = makeHarness({ repository: store() });
    const { token, info } = await h.service.issue({ remaining: 1, refill: { interval: '1h', amount: 5 } }, ANALYST);
    expect((await h.service.verify(token)).remaining).toBe(0);
    expect((await h.repository.findById(info.id))?.meter?.remaining).toBe(0);
    h.clock.advance(2 * 3_600_000);
    const report = await h.service.runMaintenance();
    expect(report.tasks).toContainEqual({ name: 'refillCredits', count: 1 });
    expect(report.tasks).toContainEqual({ name: 'pruneRevokedSessions', count: 0 });
    expect((await h.repository.findById(info.id))?.meter?.remaining).toBe(5);
  });
});

describe('startMaintenance', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs a pass at once, then every interval, one at a time; stop() waits for the pass in progress', async () => {
    vi.useFakeTimers();
    let release: () => void = () => {};
    let passes = 0;
    const repository = memoryRepository();
    const slow = Object.create(repository, {
      purgeExpired: {
        value: async (before: number) => {
          passes++;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return repository.purgeExpired(before);
        },
      },
    }) as TokenRepository;
    const reports: unknown[] = [];
    const h = makeHarness({ repository: slow });
    const handle = h.service.startMaintenance({ interval: '1m', onPass: (report) => void reports.push(report) });
    await vi.advanceTimersByTimeAsync(0);
    expect(passes).toBe(1);
    // A pass that takes longer than the interval is not overlapped by the next one, nor by runMaintenance.
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(passes).toBe(1);
    const manual = h.service.runMaintenance();
    release();
    await manual;
    expect(reports).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(passes).toBe(2);
    const stopping = handle.stop();
    let stopped = false;
    void stopping.then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(passes).toBe(2);
    await handle.stop();
  });

  it('checks its options', () => {
    const h = makeHarness();
    for (const [options, field] of [
      [{ interval: '500ms' }, 'options.interval'],
      [{ interval: 'often' }, 'options.interval'],
      [{ every: '1m' }, 'options.every'],
      [{ onPass: 'log' }, 'options.onPass'],
      [{ runAtStart: 'yes' }, 'options.runAtStart'],
    ] as const) {
      expect(() => h.service.startMaintenance(options as never)).toThrow(
        expect.objectContaining({ details: { field } }),
      );
    }
  });

  it('without runAtStart waits one interval; a failed pass is logged and the next one still comes', async () => {
    vi.useFakeTimers();
    const logger = recordingLogger();
    let calls = 0;
    const repository = memoryRepository();
    const flaky = Object.create(repository, {
      purgeExpired: {
        value: (before: number) =>
          ++calls === 1 ? Promise.reject(new Error('down')) : repository.purgeExpired(before),
      },
    }) as TokenRepository;
    const h = makeHarness({ repository: flaky, logger });
    const handle = h.service.startMaintenance({ interval: '10s', runAtStart: false });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(1);
    expect(logger.lines[0]).toMatchObject({ message: 'maintenance task purgeExpired failed' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(2);
    await handle.stop();
  });
});
