/**
 * The last-used bookkeeping (src/service/touch.ts) against written answers
 * (issue 15), on fake timers: when each batch and each retry goes out
 * (100 ms apart at most ten a second; retries after 250, 500, 1000, 2000 and
 * 4000 ms, then the use is dropped), the once-per-interval rule at its
 * boundary, which instant a use is written with, and partial failures.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenRepository, TokenUse } from '../../src/core/repository.js';
import type { TokenRecord } from '../../src/core/types.js';
import { createUseRecorder } from '../../src/service/touch.js';
import { batchedMemory } from '../support/batched.js';
import { T0, testRecord } from '../support/records.js';

const INTERVAL = 60_000;
const record = (id: string, lastUsedAt: number | null = null): TokenRecord => testRecord(id, { lastUsedAt });

/** A store whose `touch` writes are logged with the fake clock's time, failing while `failing` says so. */
function loggingStore(failing: (use: TokenUse, call: number) => boolean = () => false) {
  const base = batchedMemory();
  const calls: { id: string; at: number; time: number; ok: boolean }[] = [];
  const { touchMany: _many, ...rest } = base;
  const repository: TokenRepository = {
    ...rest,
    touch: async (id, at) => {
      const ok = !failing({ id, at }, calls.length);
      calls.push({ id, at, time: Date.now(), ok });
      if (!ok) throw new Error('disk full');
    },
  };
  return { repository, calls };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('when writes go out', () => {
  it('the first batch at once, the next one no sooner than 100 ms after the previous ended', async () => {
    const store = loggingStore();
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('A'), T0);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.calls.map((c) => [c.id, c.time])).toEqual([['A', 0]]);
    recorder.note(record('B'), T0);
    await vi.advanceTimersByTimeAsync(99);
    expect(store.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.calls.map((c) => [c.id, c.time])).toEqual([
      ['A', 0],
      ['B', 100],
    ]);
    expect(recorder.size().pending).toBe(0);
  });

  it('a failed use is retried after 250, 500, 1000, 2000 and 4000 ms, then dropped', async () => {
    const store = loggingStore(() => true);
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('A'), T0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(store.calls.map((c) => c.time)).toEqual([0, 250, 750, 1_750, 3_750, 7_750]);
    expect(recorder.size()).toEqual({ remembered: 0, pending: 0 });
  });

  it('after a success, the delays start again from 250 ms', async () => {
    // Fails the first and the third write.
    const store = loggingStore((_use, call) => call === 0 || call === 2);
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('A'), T0);
    await vi.advanceTimersByTimeAsync(250);
    expect(store.calls.map((c) => [c.time, c.ok])).toEqual([
      [0, false],
      [250, true],
    ]);
    recorder.note(record('B'), T0);
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(250);
    expect(store.calls.map((c) => [c.id, c.time, c.ok])).toEqual([
      ['A', 0, false],
      ['A', 250, true],
      ['B', 350, false],
      ['B', 600, true],
    ]);
  });

  it('a batch that fails part way writes the uses before the failure and retries the rest', async () => {
    const store = loggingStore((use, call) => use.id === 'B' && call === 1);
    const recorder = createUseRecorder(store.repository, INTERVAL);
    for (const id of ['A', 'B', 'C']) recorder.note(record(id), T0);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.calls.map((c) => [c.id, c.ok])).toEqual([
      ['A', true],
      ['B', false],
    ]);
    expect(recorder.size().pending).toBe(2);
    await vi.advanceTimersByTimeAsync(250);
    expect(store.calls.map((c) => [c.id, c.ok])).toEqual([
      ['A', true],
      ['B', false],
      ['B', true],
      ['C', true],
    ]);
  });
});

describe('once per interval', () => {
  it('a stored last use one interval old is written again; one a millisecond younger is not', async () => {
    const store = loggingStore();
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('young', T0 - INTERVAL + 1), T0);
    recorder.note(record('old', T0 - INTERVAL), T0);
    await recorder.flush();
    expect(store.calls.map((c) => c.id)).toEqual(['old']);
  });

  it('a use noted here one interval after the last is written again; one a millisecond sooner is not', async () => {
    const store = loggingStore();
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('A'), T0);
    await recorder.flush();
    recorder.note(record('A'), T0 + INTERVAL - 1);
    await recorder.flush();
    expect(store.calls.map((c) => c.at)).toEqual([T0]);
    recorder.note(record('A'), T0 + INTERVAL);
    await recorder.flush();
    expect(store.calls.map((c) => c.at)).toEqual([T0, T0 + INTERVAL]);
  });

  it('writes the latest of the uses waiting for one token, whatever order they were noted in', async () => {
    const store = loggingStore();
    const recorder = createUseRecorder(store.repository, 1_000);
    recorder.note(record('A'), T0);
    recorder.note(record('A'), T0 + 5_000);
    recorder.note(record('B'), T0 + 5_000);
    await recorder.flush();
    expect(store.calls.map((c) => [c.id, c.at])).toEqual([
      ['A', T0 + 5_000],
      ['B', T0 + 5_000],
    ]);
  });

  it('forgets an id exactly when its interval is over, counted from the latest use noted', async () => {
    const store = loggingStore();
    const recorder = createUseRecorder(store.repository, 1_000);
    recorder.note(record('A'), T0);
    recorder.note(record('B'), T0 + 999);
    await recorder.flush();
    expect(recorder.size().remembered).toBe(2);
    recorder.note(record('C'), T0 + 1_000);
    await recorder.flush();
    // A's interval ended at T0 + 1000, the latest use; B's has not.
    expect(recorder.size().remembered).toBe(2);
  });
});

describe('the limits', () => {
  it('remembers and queues at most `limit` ids: the oldest remembered one is forgotten first', () => {
    const stuck: TokenRepository = { ...batchedMemory(), touchMany: () => new Promise<void>(() => {}) };
    const recorder = createUseRecorder(stuck, INTERVAL, 3);
    for (const id of ['A', 'B', 'C']) recorder.note(record(id), T0);
    expect(recorder.size()).toEqual({ remembered: 3, pending: 3 });
    recorder.note(record('D'), T0);
    expect(recorder.size()).toEqual({ remembered: 3, pending: 3 });
    // A was forgotten, so a use of A is noted again (and waits for room).
    recorder.note(record('A'), T0 + 1);
    expect(recorder.size()).toEqual({ remembered: 3, pending: 3 });
  });
});

/** A store whose writes wait until the test settles them; each write is logged with the fake clock's time. */
function heldStore() {
  const base = batchedMemory();
  const { touchMany: _many, ...rest } = base;
  const writes: { id: string; at: number; time: number; settle: (ok: boolean) => void }[] = [];
  const repository: TokenRepository = {
    ...rest,
    touch: (id, at) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ id, at, time: Date.now(), settle: (ok) => (ok ? resolve() : reject(new Error('disk full'))) });
      }),
  };
  return { repository, writes };
}

/** A store with `touchMany`, logging each call's ids; failing while `failing.on`. */
function batchStore() {
  const base = batchedMemory();
  const calls: string[][] = [];
  const failing = { on: false };
  const repository: TokenRepository = {
    ...base,
    touchMany: async (uses) => {
      calls.push(uses.map((use) => use.id));
      if (failing.on) throw new Error('disk full');
    },
  };
  return { repository, calls, failing };
}

describe('retries and the uses noted meanwhile', () => {
  it('a use noted while its earlier write fails is the one retried, and keeps the failures counted', async () => {
    const store = heldStore();
    const recorder = createUseRecorder(store.repository, 1_000);
    recorder.note(record('A'), T0);
    await vi.advanceTimersByTimeAsync(0);
    recorder.note(record('A'), T0 + 1_000);
    for (let i = 0; store.writes.length < 7 && i < 20; i++) {
      store.writes.at(-1)!.settle(false);
      await vi.advanceTimersByTimeAsync(5_000);
    }
    // The first use, then the newer one five times (its failures counted from the first write): six writes.
    expect(store.writes.map((w) => w.at)).toEqual([T0, ...Array.from({ length: 5 }, () => T0 + 1_000)]);
    expect(recorder.size()).toEqual({ remembered: 0, pending: 0 });
  });

  it('a use noted again after its write failed keeps the failures counted, and its latest instant', async () => {
    const store = loggingStore(() => true);
    const recorder = createUseRecorder(store.repository, 1_000);
    recorder.note(record('A'), T0);
    await vi.advanceTimersByTimeAsync(0);
    recorder.note(record('A'), T0 + 1_000);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(store.calls.map((c) => [c.at, c.time])).toEqual([
      [T0, 0],
      [T0 + 1_000, 250],
      [T0 + 1_000, 750],
      [T0 + 1_000, 1_750],
      [T0 + 1_000, 3_750],
      [T0 + 1_000, 7_750],
    ]);
  });

  it('a failed use is dropped rather than queued past the limit', async () => {
    const store = heldStore();
    const recorder = createUseRecorder(store.repository, INTERVAL, 2);
    recorder.note(record('A'), T0);
    await vi.advanceTimersByTimeAsync(0);
    recorder.note(record('B'), T0);
    recorder.note(record('C'), T0);
    expect(recorder.size().pending).toBe(2);
    store.writes[0]!.settle(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(recorder.size().pending).toBe(2);
  });

  it('flush stops at the first failure, leaving the use for its retry', async () => {
    const store = loggingStore(() => true);
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('A'), T0);
    await recorder.flush();
    expect(store.calls).toHaveLength(1);
    expect(recorder.size().pending).toBe(1);
  });

  it('a token never used is written whatever the clock says', async () => {
    const store = loggingStore();
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('A'), 5);
    await recorder.flush();
    expect(store.calls.map((c) => [c.id, c.at])).toEqual([['A', 5]]);
  });
});

describe('batches through touchMany', () => {
  it('a failed batch is retried whole after 250 ms', async () => {
    const store = batchStore();
    store.failing.on = true;
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('A'), T0);
    recorder.note(record('B'), T0);
    await vi.advanceTimersByTimeAsync(0);
    store.failing.on = false;
    await vi.advanceTimersByTimeAsync(249);
    expect(store.calls).toEqual([['A', 'B']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.calls).toEqual([
      ['A', 'B'],
      ['A', 'B'],
    ]);
  });

  it('no empty batch ever goes out: not after a batch, not from a timer a flush made stale', async () => {
    const store = batchStore();
    const recorder = createUseRecorder(store.repository, INTERVAL);
    recorder.note(record('A'), T0);
    await vi.advanceTimersByTimeAsync(1_000);
    recorder.note(record('B'), T0);
    await recorder.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.calls).toEqual([['A'], ['B']]);
  });
});
