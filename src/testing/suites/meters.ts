/**
 * @internal Conformance: `spend` and `refillCredits` (rate limits and usage
 * credits, docs/limits.md), for stores that have them. A store must answer
 * every spend exactly as the core's `spendStep` does, keep a refused spend
 * from changing anything, and spend atomically under concurrent calls.
 */
import { type RateLimitState, type SpendRequest, type SpendResult, spendStep } from '../../core/metering.js';
import type { TokenRepository } from '../../core/repository.js';
import type { TokenMeter, TokenRecord } from '../../core/types.js';
import type { ContractContext } from '../context.js';
import { expect } from '../expect.js';
import { race, T0 } from '../fixtures.js';
import { skipTest } from '../runner.js';

type Spend = NonNullable<TokenRepository['spend']>;

/** A meter with credits and no limits, with any field overridden. */
export function creditsMeter(remaining: number, more: Partial<TokenMeter> = {}): TokenMeter {
  return { ratelimits: [], remaining, refill: null, lastRefillAt: null, ...more };
}

/** A meter of one limit `a` (and a slower `b` when `both`), no credits. */
export function limitsMeter(limit: number, duration: number, both = false): TokenMeter {
  const ratelimits = [{ name: 'a', limit, duration }];
  if (both) ratelimits.push({ name: 'b', limit: 1, duration: 60_000 });
  return { ratelimits, remaining: null, refill: null, lastRefillAt: null };
}

const ALL: SpendRequest = { cost: 1, ratelimits: null };

/** Declares a test of an optional method: skipped (as the runner can) on a store without it. */
function optionalIt(
  { it, repo }: ContractContext,
  method: keyof TokenRepository,
  name: string,
  body: () => Promise<void>,
): void {
  it(name, async function (this: unknown, ...args: unknown[]) {
    if (repo()[method] === undefined) return skipTest(this, args, `the store has no ${String(method)}`);
    await body();
  });
}

/** A deterministic mix of spends: the same every run, so a store's answers compare with `spendStep`'s. */
function scriptedSpends(count: number): { readonly at: number; readonly request: SpendRequest }[] {
  let seed = 0x2f6b;
  const next = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const names: (readonly string[] | null)[] = [null, null, ['a'], ['b'], ['elsewhere'], []];
  let at = T0;
  return Array.from({ length: count }, () => {
    at += [0, 0, 50, 400, 2_500, 61_000][next(6)]!;
    return { at, request: { cost: 1 + next(3), ratelimits: names[next(names.length)]! } };
  });
}

export function metersContract(context: ContractContext): void {
  creditsContract(context);
  limitsContract(context);
  metersRaceContract(context);
}

/** The store's spend, and a token as stored now, for the running test. */
function calls({ repo }: ContractContext) {
  return {
    spend: (id: string, request: SpendRequest, now: number): Promise<SpendResult | null> =>
      (repo().spend as Spend).call(repo(), id, request, now),
    stored: async (record: TokenRecord): Promise<TokenRecord> => (await repo().findById(record.id))!,
  };
}

function creditsContract(context: ContractContext): void {
  const { repo, fx, describe } = context;
  const { spend, stored } = calls(context);
  describe('meters: spend from credits', () => {
    optionalIt(context, 'spend', 'spends credits one verification at a time and refuses the one too many', async () => {
      const record = fx().token({ meter: creditsMeter(2) });
      await repo().insert(record, { now: T0 });
      expect(await repo().findById(record.id)).toEqual(record);
      expect(await spend(record.id, ALL, T0 + 1)).toEqual({ ok: true, remaining: 1 });
      expect(await spend(record.id, ALL, T0 + 2)).toEqual({ ok: true, remaining: 0 });
      const refused = { ok: false, code: 'usage_exceeded', retryAfter: null, ratelimit: null, remaining: 0 };
      expect(await spend(record.id, ALL, T0 + 3)).toEqual(refused);
      // Spending is no compare-and-set change: the version stays, and no event is written.
      expect(await stored(record)).toEqual({ ...record, meter: creditsMeter(0) });
      expect((await repo().listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([]);
    });

    optionalIt(context, 'spend', 'refills lazily at a spend, on the grid from the period start', async () => {
      const refill = { interval: 1_000, amount: 3 };
      const record = fx().token({ meter: creditsMeter(1, { refill, lastRefillAt: T0 }) });
      await repo().insert(record, { now: T0 });
      expect(await spend(record.id, { cost: 2, ratelimits: null }, T0 + 10)).toEqual({
        ok: false,
        code: 'usage_exceeded',
        retryAfter: 990,
        ratelimit: null,
        remaining: 1,
      });
      expect(await spend(record.id, { cost: 2, ratelimits: null }, T0 + 2_500)).toEqual({ ok: true, remaining: 1 });
      expect((await stored(record)).meter).toEqual(creditsMeter(1, { refill, lastRefillAt: T0 + 2_000 }));
    });

    optionalIt(context, 'refillCredits', 'refillCredits writes the refills that came due, and only those', async () => {
      const refill = { interval: 1_000, amount: 7 };
      const due = fx().token({ meter: creditsMeter(0, { refill, lastRefillAt: T0 }) });
      const notYet = fx().token({ meter: creditsMeter(2, { refill, lastRefillAt: T0 + 5_000 }) });
      const noRefill = fx().token({ meter: creditsMeter(1) });
      for (const record of [due, notYet, noRefill]) await repo().insert(record, { now: T0 });
      expect(await repo().refillCredits!(T0 + 3_500)).toBe(1);
      expect((await stored(due)).meter).toEqual(creditsMeter(7, { refill, lastRefillAt: T0 + 3_000 }));
      expect(await stored(notYet)).toEqual(notYet);
      expect(await stored(noRefill)).toEqual(noRefill);
      expect(await repo().refillCredits!(T0 + 3_600)).toBe(0);
    });
  });
}

function limitsContract(context: ContractContext): void {
  const { repo, fx, describe } = context;
  const { spend, stored } = calls(context);
  describe('meters: spend from rate limits', () => {
    optionalIt(context, 'spend', 'takes a limit per call until it is empty, then names it and the wait', async () => {
      const record = fx().token({ meter: limitsMeter(3, 3_000, true) });
      await repo().insert(record, { now: T0 });
      for (let i = 0; i < 3; i++)
        expect(await spend(record.id, { cost: 1, ratelimits: ['a'] }, T0)).toMatchObject({ ok: true });
      expect(await spend(record.id, { cost: 1, ratelimits: ['a'] }, T0)).toEqual({
        ok: false,
        code: 'rate_limited',
        retryAfter: 1_000,
        ratelimit: 'a',
        remaining: null,
      });
      // Limits the call does not name are not in its way.
      expect(await spend(record.id, { cost: 1, ratelimits: ['b'] }, T0)).toEqual({ ok: true, remaining: null });
      expect(await spend(record.id, { cost: 1, ratelimits: ['a'] }, T0 + 1_000)).toMatchObject({ ok: true });
    });

    optionalIt(context, 'spend', 'answers every spend exactly as spendStep does', async () => {
      const meter: TokenMeter = {
        ratelimits: [
          { name: 'a', limit: 4, duration: 2_000 },
          { name: 'b', limit: 2, duration: 5_000 },
        ],
        remaining: 40,
        refill: { interval: 30_000, amount: 25 },
        lastRefillAt: T0,
      };
      const record = fx().token({ meter });
      await repo().insert(record, { now: T0 });
      let expected: { meter: TokenMeter; state: RateLimitState | null } = { meter, state: null };
      for (const [i, call] of scriptedSpends(80).entries()) {
        const step = spendStep(expected.meter, expected.state, call.request, call.at);
        expect(await spend(record.id, call.request, call.at), `spend ${i} at +${call.at - T0} ms`).toEqual(step.result);
        if (step.ok) expected = { meter: step.meter, state: step.state };
      }
      expect((await stored(record)).meter).toEqual(expected.meter);
    });

    optionalIt(
      context,
      'spend',
      'answers null for a missing or revoked token, and ok for one without a meter',
      async () => {
        expect(await spend(fx().id(), ALL, T0)).toBeNull();
        const revoked = fx().token({ meter: creditsMeter(5) });
        await repo().insert(revoked, { now: T0 });
        await repo().revoke(revoked.id, T0 + 1);
        expect(await spend(revoked.id, ALL, T0 + 2)).toBeNull();
        const plain = fx().token();
        await repo().insert(plain, { now: T0 });
        expect(await spend(plain.id, ALL, T0)).toEqual({ ok: true, remaining: null });
        expect(await stored(plain)).toEqual(plain);
      },
    );
  });
}

function metersRaceContract(context: ContractContext): void {
  const { repo, fx, concurrency, describe } = context;
  const spend = (id: string, request: SpendRequest, now: number): Promise<SpendResult | null> =>
    (repo().spend as Spend).call(repo(), id, request, now);
  describe(`races on meters (${concurrency} concurrent calls)`, () => {
    optionalIt(context, 'spend', `credits of 5 admit exactly 5 of ${concurrency} concurrent spends`, async () => {
      const record = fx().token({ meter: creditsMeter(5) });
      await repo().insert(record, { now: T0 });
      const outcome = await race(concurrency, (i) => spend(record.id, ALL, T0 + i));
      expect(outcome.values.filter((result) => result?.ok === true)).toHaveLength(5);
      const left = outcome.values.flatMap((result) => (result?.ok === true ? [result.remaining] : []));
      expect([...left].sort()).toEqual([0, 1, 2, 3, 4]);
      expect((await repo().findById(record.id))?.meter?.remaining).toBe(0);
    });

    optionalIt(
      context,
      'spend',
      `a limit of 10 admits exactly 10 of ${concurrency + 10} concurrent spends`,
      async () => {
        const record = fx().token({ meter: limitsMeter(10, 1_000) });
        await repo().insert(record, { now: T0 });
        const outcome = await race(concurrency + 10, () => spend(record.id, ALL, T0));
        const refusals = outcome.values.filter((result) => result?.ok === false);
        expect(outcome.values.filter((result) => result?.ok === true)).toHaveLength(10);
        expect(refusals).toHaveLength(concurrency);
        for (const refusal of refusals) expect(refusal).toMatchObject({ code: 'rate_limited', retryAfter: 100 });
      },
    );
  });
}
