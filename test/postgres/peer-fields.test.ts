/**
 * Issue 13 on a real PostgreSQL server, with two service instances on one
 * database (each its own pool): one instance runs each maintenance pass
 * (advisory lock), `onExpiring` fires once per token across instances,
 * a disabled or updated token is seen by the other instance (through the
 * verification cache too), and an imported key verifies and is re-hashed.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ExpiringToken, IssuedToken } from '../../src/service/types.js';
import { cachedRepository, migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { ALICE, ANALYST, type Harness, makeHarness, testClock } from '../support/service.js';
import { settle } from './helpers.js';

const server = await testPostgres();

describePostgres('issue 13 on PostgreSQL, two instances', server, (url) => {
  const schema = uniqueSchema('peer');
  const poolA = testPool(url, 8);
  const poolB = testPool(url, 8);
  const listen = testPool(url, 2);
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    await migrate(poolA, { schema });
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  afterAll(async () => {
    for (const pool of [poolA, poolB, listen]) await pool.end();
    await dropSchema(url, schema);
  });

  /** A clock of its own per test, so that tokens of earlier tests are long expired or far off. */
  let clock = testClock();

  /** Two services on the database, sharing one clock (`clock`) and one directory. */
  function pair(options: Parameters<typeof makeHarness>[0] = {}): [Harness, Harness] {
    clock = testClock(Date.UTC(2030, 0, 1) + Math.floor(Math.random() * 1e9));
    const a = makeHarness({ repository: postgresRepository({ pool: poolA, schema }), now: clock.now, ...options });
    const b = makeHarness({ repository: postgresRepository({ pool: poolB, schema }), now: clock.now, ...options });
    return [a, b];
  }

  it('one instance runs each maintenance pass; the other skips it while the lock is held', async () => {
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const [a, b] = pair({
      hooks: {
        onExpiring: () =>
          new Promise<void>((resolve) => {
            entered();
            release = resolve;
          }),
      },
    });
    await a.service.issue({ name: 'lock_probe', ttl: '1h' }, ANALYST);
    const passA = a.service.runMaintenance();
    await inside;
    const passB = await b.service.runMaintenance();
    expect(passB).toMatchObject({ skipped: true, tasks: [] });
    release();
    const reportA = await passA;
    expect(reportA.skipped).toBe(false);
    expect(reportA.tasks.map((task) => task.name)).toEqual([
      'purgeExpired',
      'pruneEvents',
      'expiryWarnings',
      'refillCredits',
      'pruneRevokedSessions',
    ]);
    // The lock is released with the pass: the next one runs.
    expect((await b.service.runMaintenance()).skipped).toBe(false);
  });

  it('onExpiring fires once per token across two instances running passes at the same time', async () => {
    const seen: ExpiringToken[] = [];
    const hooks = { onExpiring: (warning: ExpiringToken) => void seen.push(warning) };
    const [a, b] = pair({ hooks, expiryWarnings: ['1d'] });
    // Without the lock (markExpiring alone decides), each token is still announced once.
    const unlocked = (h: Harness) => Object.assign(Object.create(h.repository), { runExclusive: undefined });
    const [c, d] = [
      makeHarness({ repository: unlocked(a), now: clock.now, hooks, expiryWarnings: ['1d'] }),
      makeHarness({ repository: unlocked(b), now: clock.now, hooks, expiryWarnings: ['1d'] }),
    ];
    const issued: IssuedToken[] = [];
    for (let i = 0; i < 40; i++) issued.push(await a.service.issue({ name: `expiring_${i}`, ttl: '12h' }, ANALYST));
    await Promise.all([c.service.runMaintenance(), d.service.runMaintenance(), c.service.runMaintenance()]);
    const ids = seen.map((warning) => warning.token.id).filter((id) => issued.some((t) => t.info.id === id));
    expect(ids.sort()).toEqual(issued.map((t) => t.info.id).sort());
  });

  it('a token disabled or renamed through one instance is seen so by the other, through its cache too', async () => {
    const cached = cachedRepository(postgresRepository({ pool: poolB, schema }), {
      pool: listen,
      schema,
      ttlMs: 60_000,
    });
    closers.push(() => cached.close());
    await cached.whenListening();
    const a = makeHarness({ repository: postgresRepository({ pool: poolA, schema }) });
    const b = makeHarness({ repository: cached });
    const issued = await a.service.issue({ name: 'toggled', meta: { tier: 'gold' } }, ANALYST);
    expect((await b.service.verify(issued.token)).meta).toEqual({ tier: 'gold' });
    await a.service.update(issued.info.id, { enabled: false, meta: { tier: 'silver' } }, ANALYST);
    await expect.poll(() => settle(b.service.verify(issued.token)), { timeout: 5_000 }).toBe('token_disabled');
    await a.service.update(issued.info.id, { enabled: true }, ANALYST);
    await expect.poll(() => settle(b.service.verify(issued.token)), { timeout: 5_000 }).toBe('ok');
    expect((await b.service.verify(issued.token)).meta).toEqual({ tier: 'silver' });
  });

  it('renames race across instances: one of two renames to one name wins', async () => {
    const [a, b] = pair();
    const one = await a.service.issue({ name: 'race_one' }, ANALYST);
    const two = await b.service.issue({ name: 'race_two' }, ANALYST);
    const results = await Promise.all([
      settle(a.service.update(one.info.id, { name: 'race_winner' }, ANALYST)),
      settle(b.service.update(two.info.id, { name: 'race_winner' }, ANALYST)),
    ]);
    expect(results.sort()).toEqual(['conflict', 'ok']);
  });

  it('an imported key verifies through either instance and is re-hashed once', async () => {
    const [a, b] = pair({ legacyPrefixes: ['sk_live_'] });
    const key = `sk_live_${schema}`;
    const digest = createHash('sha256').update(key).digest('hex');
    const { imported } = await a.service.importTokens(
      [{ hash: { value: digest, variant: 'sha256_hex' }, owner: 'analyst', name: 'legacy_pg' }],
      ALICE,
    );
    const id = imported[0]!.info.id;
    const verified = await Promise.all([a.service.verify(key), b.service.verify(key), b.service.verify(key)]);
    expect(verified.map((principal) => principal.tokenId)).toEqual([id, id, id]);
    const stored = await a.repository.findById(id);
    expect(stored?.lookupHash).not.toContain(digest);
    const events = (await a.service.events(id, ALICE)).items.map((event) => event.type);
    // Exactly one of each. Their order is not checked: both may carry the same millisecond, and
    // the ids that break the tie come from two instances' id factories.
    expect(events.sort()).toEqual(['imported', 'rehashed']);
    const { rows } = await poolA.query(
      `SELECT count(*)::int AS n FROM "${schema}".tokenward_tokens WHERE lookup_hash LIKE $1`,
      [`%${digest}%`],
    );
    expect(rows[0].n).toBe(0);
  });
});
