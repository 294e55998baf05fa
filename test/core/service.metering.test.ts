/**
 * Rate limits and usage credits through the service (issue 13): what
 * `issue` accepts and refuses, what `verify` spends and when, what the
 * principal and token info say, and that tokens without a meter pay
 * nothing for the feature.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import type { IssueInput } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { expectCode } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';
import { sessionHarness } from '../support/sessions.js';

/**
 * A memory repository that counts calls per method. Its lookups answer
 * through `findByIdSync` (issue 12): one lookup is one call of that.
 */
function counting(): { repository: TokenRepository; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const inner = memoryRepository();
  const repository = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { repository, calls };
}

describe('issue: ratelimit, remaining, refill', () => {
  it('stores the meter and shows it in the info', async () => {
    const { service } = makeHarness();
    const { info } = await service.issue(
      {
        name: 'metered',
        ratelimit: [
          { limit: 10, duration: '1s' },
          { name: 'exports', limit: 5, duration: '1h' },
        ],
        remaining: 100,
        refill: { interval: '1d', amount: 100 },
      },
      ANALYST,
    );
    expect(info.ratelimits).toEqual([
      { name: 'default', limit: 10, duration: 1_000 },
      { name: 'exports', limit: 5, duration: 3_600_000 },
    ]);
    expect(info.remaining).toBe(100);
    expect(info.refill).toEqual({ interval: 86_400_000, amount: 100, lastRefillAt: info.createdAt });
    const plain = await service.issue({ name: 'plain' }, ANALYST);
    expect(plain.info).toMatchObject({ ratelimits: [], remaining: null, refill: null });
  });

  it('starts a refill without remaining at the refill amount', async () => {
    const { service } = makeHarness();
    const { info } = await service.issue({ refill: { interval: '1h', amount: 7 } }, ANALYST);
    expect(info.remaining).toBe(7);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a limit of 0', { ratelimit: { limit: 0, duration: '1s' } }, 'ratelimit.limit'],
    ['a limit above a million', { ratelimit: { limit: 1_000_001, duration: '1s' } }, 'ratelimit.limit'],
    ['a fractional limit', { ratelimit: { limit: 1.5, duration: '1s' } }, 'ratelimit.limit'],
    ['a duration under a second', { ratelimit: { limit: 1, duration: '999ms' } }, 'ratelimit.duration'],
    ['a duration over 30 days', { ratelimit: { limit: 1, duration: '31d' } }, 'ratelimit.duration'],
    ['a duration that is no duration', { ratelimit: { limit: 1, duration: 'soon' } }, 'ratelimit.duration'],
    ['an unknown member', { ratelimit: { limit: 1, duration: '1s', burst: 3 } }, 'ratelimit.burst'],
    ['a bad name', { ratelimit: { name: 'a b', limit: 1, duration: '1s' } }, 'ratelimit.name'],
    [
      'two limits of one name',
      {
        ratelimit: [
          { limit: 1, duration: '1s' },
          { limit: 2, duration: '1m' },
        ],
      },
      'ratelimit[1].name',
    ],
    ['an empty list', { ratelimit: [] }, 'ratelimit'],
    [
      'eleven limits',
      { ratelimit: Array.from({ length: 11 }, (_, i) => ({ name: `l${i}`, limit: 1, duration: '1s' })) },
      'ratelimit',
    ],
    ['a limit that is no object', { ratelimit: 'fast' }, 'ratelimit'],
    ['negative credits', { remaining: -1 }, 'remaining'],
    ['fractional credits', { remaining: 0.5 }, 'remaining'],
    ['credits as text', { remaining: '10' }, 'remaining'],
    ['a refill without amount', { refill: { interval: '1d' } }, 'refill.amount'],
    ['a refill of 0', { refill: { interval: '1d', amount: 0 } }, 'refill.amount'],
    ['a refill every 10 ms', { refill: { interval: 10, amount: 1 } }, 'refill.interval'],
    ['a refill with an unknown member', { refill: { interval: '1d', amount: 1, day: 1 } }, 'refill.day'],
  ])('refuses %s with invalid_request naming the field, and stores nothing', async (_, input, field) => {
    const { service } = makeHarness();
    await expectCode(service.issue({ name: 'bad', ...input } as IssueInput, ANALYST), 'invalid_request', { field });
    expect((await service.list({}, ANALYST)).items).toEqual([]);
  });

  it('refuses a meter on a repository that cannot spend atomically, naming the field', async () => {
    const { spend: _, ...withoutSpend } = memoryRepository();
    const { service } = makeHarness({ repository: withoutSpend });
    await expectCode(service.issue({ remaining: 5 }, ANALYST), 'invalid_request', { field: 'remaining' });
    await expectCode(service.issue({ ratelimit: { limit: 1, duration: '1s' } }, ANALYST), 'invalid_request', {
      field: 'ratelimit',
    });
    await expect(service.issue({ name: 'plain' }, ANALYST)).resolves.toBeDefined();
  });
});

describe('verify: spending from the meter', () => {
  it('spends a credit per verification, shows what is left, and refuses the one too many', async () => {
    const { service } = makeHarness();
    const { token, info } = await service.issue({ remaining: 2 }, ANALYST);
    expect((await service.verify(token)).remaining).toBe(1);
    expect((await service.verify(token)).remaining).toBe(0);
    const error = await expectCode(service.verify(token), 'usage_exceeded');
    expect(error.status).toBe(429);
    expect(error.details).toEqual({ retryAfter: null });
    expect((await service.get(info.id, ANALYST)).remaining).toBe(0);
  });

  it('refills each interval, counted from the token creation, and says when in retryAfter', async () => {
    const { service, clock } = makeHarness();
    const { token, info } = await service.issue({ remaining: 1, refill: { interval: '1h', amount: 3 } }, ANALYST);
    await service.verify(token);
    clock.advance(20 * 60_000);
    const error = await expectCode(service.verify(token), 'usage_exceeded');
    expect(error.details.retryAfter).toBe(40 * 60_000);
    clock.advance(40 * 60_000);
    expect((await service.get(info.id, ANALYST)).remaining).toBe(3);
    expect((await service.verify(token)).remaining).toBe(2);
    clock.advance(5 * 3_600_000);
    expect((await service.get(info.id, ANALYST)).refill?.lastRefillAt.getTime()).toBe(
      info.createdAt.getTime() + 6 * 3_600_000,
    );
  });

  it('holds a rate limit: a burst up to the limit, then rate_limited with the exact wait', async () => {
    const { service, clock } = makeHarness();
    const { token } = await service.issue({ ratelimit: { limit: 10, duration: '1s' } }, ANALYST);
    for (let i = 0; i < 10; i++) await service.verify(token);
    const error = await expectCode(service.verify(token), 'rate_limited');
    expect(error.details).toEqual({ retryAfter: 100, ratelimit: 'default' });
    clock.advance(99);
    await expectCode(service.verify(token), 'rate_limited');
    clock.advance(1);
    expect((await service.verify(token)).ratelimits).toEqual([{ name: 'default', limit: 10, duration: 1_000 }]);
  });

  it('spends the cost asked for from the named limits only, and cost 0 spends nothing', async () => {
    const { service } = makeHarness();
    const { token, info } = await service.issue(
      {
        remaining: 10,
        ratelimit: [
          { name: 'reads', limit: 100, duration: '1m' },
          { name: 'exports', limit: 2, duration: '1h' },
        ],
      },
      ANALYST,
    );
    expect((await service.verify(token, { cost: 2, ratelimit: 'exports' })).remaining).toBe(8);
    await expectCode(service.verify(token, { ratelimit: ['exports'] }), 'rate_limited', {});
    expect((await service.verify(token, { ratelimit: 'reads' })).remaining).toBe(7);
    // A route may name a limit the token does not have: only the credits are spent.
    expect((await service.verify(token, { ratelimit: 'elsewhere' })).remaining).toBe(6);
    expect((await service.verify(token, { cost: 0 })).remaining).toBe(6);
    await expectCode(service.verify(token, { cost: 7 }), 'usage_exceeded');
    expect((await service.get(info.id, ANALYST)).remaining).toBe(6);
  });

  it.each([
    ['cost', { cost: -1 }],
    ['cost', { cost: 1.5 }],
    ['cost', { cost: 1_000_001 }],
    ['cost', { cost: '1' }],
    ['ratelimit', { ratelimit: '' }],
    ['ratelimit[1]', { ratelimit: ['reads', 7] }],
  ])('refuses a bad %s option with invalid_request, for any token', async (field, options) => {
    const { service } = makeHarness();
    const plain = await service.issue({ name: 'plain' }, ANALYST);
    await expectCode(service.verify(plain.token, options as never), 'invalid_request', { field });
    await expectCode(service.verify('garbage', options as never), 'invalid_request', { field });
  });

  it('spends nothing when anything else refuses the token: another tenant, revoked, expired, owner gone', async () => {
    const h = makeHarness();
    const { token, info } = await h.service.issue({ remaining: 5, ttl: '1h' }, BOB);
    await expectCode(h.service.verify(token, { tenant: 'globex' }), 'token_invalid');
    h.users.acme!.bob!.active = false;
    await expectCode(h.service.verify(token), 'token_invalid');
    h.users.acme!.bob!.active = true;
    expect((await h.service.get(info.id, BOB)).remaining).toBe(5);
    h.clock.advance(2 * 3_600_000);
    await expectCode(h.service.verify(token), 'token_expired');
    const other = await h.service.issue({ remaining: 5 }, BOB);
    await h.service.revoke(other.info.id, BOB);
    await expectCode(h.service.verify(other.token), 'token_revoked');
    expect((await h.service.get(other.info.id, BOB)).remaining).toBe(5);
  });

  it('costs a token without a meter one lookup and no write, whatever the cost asked', async () => {
    const { repository, calls } = counting();
    const { service } = makeHarness({ repository });
    const { token } = await service.issue({ name: 'plain' }, ANALYST);
    calls.clear();
    const principal = await service.verify(token, { cost: 5, ratelimit: 'exports' });
    expect(principal.remaining).toBeUndefined();
    expect(principal.ratelimits).toBeUndefined();
    // No spend and no update: the one write is the last-used note, made in place on the memory store (touchSync).
    expect(Object.fromEntries(calls)).toEqual({ findByIdSync: 1, touchSync: 1 });
  });

  it('refuses credits the record already shows short without asking the store', async () => {
    const { repository, calls } = counting();
    const { service } = makeHarness({ repository });
    const { token } = await service.issue({ remaining: 1 }, ANALYST);
    await service.verify(token);
    calls.clear();
    await expectCode(service.verify(token), 'usage_exceeded');
    expect(Object.fromEntries(calls)).toEqual({ findByIdSync: 1 });
  });

  it('spends from the meter of the token a session was exchanged from, at exchange and at each use', async () => {
    const { service } = await sessionHarness();
    const { token, info } = await service.issue({ remaining: 3 }, ALICE);
    const session = await service.exchange(token, { ttl: '5m' });
    expect((await service.get(info.id, ALICE)).remaining).toBe(2);
    expect((await service.verify(session.token)).remaining).toBe(1);
    expect((await service.verify(session.token)).remaining).toBe(0);
    await expectCode(service.verify(session.token), 'usage_exceeded');
    await expectCode(service.exchange(token), 'usage_exceeded');
  });

  it('refillCredits writes due refills; the service answers 0 on a store without it', async () => {
    const h = makeHarness();
    await h.service.issue({ remaining: 0, refill: { interval: '1h', amount: 4 } }, ANALYST);
    await h.service.issue({ remaining: 2 }, ANALYST);
    expect(await h.service.refillCredits()).toBe(0);
    h.clock.advance(3_600_000);
    expect(await h.service.refillCredits()).toBe(1);
    expect(await h.service.refillCredits()).toBe(0);
    const { refillCredits: _, ...withoutRefill } = memoryRepository();
    expect(await makeHarness({ repository: withoutRefill }).service.refillCredits()).toBe(0);
  });
});
