/**
 * Last-used bookkeeping (issue 9, findings 2 and 3): `verify` never waits
 * on a `lastUsedAt` write, and a token's use is written at most once per
 * `touchInterval` per process whatever the store's timing. These stores
 * have no `touchSync` (as SQLite and PostgreSQL have none), so their uses
 * take the batches; the memory store's in-place writes are in
 * test/service/touch-in-place.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import type { TokenRepository, TokenUse } from '../../src/core/repository.js';
import { batchedMemory } from '../support/batched.js';
import { ANALYST, makeHarness } from '../support/service.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A memory store whose lookups take `readMs` and whose last-used writes take `writeMs`, logging every write. */
function slowStore(readMs: number, writeMs: number) {
  const base = batchedMemory();
  const writes: TokenUse[] = [];
  // Without `findByIdSync`: every lookup goes through the slow `findById`.
  const { findByIdSync: _sync, ...rest } = base;
  const repository: TokenRepository = {
    ...rest,
    async findById(id) {
      const record = await base.findById(id);
      await sleep(readMs);
      return record;
    },
    async touch(id, at) {
      writes.push({ id, at });
      await sleep(writeMs);
      await base.touch(id, at);
    },
  };
  return { repository, writes };
}

describe('last-used bookkeeping', () => {
  it('writes at most once per touchInterval per token when reads (20 ms) overlap writes (5 ms)', async () => {
    const INTERVAL = 100;
    const store = slowStore(20, 5);
    const { service } = makeHarness({ repository: store.repository, touchInterval: INTERVAL, now: Date.now });
    const { token, info } = await service.issue({ name: 'busy' }, ANALYST);
    const started = Date.now();
    // Four clients verifying back to back for ten intervals: reads always overlap the writes.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (Date.now() - started < INTERVAL * 10) await service.verify(token);
      }),
    );
    const elapsed = Date.now() - started;
    await sleep(INTERVAL * 2);
    const times = store.writes.filter((write) => write.id === info.id).map((write) => write.at);
    expect(times.length).toBeGreaterThanOrEqual(5);
    expect(times.length).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL) + 1);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(INTERVAL);
  });

  it('verify resolves without calling the store: the write goes out later, off the verification path', async () => {
    const base = batchedMemory();
    let touches = 0;
    const repository: TokenRepository = {
      ...base,
      touch: (id, at) => {
        touches++;
        return base.touch(id, at);
      },
    };
    const h = makeHarness({ repository });
    const { token, info } = await h.service.issue({}, ANALYST);
    await h.service.verify(token);
    expect(touches).toBe(0);
    await vi.waitFor(() => expect(touches).toBe(1));
    expect((await h.service.get(info.id, ANALYST)).lastUsedAt?.getTime()).toBe(h.clock.now());
  });

  it('a write that never finishes does not hold up verification', async () => {
    const base = batchedMemory();
    const repository: TokenRepository = { ...base, touch: () => new Promise<void>(() => {}) };
    const h = makeHarness({ repository, touchInterval: 1 });
    const { token } = await h.service.issue({}, ANALYST);
    for (let i = 0; i < 20; i++) {
      h.clock.advance(10);
      await expect(h.service.verify(token)).resolves.toMatchObject({ owner: 'analyst' });
    }
  });

  it('a store that throws at once, even synchronously, fails neither the verification nor the process', async () => {
    const base = batchedMemory();
    const repository: TokenRepository = {
      ...base,
      touch: () => {
        throw new Error('database is locked');
      },
    };
    const h = makeHarness({ repository });
    const { token } = await h.service.issue({}, ANALYST);
    await expect(h.service.verify(token)).resolves.toMatchObject({ owner: 'analyst' });
    await sleep(20);
  });

  it('retries a failed write later and writes it once the store answers again', async () => {
    const base = batchedMemory();
    let failing = true;
    let attempts = 0;
    const repository: TokenRepository = {
      ...base,
      async touch(id, at) {
        attempts++;
        if (failing) throw new Error('database is locked');
        await base.touch(id, at);
      },
    };
    const h = makeHarness({ repository });
    const { token, info } = await h.service.issue({}, ANALYST);
    const usedAt = h.clock.now();
    await h.service.verify(token);
    await vi.waitFor(() => expect(attempts).toBeGreaterThanOrEqual(2), { timeout: 2_000 });
    failing = false;
    h.clock.advance(1_000); // no new use: only the retry can write
    await vi.waitFor(async () => expect((await base.findById(info.id))?.lastUsedAt).toBe(usedAt), { timeout: 5_000 });
  });

  it('batches the uses of many tokens into one touchMany call when the store has it', async () => {
    const base = batchedMemory();
    const batches: (readonly TokenUse[])[] = [];
    const repository: TokenRepository = {
      ...base,
      touch: () => Promise.reject(new Error('touch must not be called when touchMany exists')),
      async touchMany(uses) {
        batches.push(uses);
        for (const use of uses) await base.touch(use.id, use.at);
      },
    };
    const h = makeHarness({ repository });
    const issued = [];
    for (let i = 0; i < 30; i++) issued.push(await h.service.issue({ name: `t${i}` }, ANALYST));
    for (const { token } of issued) await h.service.verify(token);
    await vi.waitFor(() => expect(batches.flat()).toHaveLength(30));
    expect(batches.length).toBeLessThanOrEqual(2);
    for (const { info } of issued) expect((await base.findById(info.id))?.lastUsedAt).toBe(h.clock.now());
  });
});
