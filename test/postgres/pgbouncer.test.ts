/**
 * The PostgreSQL store behind a real PgBouncer (Debian's `pgbouncer`), the
 * way PostgreSQL is commonly run at scale: two pools stand for two service
 * instances, both through one pooler in transaction mode, where consecutive
 * statements of one client may run in different server sessions.
 *
 * - every atomic promise holds (one master, exact cap, one rotation winner,
 *   single-use claims, usage credits and rate limits spent exactly);
 * - verification keeps working once the pooler is warm (named prepared
 *   statements would collide: `42P05`);
 * - the verification cache hears a revocation made through the other
 *   instance when its LISTEN connection has a session of its own (PgBouncer in
 *   session mode), and refuses to serve from memory when it has not
 *   (transaction mode);
 * - the server timeouts cannot travel as startup parameters through it, but
 *   do from the role it logs in as;
 * - with PostgreSQL down behind the pooler the cache fails closed.
 *
 * A private server, because the last test kills it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { cachedRepository, migrate, postgresRepository, postgresTimeouts } from '../../src/stores/postgres/index.js';
import { type LocalPgBouncer, pgBouncerAvailability, startPgBouncer } from '../support/pgbouncer.js';
import {
  describePostgres,
  type LocalPostgres,
  startLocalPostgres,
  testPool,
  uniqueSchema,
} from '../support/postgres.js';
import { ANALYST, type Harness, makeHarness } from '../support/service.js';
import { barrier, outcomes, settle } from './helpers.js';

const RACERS = 20;

describePostgres('the PostgreSQL store behind PgBouncer', pgBouncerAvailability(), () => {
  let server: LocalPostgres;
  let transactionMode: LocalPgBouncer;
  let sessionMode: LocalPgBouncer;
  const pools: ReturnType<typeof testPool>[] = [];
  const closers: (() => Promise<void>)[] = [];
  /** A pool through `bouncer`, ended after the file. */
  const pool = (bouncer: LocalPgBouncer, max = 10, extra: pg.PoolConfig = {}) => {
    const created = testPool(bouncer.url, max, extra);
    pools.push(created);
    return created;
  };

  beforeAll(async () => {
    // Durable commits: the token issued before the kill must still be there after it.
    server = await startLocalPostgres({ durableCommits: true });
    const common = { serverPort: server.port, database: server.database, poolSize: 6 };
    [transactionMode, sessionMode] = await Promise.all([
      startPgBouncer({ ...common, mode: 'transaction' }),
      startPgBouncer({ ...common, mode: 'session' }),
    ]);
  });
  afterAll(async () => {
    // The poolers and the server must go whatever happened above: a close that hangs gets 5 s.
    const within = (work: Promise<unknown>) =>
      Promise.race([work.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    try {
      for (const close of closers.splice(0)) await within(close());
      for (const created of pools) await within(created.end());
    } finally {
      await transactionMode?.destroy();
      await sessionMode?.destroy();
      await server?.destroy();
    }
  });

  /** Two instances on their own pools through the transaction-mode pooler, on a fresh schema. */
  const twoInstances = async (tag: string) => {
    const schema = uniqueSchema(tag);
    const [a, b] = [pool(transactionMode), pool(transactionMode)];
    await migrate(a, { schema });
    return { schema, a, b };
  };

  describe('transaction mode, two instances', () => {
    it('verify keeps working once the pooler is warm, on both instances', async () => {
      const { schema, a, b } = await twoInstances('warm');
      const [ha, hb] = [a, b].map((p) => makeHarness({ repository: postgresRepository({ pool: p, schema }) }));
      const issued = await ha!.service.issue({ name: 'warm' }, ANALYST);
      for (let round = 0; round < 4; round++) {
        const codes = await Promise.all(
          Array.from({ length: 200 }, (_, i) => settle((i % 2 ? ha! : hb!).service.verify(issued.token))),
        );
        expect(
          codes.filter((code) => code !== 'ok'),
          `round ${round}`,
        ).toEqual([]);
      }
    });

    it('one instance runs each maintenance pass: the advisory lock lives in the pass transaction', async () => {
      const { schema, a, b } = await twoInstances('maintenance');
      let release: () => void = () => {};
      let entered: () => void = () => {};
      const inside = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const hooks = {
        onExpiring: () =>
          new Promise<void>((resolve) => {
            entered();
            release = resolve;
          }),
      };
      const [ha, hb] = [a, b].map((p) => makeHarness({ repository: postgresRepository({ pool: p, schema }), hooks }));
      await ha!.service.issue({ name: 'expiring', ttl: '1h' }, ANALYST);
      const first = ha!.service.runMaintenance();
      await inside;
      // Through the pooler the other instance's statements run on other server sessions: the lock still holds.
      for (let i = 0; i < 5; i++) expect((await hb!.service.runMaintenance()).skipped).toBe(true);
      release();
      expect((await first).skipped).toBe(false);
      expect((await hb!.service.runMaintenance()).skipped).toBe(false);
    });

    /** Two harnesses whose repositories hold `method` at one shared barrier. */
    const racing = async (
      tag: string,
      method: 'update' | 'insert' | 'insertMaster' | 'consumeClaim' | 'spend',
      overrides: Partial<TokenServiceOptions> = {},
    ) => {
      const { schema, a, b } = await twoInstances(tag);
      const gate = barrier(RACERS);
      const make = (p: typeof a): Harness =>
        makeHarness({ ...overrides, repository: gate.hold(postgresRepository({ pool: p, schema }), method) });
      return { schema, a, instances: [make(a), make(b)] as const };
    };
    const spread = <T>(instances: readonly [Harness, Harness], call: (h: Harness) => Promise<T>) =>
      Promise.allSettled(Array.from({ length: RACERS }, (_, i) => call(instances[i % 2]!)));

    it('20 rotations of one token across both: exactly one winner', async () => {
      const { instances } = await racing('rotate', 'update');
      const issued = await instances[0].service.issue({ name: 'rotate_race' }, ANALYST);
      const { values, codes } = outcomes(await spread(instances, (h) => h.service.rotate(issued.info.id, ANALYST)));
      expect(values).toHaveLength(1);
      expect(new Set(codes)).toEqual(new Set(['conflict']));
      expect(await settle(instances[1].service.verify(values[0]!.token))).toBe('ok');
      expect(await settle(instances[1].service.verify(issued.token))).toBe('token_invalid');
    });

    it('cap + 15 issues across both: exactly the cap succeed', async () => {
      const cap = 5;
      const { schema, a, instances } = await racing('cap', 'insert', { policy: { maxTokensPerUser: cap } });
      for (const h of instances) h.users.acme!.capped = { grants: 'all' };
      const capped = { tenant: 'acme', user: 'capped' };
      let n = 0;
      const { values, codes } = outcomes(
        await spread(instances, (h) => h.service.issue({ name: `cap_${n++}` }, capped)),
      );
      expect(values).toHaveLength(cap);
      expect(codes).toEqual(Array(RACERS - cap).fill('limit_exceeded'));
      const { rows } = await a.query(
        `SELECT count(*)::int AS n FROM "${schema}".tokenward_tokens WHERE owner = 'capped'`,
      );
      expect(rows[0]?.n).toBe(cap);
    });

    it('20 ensureMasterToken calls across both: exactly one master', async () => {
      const { schema, a, instances } = await racing('master', 'insertMaster');
      for (const h of instances) h.users.acme!.mastered = { grants: 'all' };
      const results = await spread(instances, (h) => h.service.ensureMasterToken({ tenant: 'acme', user: 'mastered' }));
      const { values } = outcomes(results);
      expect(values).toHaveLength(RACERS);
      expect(values.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(values.map((result) => result.info.id)).size).toBe(1);
      const { rows } = await a.query(
        `SELECT count(*)::int AS n FROM "${schema}".tokenward_tokens WHERE owner = 'mastered' AND type = 'master'`,
      );
      expect(rows[0]?.n).toBe(1);
    });

    it('20 claims of one share across both: exactly one success', async () => {
      const { instances } = await racing('claim', 'consumeClaim');
      const issued = await instances[0].service.issue({ name: 'shared_race' }, ANALYST);
      const { code } = await instances[0].service.share(issued.info.id, ANALYST);
      const { values, codes } = outcomes(await spread(instances, (h) => h.service.claim(code)));
      expect(values).toHaveLength(1);
      expect(new Set(codes)).toEqual(new Set(['not_found']));
      expect(await settle(instances[1].service.verify(values[0]!.token))).toBe('ok');
    });
  });

  describe('transaction mode, metered verifications', () => {
    /** Two instances whose spends all wait for each other before they reach the pooler. */
    const metered = async (tag: string) => {
      const { schema, a, b } = await twoInstances(tag);
      const gate = barrier(RACERS);
      const [ha, hb] = [a, b].map((p) =>
        makeHarness({ repository: gate.hold(postgresRepository({ pool: p, schema }), 'spend') }),
      );
      return [ha!, hb!] as const;
    };

    it('20 verifications across both against credits of 5: exactly 5 pass', async () => {
      const instances = await metered('credits');
      const issued = await instances[0].service.issue({ name: 'credits_race', remaining: 5 }, ANALYST);
      const { values, codes } = outcomes(
        await Promise.allSettled(
          Array.from({ length: RACERS }, (_, i) => instances[i % 2]!.service.verify(issued.token)),
        ),
      );
      expect(values.map((principal) => principal.remaining).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(codes).toEqual(Array(RACERS - 5).fill('usage_exceeded'));
      expect((await instances[1].service.get(issued.info.id, ANALYST)).remaining).toBe(0);
    });

    it('20 verifications across both against a limit of 10 per hour: exactly 10 pass', async () => {
      const instances = await metered('ratelimit');
      const issued = await instances[0].service.issue(
        { name: 'limit_race', ratelimit: { limit: 10, duration: '1h' } },
        ANALYST,
      );
      const { values, codes } = outcomes(
        await Promise.allSettled(
          Array.from({ length: RACERS }, (_, i) => instances[i % 2]!.service.verify(issued.token)),
        ),
      );
      expect(values).toHaveLength(10);
      expect(codes).toEqual(Array(RACERS - 10).fill('rate_limited'));
    });
  });

  describe('bounded waits behind the pooler', () => {
    it('refuses the server timeouts as startup parameters', async () => {
      const client = new pg.Client({ connectionString: transactionMode.url, ...postgresTimeouts() });
      client.on('error', () => {});
      await expect(client.connect()).rejects.toThrow(/unsupported startup parameter/);
      await client.end().catch(() => {});
    });

    it('takes them from the role it logs in as: verify behind a table lock answers unavailable in time', async () => {
      const direct = testPool(server.url, 2);
      pools.push(direct);
      await direct.query('CREATE ROLE tw_bounded LOGIN SUPERUSER');
      await direct.query(`ALTER ROLE tw_bounded SET lock_timeout = '200ms'`);
      const bouncer = await startPgBouncer({
        serverPort: server.port,
        database: server.database,
        mode: 'transaction',
        user: 'tw_bounded',
      });
      closers.push(() => bouncer.destroy());
      const { schema } = await twoInstances('role_timeouts');
      const bounded = pool(bouncer, 4, postgresTimeouts({ lockTimeout: null, statementTimeout: null }));
      const h = makeHarness({ repository: postgresRepository({ pool: bounded, schema }) });
      const issued = await h.service.issue({ name: 'role_bound' }, ANALYST);
      const locker = await direct.connect();
      try {
        await locker.query(`BEGIN; LOCK TABLE "${schema}".tokenward_tokens IN ACCESS EXCLUSIVE MODE`);
        const started = performance.now();
        const error = await h.service.verify(issued.token).catch((caught: unknown) => caught);
        expect(error).toMatchObject({ code: 'unavailable', cause: { code: '55P03' } });
        expect(performance.now() - started).toBeLessThan(2_000);
      } finally {
        await locker.query('ROLLBACK');
        locker.release();
      }
      expect(await settle(h.service.verify(issued.token))).toBe('ok');
    });
  });

  describe('the verification cache', () => {
    /** Records invalidations; `seen(id)` resolves once `id` has arrived. */
    const tracker = () => {
      const ids: (string | null)[] = [];
      return {
        onInvalidate: (id: string | null) => ids.push(id),
        async seen(id: string, from: number): Promise<void> {
          const deadline = Date.now() + 5_000;
          while (!ids.slice(from).includes(id)) {
            if (Date.now() > deadline) throw new Error(`no notification for ${id} within 5 s`);
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        },
        mark: () => ids.length,
      };
    };

    it('with its LISTEN connection through session mode, hears a revocation made through the other instance', async () => {
      const { schema, a, b } = await twoInstances('cache_session');
      const events = tracker();
      const repository = cachedRepository(postgresRepository({ pool: b, schema }), {
        pool: pool(sessionMode, 1),
        schema,
        ttlMs: 60_000,
        onInvalidate: events.onInvalidate,
      });
      closers.push(() => repository.close());
      await repository.whenListening();
      const writer = makeHarness({ repository: postgresRepository({ pool: a, schema }) });
      const reader = makeHarness({ repository });
      const before = events.mark();
      const issued = await writer.service.issue({ name: 'heard' }, ANALYST);
      await events.seen(issued.info.id, before);
      expect(await settle(reader.service.verify(issued.token))).toBe('ok');
      const hits = repository.stats().hits;
      expect(await settle(reader.service.verify(issued.token))).toBe('ok');
      expect(repository.stats().hits).toBe(hits + 1);

      const beforeRevoke = events.mark();
      await writer.service.revoke(issued.info.id, ANALYST);
      await events.seen(issued.info.id, beforeRevoke);
      expect(await settle(reader.service.verify(issued.token))).toBe('token_revoked');
    });

    it('with its LISTEN connection through transaction mode, refuses at start and never answers from memory', async () => {
      const { schema, a, b } = await twoInstances('cache_tx');
      const repository = cachedRepository(postgresRepository({ pool: b, schema }), {
        pool: pool(transactionMode, 1),
        schema,
        ttlMs: 60_000,
        probeTimeoutMs: 300,
      });
      closers.push(() => repository.close());
      const writer = makeHarness({ repository: postgresRepository({ pool: a, schema }) });
      const reader = makeHarness({ repository });
      for (let round = 0; round < 5; round++) {
        const issued = await writer.service.issue({ name: `unheard_${round}` }, ANALYST);
        for (let i = 0; i < 5; i++) expect(await settle(reader.service.verify(issued.token))).toBe('ok');
        await writer.service.revoke(issued.info.id, ANALYST);
        // No notification can reach this cache, so it must not have kept anything.
        expect(await settle(reader.service.verify(issued.token))).toBe('token_revoked');
      }
      expect(repository.stats()).toMatchObject({ hits: 0, size: 0 });
      // And it says so, to whoever waits for it at start-up.
      await expect(repository.whenListening()).rejects.toMatchObject({ name: 'TokenError', code: 'unavailable' });
      expect(repository.listening).toBe(false);
      expect(repository.stats().probeFailures).toBeGreaterThanOrEqual(1);
    });

    // These kill the server (and start it again).
    it.each(['transaction', 'session'] as const)(
      'with PostgreSQL down behind the pooler (LISTEN through %s mode), fails closed at once and recovers',
      async (listenMode) => {
        const { schema, b } = await twoInstances(`outage_${listenMode}`);
        // The pooler queues a client while it cannot reach the server; the driver's query_timeout bounds that.
        const reads = pool(transactionMode, 4, { query_timeout: 1_500 });
        const repository = cachedRepository(postgresRepository({ pool: reads, schema }), {
          pool: pool(listenMode === 'session' ? sessionMode : transactionMode, 1),
          schema,
          ttlMs: 60_000,
        });
        closers.push(() => repository.close());
        const h = makeHarness({ repository });
        const writer = makeHarness({ repository: postgresRepository({ pool: b, schema }) });
        const issued = await writer.service.issue({ name: 'outage' }, ANALYST);
        // Warm: whatever this cache is willing to answer from memory, it now has.
        for (let i = 0; i < 20; i++) expect(await settle(h.service.verify(issued.token))).toBe('ok');

        await server.stopImmediate();
        for (let i = 0; i < 10; i++) {
          const started = performance.now();
          expect(await settle(h.service.verify(issued.token)), `verify ${i} after the stop`).toBe('unavailable');
          expect(performance.now() - started).toBeLessThan(5_000);
        }

        await server.start();
        const deadline = Date.now() + 30_000;
        while ((await settle(h.service.verify(issued.token))) !== 'ok') {
          if (Date.now() > deadline) throw new Error('no recovery within 30 s');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        if (listenMode === 'session') {
          await repository.whenListening();
          expect(repository.listening).toBe(true);
        }
      },
      60_000,
    );
  });
});
