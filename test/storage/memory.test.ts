/**
 * What the memory repository promises beyond the shared contract: the hot
 * path returns the stored object without copying, and a crowded namespace
 * does not turn inserts and name lookups quadratic.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRecord } from '../../src/core/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { T0, testRecord } from '../support/records.js';

function token(i: number, overrides: Partial<TokenRecord> = {}): TokenRecord {
  const id = `T${String(i).padStart(10, '0')}`;
  return testRecord(id, {
    type: 'administrative',
    owner: null,
    name: `n${i}`,
    createdAt: T0 + i,
    createdBy: 'system',
    ...overrides,
  });
}

describe('memory repository', () => {
  it('findById hands out the same frozen object until the token changes', async () => {
    const repository = memoryRepository();
    await repository.insert(token(1), { now: T0 });
    const first = await repository.findById(token(1).id);
    expect(Object.isFrozen(first)).toBe(true);
    expect(await repository.findById(token(1).id)).toBe(first);
    await repository.touch(token(1).id, T0 + 5);
    const touched = await repository.findById(token(1).id);
    expect(touched).not.toBe(first);
    expect(first?.lastUsedAt).toBeNull();
  });

  it('keeps inserts and name lookups fast in a namespace of 20,000 tokens', async () => {
    // Scanning the namespace on every insert made this take 30 s and more
    // (quadratic); with the name index it takes well under a second. The
    // bound is loose on purpose: the machine is shared.
    const repository = memoryRepository();
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) {
      await repository.insert(token(i), { now: T0 + i, maxLivePerOwner: 100_000 });
    }
    for (let i = 0; i < 20_000; i++) {
      expect((await repository.findByName('acme', null, `n${i}`))?.id).toBe(token(i).id);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
