/**
 * Uses written in place (issue 12): on a store with `touchSync` (the memory
 * store) `verify` writes an accepted verification's use at once, in the row
 * it has just read, at most once per `touchInterval`, never for a refused
 * verification, never backwards; a `touchSync` that throws fails no
 * verification, and its use goes to the batched `touch` instead.
 */
import { describe, expect, it, vi } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { createUseRecorder } from '../../src/service/touch.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { batchedMemory } from '../support/batched.js';
import { codeOf } from '../support/errors.js';
import { T0, testRecord } from '../support/records.js';
import { ANALYST, makeHarness } from '../support/service.js';

const MINUTE = 60_000;

/** The memory store, with its in-place and batched writes counted (and `touchSync` throwing while `failing.on`). */
function counted() {
  const base = memoryRepository();
  const writes = { inPlace: [] as number[], batched: 0 };
  const failing = { on: false };
  const repository: TokenRepository = {
    ...base,
    touchSync(id, at) {
      writes.inPlace.push(at);
      if (failing.on) throw new Error('row store is broken (secret-looking-text-0123456789)');
      base.touchSync!(id, at);
    },
    touch(id, at) {
      writes.batched++;
      return base.touch(id, at);
    },
  };
  return { repository, base, writes, failing };
}

function harness(overrides: Partial<TokenServiceOptions> = {}) {
  const store = counted();
  const h = makeHarness({ repository: store.repository, touchInterval: '1m', ...overrides });
  return { ...h, ...store };
}

describe('uses written in place (touchSync)', () => {
  it('lands on the memory store as verify resolves, with no flush, no timer and no batched touch', async () => {
    const h = makeHarness({ touchInterval: '1m' });
    const { token, info } = await h.service.issue({}, ANALYST);
    h.clock.advance(5_000);
    await h.service.verify(token);
    // Read straight after, in the same turn: nothing was left for a timer.
    expect(h.repository.findByIdSync!(info.id)?.lastUsedAt).toBe(h.clock.now());
  });

  it('writes at most once per touchInterval: again at exactly one interval, not a millisecond sooner', async () => {
    const h = harness();
    const { token, info } = await h.service.issue({}, ANALYST);
    const first = h.clock.now();
    for (let i = 0; i < 20; i++) await h.service.verify(token);
    expect(h.writes.inPlace).toEqual([first]);
    h.clock.advance(MINUTE - 1);
    await h.service.verify(token);
    expect(h.writes.inPlace).toEqual([first]);
    h.clock.advance(1);
    await h.service.verify(token);
    await h.service.verify(token);
    expect(h.writes.inPlace).toEqual([first, first + MINUTE]);
    expect((await h.base.findById(info.id))?.lastUsedAt).toBe(first + MINUTE);
    expect(h.writes.batched).toBe(0);
  });

  it('never moves lastUsedAt backwards when the clock does', async () => {
    const h = harness();
    const { token, info } = await h.service.issue({}, ANALYST);
    h.clock.advance(10 * MINUTE);
    await h.service.verify(token);
    const latest = h.clock.now();
    h.clock.advance(-5 * MINUTE);
    await h.service.verify(token);
    expect((await h.base.findById(info.id))?.lastUsedAt).toBe(latest);
    // A use within the interval of a later stored one is not even attempted.
    expect(h.writes.inPlace).toEqual([latest]);
  });

  it.each([
    ['a wrong secret', 'token_invalid'],
    ['a revoked token', 'token_revoked'],
    ['an expired token', 'token_expired'],
    ['another tenant', 'token_invalid'],
    ['a disabled token', 'token_disabled'],
    ['an inactive owner', 'token_invalid'],
    ['a token with no credits left', 'usage_exceeded'],
  ])('writes nothing for a refused verification: %s (%s)', async (refusal, code) => {
    const h = harness();
    const metered = refusal === 'a token with no credits left';
    const { token, info } = await h.service.issue(metered ? { ttl: '1h', remaining: 0 } : { ttl: '1h' }, ANALYST);
    let text = token;
    let tenant: string | undefined;
    if (refusal === 'a wrong secret') {
      const { token: other } = await h.service.issue({ ttl: '1h' }, ANALYST);
      // The first token's id with the second one's secret and checksum: the secret does not match.
      text = token.slice(0, 33) + other.slice(33);
    } else if (refusal === 'a revoked token') await h.service.revoke(info.id, ANALYST);
    else if (refusal === 'an expired token') h.clock.advance(61 * MINUTE);
    else if (refusal === 'another tenant') tenant = 'globex';
    else if (refusal === 'a disabled token') await h.service.update(info.id, { enabled: false }, ANALYST);
    else if (refusal === 'an inactive owner') h.users.acme!.analyst = { active: false };
    expect(await codeOf(h.service.verify(text, tenant === undefined ? undefined : { tenant }))).toBe(code);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(h.writes).toEqual({ inPlace: [], batched: 0 });
    expect((await h.base.findById(info.id))?.lastUsedAt).toBeNull();
  });

  it('a metered token is written once its spend is made', async () => {
    const h = harness();
    const { token, info } = await h.service.issue({ remaining: 2 }, ANALYST);
    await h.service.verify(token);
    expect(h.writes.inPlace).toEqual([h.clock.now()]);
    expect((await h.base.findById(info.id))?.lastUsedAt).toBe(h.clock.now());
  });

  it('a touchSync that throws fails no verification: the use goes to the batched touch', async () => {
    const h = harness();
    const { token, info } = await h.service.issue({}, ANALYST);
    h.failing.on = true;
    await expect(h.service.verify(token)).resolves.toMatchObject({ tokenId: info.id });
    expect(h.writes.inPlace).toHaveLength(1);
    await vi.waitFor(() => expect(h.writes.batched).toBe(1));
    expect((await h.base.findById(info.id))?.lastUsedAt).toBe(h.clock.now());
    // Still throwing one interval later: still verified, still written by the batches.
    h.clock.advance(MINUTE);
    await expect(h.service.verify(token)).resolves.toMatchObject({ tokenId: info.id });
    await vi.waitFor(() => expect(h.writes.batched).toBe(2));
    // Working again: in place once more.
    h.failing.on = false;
    h.clock.advance(MINUTE);
    await h.service.verify(token);
    expect((await h.base.findById(info.id))?.lastUsedAt).toBe(h.clock.now());
    expect(h.writes.batched).toBe(2);
  });

  it('a store without touchSync (a wrapper that drops it) keeps the batches: nothing is written until they run', async () => {
    const h = makeHarness({ repository: batchedMemory(), touchInterval: '1m' });
    const { token, info } = await h.service.issue({}, ANALYST);
    await h.service.verify(token);
    expect((await h.repository.findById(info.id))?.lastUsedAt).toBeNull();
    await vi.waitFor(async () => expect((await h.repository.findById(info.id))?.lastUsedAt).toBe(h.clock.now()));
  });

  it('the recorder of a store with touchSync writes in place; only what it throws on waits, and flush writes that', async () => {
    const store = counted();
    const record = testRecord('01HZY00000000000000000000A');
    await store.base.insert(record, { now: T0 });
    const recorder = createUseRecorder(store.repository, MINUTE);
    recorder.note(record, T0 + 5);
    expect(store.writes).toEqual({ inPlace: [T0 + 5], batched: 0 });
    expect(recorder.size()).toEqual({ remembered: 0, pending: 0 });
    store.failing.on = true;
    recorder.note(record, T0 + 10);
    expect(recorder.size()).toEqual({ remembered: 1, pending: 1 });
    await recorder.flush();
    expect(recorder.size().pending).toBe(0);
    expect(store.writes.batched).toBe(1);
    expect((await store.base.findById(record.id))?.lastUsedAt).toBe(T0 + 10);
  });
});
