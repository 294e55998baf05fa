/**
 * Rate limits, usage credits and sign-out across two service instances on
 * one PostgreSQL database (issue 13): two pools are two instances, their
 * verifications race for real, and the shared limit holds, with and
 * without the verification cache.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RateLimitState, spendStep } from '../../src/core/metering.js';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenMeter } from '../../src/core/types.js';
import {
  type CachedTokenRepository,
  cachedRepository,
  migrate,
  postgresRepository,
} from '../../src/stores/postgres/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { ANALYST, type Harness, makeHarness } from '../support/service.js';
import { sessionHarness, sessionKeys } from '../support/sessions.js';
import { errorCode, outcomes } from './helpers.js';

const server = await testPostgres();

describePostgres('meters across two instances on one PostgreSQL database', server, (url) => {
  const schema = uniqueSchema('meters');
  const pools = [testPool(url, 12), testPool(url, 12), testPool(url, 2)];
  const [poolA, poolB, listen] = pools as [(typeof pools)[0], (typeof pools)[0], (typeof pools)[0]];
  let cache: CachedTokenRepository;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    await migrate(poolA, { schema });
    // Instance B answers lookups from its verification cache: the meter is still the database's to judge.
    cache = cachedRepository(postgresRepository({ pool: poolB, schema }), { pool: listen, schema, ttlMs: 60_000 });
    await cache.whenListening();
    a = makeHarness({ repository: postgresRepository({ pool: poolA, schema }) });
    b = makeHarness({ repository: cache });
  });
  afterAll(async () => {
    await cache.close();
    for (const pool of pools) await pool.end();
    await dropSchema(url, schema);
  });

  /** `count` verifications at once, alternating between the two instances. */
  const everywhere = (token: string, count: number) =>
    Promise.allSettled(Array.from({ length: count }, (_, i) => (i % 2 === 0 ? a : b).service.verify(token)));

  it('credits of 5: exactly 5 of 20 verifications across the two instances pass', async () => {
    const { token, info } = await a.service.issue({ remaining: 5 }, ANALYST);
    await b.service.verify(token, { cost: 0 }); // B caches the record, credits and all
    const { values, codes } = outcomes(await everywhere(token, 20));
    expect(values).toHaveLength(5);
    expect(codes).toEqual(Array(15).fill('usage_exceeded'));
    expect(values.map((principal) => principal.remaining).sort()).toEqual([0, 1, 2, 3, 4]);
    expect((await a.service.get(info.id, ANALYST)).remaining).toBe(0);
  });

  it('a limit of 10 per second holds across the instances, step by step exactly as the token bucket says', async () => {
    const { token, info } = await a.service.issue({ ratelimit: { limit: 10, duration: '1s' } }, ANALYST);
    const stored = (await postgresRepository({ pool: poolA, schema }).findById(info.id))!;
    let expected: { meter: TokenMeter; state: RateLimitState | null } = { meter: stored.meter!, state: null };
    for (const [step, calls] of [40, 12, 12, 3, 12, 30].entries()) {
      if (step > 0) for (const h of [a, b]) h.clock.advance(step === 3 ? 1_000 : 250);
      const at = a.clock.now();
      let admitted = 0;
      for (let i = 0; i < calls; i++) {
        const next = spendStep(expected.meter, expected.state, { cost: 1, ratelimits: null }, at);
        if (!next.ok) break;
        expected = { meter: next.meter, state: next.state };
        admitted++;
      }
      const { values, codes } = outcomes(await everywhere(token, calls));
      expect(values, `step ${step}`).toHaveLength(admitted);
      expect(codes).toEqual(Array(calls - admitted).fill('rate_limited'));
    }
  });

  it('a limit of 10 per second holds on real clocks: never more than 10 + 10 per elapsed second', async () => {
    const realA = makeHarness({ repository: postgresRepository({ pool: poolA, schema }), now: Date.now });
    const realB = makeHarness({ repository: cache, now: Date.now });
    const { token } = await realA.service.issue({ ratelimit: { limit: 10, duration: '1s' } }, ANALYST);
    const started = Date.now();
    let admitted = 0;
    const client = async (service: Harness['service']): Promise<void> => {
      while (Date.now() - started < 2_000) {
        await service.verify(token).then(
          () => admitted++,
          (error: unknown) => expect(errorCode(error)).toBe('rate_limited'),
        );
      }
    };
    await Promise.all([realA, realB, realA, realB, realA, realB].map((h) => client(h.service)));
    const elapsed = Date.now() - started;
    expect(admitted).toBeLessThanOrEqual(10 + Math.floor((10 * elapsed) / 1_000));
    // And the limit is no stricter than it says: the burst and at least a second's refill got through.
    expect(admitted).toBeGreaterThanOrEqual(20);
  });

  it('a session signed out on one instance is refused by the other at once, through its cache', async () => {
    const keys = await sessionKeys();
    const sa = await sessionHarness({ repository: postgresRepository({ pool: poolA, schema }) }, keys);
    const sb = await sessionHarness({ repository: cache as TokenRepository }, keys);
    const { token } = await sa.service.issue({ name: 'signed-in' }, ANALYST);
    const session = await sa.service.exchange(token);
    expect((await sb.service.verify(session.token)).session?.id).toBe(session.sessionId);
    await sa.service.revoke(session.sessionId, { principal: await sa.service.verify(session.token) });
    await expect(sb.service.verify(session.token)).rejects.toMatchObject({ code: 'token_revoked' });
    expect((await sb.service.verify(token)).type).toBe('personal');
  });

  it('refillCredits writes the refills that came due, once, whichever instance runs it', async () => {
    const { info } = await a.service.issue({ remaining: 0, refill: { interval: '1h', amount: 9 } }, ANALYST);
    for (const h of [a, b]) h.clock.advance(3_600_000);
    const counts = await Promise.all([a.service.refillCredits(), b.service.refillCredits()]);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);
    const row = await poolA.query(`SELECT meter FROM "${schema}".tokenward_tokens WHERE id = $1`, [info.id]);
    expect(row.rows[0].meter.remaining).toBe(9);
  });
});
