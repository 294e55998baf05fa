/**
 * Metering, session sign-out, spans and expiry warnings at their edges
 * (issue 15): the field a meter refusal names for each form, a spend the
 * store answers null for (revoked or deleted meanwhile), a metered record on
 * a store that cannot spend, a sign-out by every form of reference and by
 * principals that are not sessions, spans of calls that answer no token,
 * and expiry warnings past one batch of the store.
 */
import { describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenTracer } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { rejectionOf } from '../support/refusal.js';
import { ALICE, ANALYST, makeHarness } from '../support/service.js';
import { sessionHarness } from '../support/sessions.js';

const DAY = 86_400_000;

describe('metering', () => {
  it.each([
    ['a rate limit', { ratelimit: { limit: 1, duration: '1s' } }, 'ratelimit'],
    ['credits', { remaining: 5 }, 'remaining'],
    ['a refill alone', { refill: { interval: '1h', amount: 3 } }, 'refill'],
    ['credits and a refill', { remaining: 1, refill: { interval: '1h', amount: 3 } }, 'remaining'],
    ['a rate limit and credits', { ratelimit: { limit: 1, duration: '1s' }, remaining: 5 }, 'ratelimit'],
  ])('a store that cannot spend refuses %s naming %s', async (_label, meter, field) => {
    const { spend: _, ...withoutSpend } = memoryRepository();
    const h = makeHarness({ repository: withoutSpend });
    expect(await rejectionOf(h.service.issue(meter, ANALYST))).toEqual({ code: 'invalid_request', field });
  });

  it('a metered record on a store that cannot spend fails closed: unavailable', async () => {
    const base = memoryRepository();
    const h = makeHarness({ repository: base });
    const { token } = await h.service.issue({ remaining: 5 }, ANALYST);
    const { spend: _, ...withoutSpend } = base;
    const other = makeHarness({ repository: withoutSpend });
    expect(await codeOf(other.service.verify(token))).toBe('unavailable');
  });

  it('a spend the store answers null for is token_revoked, or token_invalid when the token is gone', async () => {
    const base = memoryRepository();
    let gone = false;
    const repository: TokenRepository = {
      ...base,
      spend: async () => null,
      findById: async (id) => (gone ? null : base.findById(id)),
    };
    const h = makeHarness({ repository });
    const { token } = await h.service.issue({ remaining: 5 }, ANALYST);
    expect(await codeOf(h.service.verify(token))).toBe('token_revoked');
    gone = true;
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
  });

  it('a principal shows remaining only for a token with credits, and ratelimits only for one with limits', async () => {
    const h = makeHarness();
    const limited = await h.service.issue({ ratelimit: { limit: 5, duration: '1m' } }, ANALYST);
    const principal = await h.service.verify(limited.token);
    expect(principal.remaining).toBeUndefined();
    expect(principal.ratelimits).toEqual([{ name: 'default', limit: 5, duration: 60_000 }]);
    const credited = await h.service.issue({ remaining: 5 }, ANALYST);
    const other = await h.service.verify(credited.token);
    expect(other.remaining).toBe(4);
    expect(other.ratelimits).toBeUndefined();
  });
});

describe('session sign-out', () => {
  it('by every form of reference: the id, or { id }', async () => {
    const { service } = await sessionHarness();
    const { token, info } = await service.issue({ name: 'parent' }, ANALYST);
    for (const ref of [(id: string) => id, (id: string) => ({ id })]) {
      const session = await service.exchange(token);
      const principal = await service.verify(session.token);
      expect(await service.revoke(ref(session.sessionId) as never, { principal })).toMatchObject({ id: info.id });
      expect(await codeOf(service.verify(session.token))).toBe('token_revoked');
    }
  });

  it.each([
    ['null', null],
    ['a number', 5],
    ['an object without id', { name: 'parent' }],
  ])('a session naming %s is refused with a TokenError, and stays signed in', async (_label, ref) => {
    const { service } = await sessionHarness();
    const { token } = await service.issue({ name: 'parent' }, ANALYST);
    const session = await service.exchange(token);
    const principal = await service.verify(session.token);
    expect(await codeOf(service.revoke(ref as never, { principal }))).toMatch(/^(invalid_request|not_found)$/);
    await expect(service.verify(session.token)).resolves.toMatchObject({ session: { id: session.sessionId } });
  });

  it('a token principal revoking itself is a revocation, not a sign-out; an undefined principal is refused', async () => {
    const { service } = await sessionHarness();
    const limited = await service.issue({ type: 'limited', grants: [] }, ANALYST);
    const principal = await service.verify(limited.token);
    expect(await service.revoke(limited.info.id, { principal })).toMatchObject({ status: 'revoked' });
    expect(await codeOf(service.revoke(limited.info.id, { principal: undefined } as never))).toBe('forbidden');
  });

  it('actors that are no principal pass by sign-out: the system revokes, null is refused with a TokenError', async () => {
    const { service } = await sessionHarness();
    const one = await service.issue({ name: 'one' }, ANALYST);
    expect(await service.revoke(one.info.id, 'system')).toMatchObject({ status: 'revoked' });
    const two = await service.issue({ name: 'two' }, ANALYST);
    expect(await codeOf(service.revoke(two.info.id, null as never))).toBe('invalid_request');
    expect(await service.revoke(two.info.id, ANALYST)).toMatchObject({ status: 'revoked' });
  });

  it('a session made by another service is no sign-out there', async () => {
    const repository = memoryRepository();
    const one = await sessionHarness({ repository });
    const { token } = await one.service.issue({ name: 'parent' }, ANALYST);
    const session = await one.service.exchange(token);
    const principal = await one.service.verify(session.token);
    const two = await sessionHarness({ repository });
    expect(await codeOf(two.service.revoke(session.sessionId, { principal }))).not.toBe('ok');
    await expect(one.service.verify(session.token)).resolves.toMatchObject({ session: { id: session.sessionId } });
  });
});

describe('hooks', () => {
  it('none configured: nothing is called and nothing is logged', async () => {
    const lines: unknown[] = [];
    const logger = {
      warn: (...args: unknown[]) => void lines.push(args),
      error: (...args: unknown[]) => void lines.push(args),
    };
    const h = makeHarness({ logger });
    const issued = await h.service.issue({}, ANALYST);
    await h.service.update(issued.info.id, { name: 'n' }, ANALYST);
    await h.service.revoke(issued.info.id, ANALYST);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(lines).toEqual([]);
  });
});

describe('spans of calls that answer no token', () => {
  function recordingTracer(): TokenTracer & { spans: { name: string; attributes: Record<string, unknown> }[] } {
    const spans: { name: string; attributes: Record<string, unknown> }[] = [];
    return {
      spans,
      async trace(name, work) {
        const span = { name, attributes: {} as Record<string, unknown> };
        spans.push(span);
        const setAttribute = (key: string, value: unknown): void => {
          span.attributes[key] = value;
        };
        return work({ setAttribute, fail: () => {} });
      },
    };
  }

  it('nothing (setMaxTtl), a number (revokeAll) or a page (list) set no attribute', async () => {
    const tracer = recordingTracer();
    const h = makeHarness({ tracer });
    await h.service.setMaxTtl({ user: 'bob' }, '30d', ALICE);
    expect(await h.service.revokeAll({ user: 'bob' }, ALICE)).toBe(0);
    await h.service.list({}, ANALYST);
    expect(tracer.spans.map((span) => [span.name, Object.keys(span.attributes)])).toEqual([
      ['tokenward.setMaxTtl', []],
      ['tokenward.revokeAll', []],
      ['tokenward.list', []],
    ]);
  });
});

describe('expiry warnings past one batch', () => {
  it.each([100, 150])('%i tokens due are each announced once', async (count) => {
    const seen: string[] = [];
    const h = makeHarness({
      expiryWarnings: ['7d'],
      hooks: { onExpiring: (event) => void seen.push(event.token.id) },
      policy: { maxTokensPerUser: 1000 },
    });
    for (let i = 0; i < count; i++) await h.service.issue({ ttl: '3d' }, ANALYST);
    h.clock.advance(DAY);
    const warnings = async () =>
      (await h.service.runMaintenance()).tasks.find((task) => task.name === 'expiryWarnings')?.count;
    expect(await warnings()).toBe(count);
    expect(new Set(seen).size).toBe(count);
    expect(await warnings()).toBe(0);
  });
});
