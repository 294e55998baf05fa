/**
 * Several service instances on one database, each with its own pool: a
 * revocation through one is honoured by the others, at once without the
 * cache, and within the stated bound with it.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import {
  type CachedTokenRepository,
  cachedRepository,
  migrate,
  type PostgresTokenRepository,
  postgresRepository,
} from '../../src/stores/postgres/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { ANALYST, type Harness, makeHarness } from '../support/service.js';
import { settle } from './helpers.js';

const server = await testPostgres();

/**
 * Records a cache's invalidations. `mark()` before an action, then
 * `after(mark, match)` resolves once a matching invalidation has arrived
 * since the mark (or fails after `ms`): no blind sleeping, no missed event.
 */
function invalidations() {
  const seen: (string | null)[] = [];
  const waiting = new Set<() => void>();
  return {
    onInvalidate(id: string | null): void {
      seen.push(id);
      for (const wake of [...waiting]) wake();
    },
    mark: (): number => seen.length,
    after(mark: number, match: (id: string | null) => boolean, ms = 5_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!seen.slice(mark).some(match)) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no invalidation within ${ms} ms`));
        }, ms);
        waiting.add(check);
        check();
      });
    },
  };
}

describePostgres('several instances on one PostgreSQL database', server, (url) => {
  const schema = uniqueSchema('instances');
  // The LISTEN pool of instance B names itself, so that a test can find its backend whatever it last ran.
  const listenBName = `tw_listen_b_${schema.slice(-8)}`;
  const pools = [
    testPool(url, 6),
    testPool(url, 6),
    testPool(url, 2),
    testPool(url, 2, { application_name: listenBName }),
  ];
  const [poolA, poolB, listenA, listenB] = pools as [
    (typeof pools)[0],
    (typeof pools)[0],
    (typeof pools)[0],
    (typeof pools)[0],
  ];
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    await migrate(poolA, { schema });
  });
  afterEach(async () => {
    // Each cache holds a LISTEN connection until it is closed.
    for (const close of closers.splice(0)) await close();
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end();
    await dropSchema(url, schema);
  });

  const service = (repository: TokenRepository): Harness => makeHarness({ repository });
  const cached = (
    listenPool: typeof poolA,
    inner: PostgresTokenRepository,
    ttlMs: number,
    onInvalidate?: (id: string | null) => void,
  ) => {
    const repository = cachedRepository(inner, {
      pool: listenPool,
      schema,
      ttlMs,
      ...(onInvalidate ? { onInvalidate } : {}),
    });
    closers.push(() => repository.close());
    return repository;
  };
  const rawRevoke = (id: string) =>
    // Straight to the table, with no notification: what a lost notification looks like to another instance.
    poolA.query(`UPDATE "${schema}".tokenward_tokens SET revoked_at = $2, version = version + 1 WHERE id = $1`, [
      id,
      Date.UTC(2026, 0, 1),
    ]);

  it('without the cache: a revocation through one instance is honoured by the other at its next verification', async () => {
    const a = service(postgresRepository({ pool: poolA, schema }));
    const b = service(postgresRepository({ pool: poolB, schema }));
    const issued = await a.service.issue({ name: 'plain_two_instances' }, ANALYST);
    expect(await settle(b.service.verify(issued.token))).toBe('ok');
    await a.service.revoke(issued.info.id, ANALYST);
    expect(await settle(b.service.verify(issued.token))).toBe('token_revoked');

    const other = await b.service.issue({ name: 'plain_rotated' }, ANALYST);
    const rotated = await a.service.rotate(other.info.id, ANALYST);
    expect(await settle(b.service.verify(other.token))).toBe('token_invalid');
    expect(await settle(b.service.verify(rotated.token))).toBe('ok');
  });

  it('with the cache: the other instance answers from memory until the notification arrives, then rejects', async () => {
    const events = invalidations();
    const repoA = cached(listenA, postgresRepository({ pool: poolA, schema }), 60_000);
    const repoB = cached(listenB, postgresRepository({ pool: poolB, schema }), 60_000, events.onInvalidate);
    await Promise.all([repoA.whenListening(), repoB.whenListening()]);
    const a = service(repoA);
    const b = service(repoB);
    const beforeIssue = events.mark();
    const issued = await a.service.issue({ name: 'cached_two_instances' }, ANALYST);
    // The insert is announced too (it clears "not found" entries); let that pass first.
    await events.after(beforeIssue, (id) => id === issued.info.id);
    expect(await settle(b.service.verify(issued.token))).toBe('ok');
    const hitsBefore = repoB.stats().hits;
    expect(await settle(b.service.verify(issued.token))).toBe('ok');
    expect(repoB.stats().hits).toBe(hitsBefore + 1);

    const beforeRevoke = events.mark();
    const revokedAt = performance.now();
    await a.service.revoke(issued.info.id, ANALYST);
    await events.after(beforeRevoke, (id) => id === issued.info.id);
    const latency = performance.now() - revokedAt;
    expect(latency).toBeLessThan(60_000);
    expect(await settle(b.service.verify(issued.token))).toBe('token_revoked');
    expect(repoB.stats().notifications).toBeGreaterThanOrEqual(1);
  });

  it('with the cache on one side only: the cached instance still hears revocations made by the uncached one', async () => {
    const events = invalidations();
    const repoB = cached(listenB, postgresRepository({ pool: poolB, schema }), 60_000, events.onInvalidate);
    await repoB.whenListening();
    const a = service(postgresRepository({ pool: poolA, schema }));
    const b = service(repoB);
    const issued = await a.service.issue({ name: 'mixed_instances' }, ANALYST);
    expect(await settle(b.service.verify(issued.token))).toBe('ok');
    const beforeRotate = events.mark();
    const rotated = await a.service.rotate(issued.info.id, ANALYST);
    await events.after(beforeRotate, (id) => id === issued.info.id);
    expect(await settle(b.service.verify(issued.token))).toBe('token_invalid');
    expect(await settle(b.service.verify(rotated.token))).toBe('ok');
    const beforeRevoke = events.mark();
    await a.service.revoke(issued.info.id, ANALYST);
    await events.after(beforeRevoke, (id) => id === issued.info.id);
    expect(await settle(b.service.verify(rotated.token))).toBe('token_revoked');
  });

  it('with notifications lost: a revocation is honoured at the latest after ttlMs', async () => {
    const ttlMs = 1_000;
    const events = invalidations();
    const repoB: CachedTokenRepository = cached(
      listenB,
      postgresRepository({ pool: poolB, schema }),
      ttlMs,
      events.onInvalidate,
    );
    await repoB.whenListening();
    const a = service(postgresRepository({ pool: poolA, schema }));
    const b = service(repoB);
    const beforeIssue = events.mark();
    const issued = await a.service.issue({ name: 'lost_notification' }, ANALYST);
    await events.after(beforeIssue, (id) => id === issued.info.id);
    const readStarted = performance.now();
    expect(await settle(b.service.verify(issued.token))).toBe('ok');
    await rawRevoke(issued.info.id);
    const committedAt = performance.now();
    // Inside the bound the cache still answers from memory (it has heard nothing). The entry
    // lives until at least readStarted + ttlMs; a very slow machine may already be past that.
    if (performance.now() < readStarted + ttlMs - 100) {
      const hits = repoB.stats().hits;
      expect(await settle(b.service.verify(issued.token))).toBe('ok');
      expect(repoB.stats().hits).toBe(hits + 1);
    }
    // … and from ttlMs after the commit on, it never does.
    const deadline = committedAt + ttlMs;
    while (performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, deadline - performance.now()));
    expect(await settle(b.service.verify(issued.token))).toBe('token_revoked');
  });

  it('when the LISTEN connection drops, the cache is dropped, lookups read the database, and it listens again', async () => {
    const events = invalidations();
    const repoB = cached(listenB, postgresRepository({ pool: poolB, schema }), 60_000, events.onInvalidate);
    await repoB.whenListening();
    const a = service(postgresRepository({ pool: poolA, schema }));
    const b = service(repoB);
    const beforeIssue = events.mark();
    const issued = await a.service.issue({ name: 'listener_dropped' }, ANALYST);
    await events.after(beforeIssue, (id) => id === issued.info.id);
    expect(await settle(b.service.verify(issued.token))).toBe('ok');
    expect(repoB.stats().size).toBeGreaterThan(0);

    const beforeDrop = events.mark();
    const { rowCount } = await poolA.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [listenBName],
    );
    expect(rowCount).toBeGreaterThanOrEqual(1);
    await events.after(beforeDrop, (id) => id === null);
    expect(repoB.stats().resets).toBe(1);
    expect(repoB.stats().size).toBe(0);
    // A change whose notification nobody could hear is seen at once: nothing is cached any more.
    await rawRevoke(issued.info.id);
    expect(await settle(b.service.verify(issued.token))).toBe('token_revoked');
    await repoB.whenListening();
    expect(repoB.listening).toBe(true);
  });
});
