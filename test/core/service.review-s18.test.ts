/**
 * The outside review of 30 November (second): a verification refused for
 * another tenant left a trace of use (`lastUsedAt` moved, an imported key
 * re-hashed), and `rotate` let an old secret live on for any time at all.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A memory store that counts last-used writes, in place (`touchSync`) or batched (`touch` alone). */
function touching(inPlace: boolean): { repository: TokenRepository; touches: () => number } {
  const { touchSync, ...base } = memoryRepository();
  let touches = 0;
  const repository: TokenRepository = {
    ...base,
    touch: (id, at) => {
      touches++;
      return base.touch(id, at);
    },
  };
  if (inPlace) {
    repository.touchSync = (id, at) => {
      touches++;
      touchSync!(id, at);
    };
  }
  return { repository, touches: () => touches };
}

describe('a verification refused for another tenant leaves no trace of use', () => {
  it.each([
    ['written in place', true],
    ['batched', false],
  ])('a plain token (uses %s): token_invalid, and lastUsedAt stays as it was', async (_label, inPlace) => {
    const store = touching(inPlace);
    const h = makeHarness({ repository: store.repository });
    const { token, info } = await h.service.issue({ ttl: '1d' }, ANALYST);
    h.clock.advance(HOUR);
    expect(await codeOf(h.service.verify(token, { tenant: 'globex' }))).toBe('token_invalid');
    // Give any write the bookkeeping might have queued the time to land.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(store.touches()).toBe(0);
    expect((await h.service.get(info.id, ANALYST)).lastUsedAt).toBeNull();
    // The same token in its own tenant is noted as used, as before.
    await h.service.verify(token, { tenant: 'acme' });
    await vi.waitFor(() => expect(store.touches()).toBe(1));
    expect((await h.service.get(info.id, ANALYST)).lastUsedAt?.getTime()).toBe(h.clock.now());
  });

  it('an imported key: token_invalid, and its stored SHA-256 is not re-hashed', async () => {
    const h = makeHarness({ legacyPrefixes: ['sk_live_'] });
    const key = 'sk_live_othertenant0123456789abcd';
    const hex = createHash('sha256').update(key).digest('hex');
    const { imported } = await h.service.importTokens(
      [{ hash: { value: hex, variant: 'sha256_hex' }, owner: 'bob' }],
      ALICE,
    );
    const id = imported[0]!.info.id;
    expect(await codeOf(h.service.verify(key, { tenant: 'globex' }))).toBe('token_invalid');
    expect(await h.repository.findById(id)).toMatchObject({ lookupHash: `sha256:${hex}`, lastUsedAt: null });
    const types = (await h.service.events(id, ALICE)).items.map((event) => event.type);
    expect(types).toEqual(['imported']);
    expect((await h.service.verify(key, { tenant: 'acme' })).tokenId).toBe(id);
  });
});

describe('rotate: the grace period is at most the policy maxGracePeriod', () => {
  it("defaults to 7 days: '7d' is kept, '7d' and a millisecond is duration_exceeds_policy naming gracePeriod", async () => {
    const h = makeHarness();
    const { info } = await h.service.issue({ ttl: '30d' }, BOB);
    const over = await h.service.rotate(info.id, BOB, { gracePeriod: 7 * DAY + 1 }).catch((error: unknown) => error);
    expect(over).toBeInstanceOf(TokenError);
    expect(over).toMatchObject({ code: 'duration_exceeds_policy', details: { field: 'gracePeriod', limit: 7 * DAY } });
    const { token: first } = await h.service.rotate(info.id, BOB, { gracePeriod: '7d' });
    expect((await h.repository.findById(info.id))?.previousExpiresAt).toBe(h.clock.now() + 7 * DAY);
    expect((await h.service.verify(first)).tokenId).toBe(info.id);
  });

  it('a token without expiry gets no century of grace; the limit is configurable and checked', async () => {
    const h = makeHarness({ policy: { allowNoExpiry: true, maxGracePeriod: '1h' } });
    const { info } = await h.service.issue({ ttl: null }, BOB);
    expect(await codeOf(h.service.rotate(info.id, BOB, { gracePeriod: '100y' }))).toBe('duration_exceeds_policy');
    expect(await codeOf(h.service.rotate(info.id, BOB, { gracePeriod: '61m' }))).toBe('duration_exceeds_policy');
    await h.service.rotate(info.id, BOB, { gracePeriod: '1h' });
    expect((await h.repository.findById(info.id))?.previousExpiresAt).toBe(h.clock.now() + HOUR);
    // Bad configuration names its field.
    expect(() => makeHarness({ policy: { maxGracePeriod: 'forever' } })).toThrow(/policy\.maxGracePeriod/);
  });
});
