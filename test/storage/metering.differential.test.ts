/**
 * Differential property test of `spend` (issue 13): random meters and
 * random sequences of spends (random costs, named limits, gaps, refills,
 * clocks that step back) on the memory, SQLite and PostgreSQL stores give
 * exactly the answers of the core's `spendStep`, at every step, and leave
 * the same meter behind. PostgreSQL runs the arithmetic in its own SQL
 * (migration 4's `spend`): this is what holds the two equal.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type RateLimitState, type SpendRequest, spendStep } from '../../src/core/metering.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenMeter } from '../../src/core/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { T0, testRecord } from '../support/records.js';

const server = await testPostgres();

const arbMeter: fc.Arbitrary<TokenMeter> = fc
  .record({
    a: fc.option(
      fc.record({ limit: fc.integer({ min: 1, max: 6 }), duration: fc.integer({ min: 1_000, max: 9_000 }) }),
      {
        nil: undefined,
      },
    ),
    b: fc.option(
      fc.record({ limit: fc.integer({ min: 1, max: 3 }), duration: fc.integer({ min: 1_000, max: 60_000 }) }),
      {
        nil: undefined,
      },
    ),
    remaining: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
    refill: fc.option(
      fc.record({ interval: fc.integer({ min: 1_000, max: 20_000 }), amount: fc.integer({ min: 1, max: 9 }) }),
      {
        nil: null,
      },
    ),
  })
  .filter(({ a, b, remaining, refill }) => a !== undefined || b !== undefined || remaining !== null || refill !== null)
  .map(({ a, b, remaining, refill }) => ({
    ratelimits: [...(a === undefined ? [] : [{ name: 'a', ...a }]), ...(b === undefined ? [] : [{ name: 'b', ...b }])],
    remaining: remaining ?? (refill === null ? null : refill.amount),
    refill: remaining === null && refill === null ? null : refill,
    lastRefillAt: refill === null || (remaining === null && refill === null) ? null : T0,
  }));

const arbSpends = fc.array(
  fc.record({
    gap: fc.oneof(fc.constant(0), fc.integer({ min: -2_000, max: 3_000 }), fc.integer({ min: 0, max: 30_000 })),
    cost: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 8 })),
    names: fc.constantFrom<readonly string[] | null>(null, null, ['a'], ['b'], ['b', 'a'], [], ['c']),
  }),
  { minLength: 1, maxLength: 25 },
);

let serial = 0;

type Spends = readonly { readonly gap: number; readonly cost: number; readonly names: readonly string[] | null }[];

/** Runs the sequence on `repo` and checks every answer, and the meter left, against `spendStep`. */
async function agrees(repo: TokenRepository, meter: TokenMeter, spends: Spends): Promise<void> {
  const record = testRecord(`D${String(++serial).padStart(9, '0')}`, { meter });
  await repo.insert(record, { now: T0 });
  let expected: { meter: TokenMeter; state: RateLimitState | null } = { meter, state: null };
  let at = T0;
  for (const [i, call] of spends.entries()) {
    at += call.gap;
    const request: SpendRequest = { cost: call.cost, ratelimits: call.names };
    const step = spendStep(expected.meter, expected.state, request, at);
    expect(await repo.spend!(record.id, request, at), `spend ${i}`).toEqual(step.result);
    if (step.ok) expected = { meter: step.meter, state: step.state };
  }
  expect((await repo.findById(record.id))?.meter).toEqual(expected.meter);
}

describe('spend: memory and SQLite answer as spendStep does (fast-check, 300 runs)', () => {
  it('every answer and the meter left', async () => {
    const memory = memoryRepository();
    const sqlite = sqliteRepository({ path: ':memory:' });
    await fc.assert(
      fc.asyncProperty(arbMeter, arbSpends, async (meter, spends) => {
        await agrees(memory, meter, spends);
        await agrees(sqlite, meter, spends);
      }),
      { numRuns: 300 },
    );
    await sqlite.close();
  });
});

describePostgres('spend: PostgreSQL answers as spendStep does (fast-check, 150 runs)', server, (url) => {
  const schema = uniqueSchema('metering_diff');
  const pool = testPool(url, 4);
  afterAll(async () => {
    await pool.end();
    await dropSchema(url, schema);
  });

  it('every answer and the meter left, in its own SQL', async () => {
    await migrate(pool, { schema });
    const repo = postgresRepository({ pool, schema });
    await fc.assert(
      fc.asyncProperty(arbMeter, arbSpends, (meter, spends) => agrees(repo, meter, spends)),
      { numRuns: 150 },
    );
  }, 120_000);
});
