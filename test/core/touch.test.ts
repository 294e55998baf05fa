/**
 * The bounds of the last-used bookkeeping (src/service/touch.ts): how much it
 * remembers, how much it queues, and that it lets go of what it no longer
 * needs.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository, TokenUse } from '../../src/core/repository.js';
import type { TokenRecord } from '../../src/core/types.js';
import { createUseRecorder, USE_BATCH_LIMIT, USE_TRACKING_LIMIT } from '../../src/service/touch.js';
import { batchedMemory } from '../support/batched.js';
import { T0, testRecord } from '../support/records.js';

const record = (i: number): TokenRecord => testRecord(`T${String(i).padStart(10, '0')}`);

describe('last-used bookkeeping bounds', () => {
  it(`remembers at most ${USE_TRACKING_LIMIT} ids and queues at most as many writes, however many tokens are used`, () => {
    // A store that never answers: nothing is ever written, so everything piles up.
    const base = batchedMemory();
    const stuck: TokenRepository = { ...base, touchMany: () => new Promise<void>(() => {}) };
    const recorder = createUseRecorder(stuck, 60_000);
    for (let i = 0; i < USE_TRACKING_LIMIT * 1.5; i++) recorder.note(record(i), T0 + i);
    expect(recorder.size().remembered).toBe(USE_TRACKING_LIMIT);
    expect(recorder.size().pending).toBe(USE_TRACKING_LIMIT);
  });

  it('forgets ids once their interval is over and nothing waits for them', async () => {
    const base = batchedMemory();
    const written: TokenUse[] = [];
    const store: TokenRepository = {
      ...base,
      touchMany: async (uses) => {
        written.push(...uses);
      },
    };
    const recorder = createUseRecorder(store, 1_000, 5_000);
    for (let i = 0; i < 5_000; i++) recorder.note(record(i), T0);
    await recorder.flush();
    expect(written).toHaveLength(5_000);
    expect(recorder.size()).toEqual({ remembered: 5_000, pending: 0 });
    // One use an interval later: the writes that follow sweep out every id whose interval is over.
    recorder.note(record(99_999), T0 + 1_000);
    await recorder.flush();
    expect(recorder.size()).toEqual({ remembered: 1, pending: 0 });
  });

  it(`writes at most ${USE_BATCH_LIMIT} uses per store call`, async () => {
    const base = batchedMemory();
    const sizes: number[] = [];
    const store: TokenRepository = {
      ...base,
      touchMany: async (uses) => {
        sizes.push(uses.length);
      },
    };
    const recorder = createUseRecorder(store, 1_000);
    for (let i = 0; i < USE_BATCH_LIMIT * 2 + 1; i++) recorder.note(record(i), T0);
    await recorder.flush();
    expect(sizes).toEqual([USE_BATCH_LIMIT, USE_BATCH_LIMIT, 1]);
  });

  it('drops a use after its last retry, and the next use of the token queues it again', async () => {
    const base = batchedMemory();
    let calls = 0;
    const store: TokenRepository = {
      ...base,
      touch: async () => {
        calls++;
        throw new Error('disk full');
      },
    };
    const recorder = createUseRecorder(store, 60_000);
    recorder.note(record(1), T0);
    // flush() stops at the first failure; each call after it is one retry.
    for (let i = 0; i < 6; i++) await recorder.flush();
    expect(calls).toBe(6);
    expect(recorder.size()).toEqual({ remembered: 0, pending: 0 });
    recorder.note(record(1), T0 + 1);
    expect(recorder.size()).toEqual({ remembered: 1, pending: 1 });
  });
});
