/**
 * Faults: the PostgreSQL server stops in the middle of the test. Verification
 * must fail closed with `unavailable` (never accept), `issue` must hand out no
 * token and leave nothing behind (a frozen server runs, once it resumes, an
 * issue it had already received: then the token and its event, whole), and
 * once the server is back the same
 * service and pool work again. These tests stop their own private server, so
 * they never disturb the shared one.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cachedRepository, migrate, postgresRepository, postgresTimeouts } from '../../src/stores/postgres/index.js';
import { createFixtures, T0 } from '../../src/testing/fixtures.js';
import {
  describePostgres,
  findPostgresBin,
  type LocalPostgres,
  type PostgresAvailability,
  startLocalPostgres,
  testPool,
} from '../support/postgres.js';
import { ANALYST, makeHarness } from '../support/service.js';
import { settle } from './helpers.js';

const availability: PostgresAvailability =
  findPostgresBin() === null
    ? { ok: false, reason: 'the fault tests stop and restart a server: they need local PostgreSQL binaries' }
    : { ok: true, url: 'private', source: 'private' };

describePostgres('postgres faults: server stopped mid-test', availability, () => {
  let server: LocalPostgres;
  let pool: ReturnType<typeof testPool>;
  let listenPool: ReturnType<typeof testPool>;
  beforeAll(async () => {
    server = await startLocalPostgres();
    pool = testPool(server.url, 10);
    listenPool = testPool(server.url, 1);
    await migrate(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await listenPool?.end();
    await server?.destroy();
  });

  const rowsNamed = async (name: string): Promise<{ tokens: number; events: number }> => {
    const { rows } = await pool.query<{ tokens: string; events: string }>(
      `SELECT (SELECT count(*) FROM tokenward_tokens WHERE name = $1) AS tokens,
              (SELECT count(*) FROM tokenward_events e JOIN tokenward_tokens t ON t.id = e.token_id WHERE t.name = $1) AS events`,
      [name],
    );
    return { tokens: Number(rows[0]?.tokens), events: Number(rows[0]?.events) };
  };

  it('without the cache: fails closed while down, leaves nothing behind, recovers on restart', async () => {
    const h = makeHarness({ repository: postgresRepository({ pool }) });
    const issued = await h.service.issue({ name: 'before_outage' }, ANALYST);
    expect(await settle(h.service.verify(issued.token))).toBe('ok');

    await server.stop();
    for (let i = 0; i < 3; i++) expect(await settle(h.service.verify(issued.token))).toBe('unavailable');
    let outcome: unknown;
    try {
      outcome = await h.service.issue({ name: 'during_outage' }, ANALYST);
    } catch (error) {
      outcome = error;
    }
    expect(outcome).toMatchObject({ name: 'TokenError', code: 'unavailable', status: 503 });
    expect(JSON.stringify(outcome)).not.toContain(issued.token);
    expect(await settle(h.service.revoke(issued.info.id, ANALYST))).toBe('unavailable');

    await server.start();
    // Same service, same pool: no restart of anything but the database.
    expect(await settle(h.service.verify(issued.token))).toBe('ok');
    expect(await rowsNamed('during_outage')).toEqual({ tokens: 0, events: 0 });
    expect(await rowsNamed('before_outage')).toEqual({ tokens: 1, events: 1 });
    const after = await h.service.issue({ name: 'during_outage' }, ANALYST);
    expect(await settle(h.service.verify(after.token))).toBe('ok');
    expect(pool.idleErrors.length).toBeGreaterThan(0);
  });

  it('with the cache: stops answering from memory when the database goes away, and recovers', async () => {
    const seen: (string | null)[] = [];
    const repository = cachedRepository(postgresRepository({ pool }), {
      pool: listenPool,
      ttlMs: 60_000,
      onInvalidate: (id) => seen.push(id),
    });
    try {
      await repository.whenListening();
      const h = makeHarness({ repository });
      const issued = await h.service.issue({ name: 'cached_outage' }, ANALYST);
      expect(await settle(h.service.verify(issued.token))).toBe('ok');
      expect(await settle(h.service.verify(issued.token))).toBe('ok');

      const resetsBefore = repository.stats().resets;
      await server.stop();
      // The stop terminates the LISTEN connection; wait for the cache to notice (no blind sleep).
      while (repository.listening) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(repository.stats().resets).toBe(resetsBefore + 1);
      expect(seen).toContain(null);
      for (let i = 0; i < 3; i++) expect(await settle(h.service.verify(issued.token))).toBe('unavailable');
      expect(await settle(h.service.issue({ name: 'cached_during_outage' }, ANALYST))).toBe('unavailable');

      await server.start();
      expect(await settle(h.service.verify(issued.token))).toBe('ok');
      await repository.whenListening();
      expect(await settle(h.service.verify(issued.token))).toBe('ok');
      expect(await rowsNamed('cached_during_outage')).toEqual({ tokens: 0, events: 0 });
    } finally {
      await repository.close();
    }
  });
  it('a frozen server: the driver bounds (queryTimeout, connectionTimeout) end every call, and the pool recovers', async () => {
    const bounded = testPool(server.url, 4, postgresTimeouts({ queryTimeout: '1s', connectionTimeout: '1s' }));
    try {
      const repository = postgresRepository({ pool: bounded });
      const h = makeHarness({ repository });
      const issued = await h.service.issue({ name: 'frozen' }, ANALYST);
      // Four open connections, so that the calls below find one and wait on the server, not on connecting.
      await Promise.all(Array.from({ length: 4 }, () => bounded.query('SELECT pg_sleep(0.05)')));
      await server.pause();
      try {
        const timed = async (call: () => Promise<unknown>): Promise<number> => {
          const started = performance.now();
          await call().catch(() => {});
          return performance.now() - started;
        };
        expect(await settle(h.service.verify(issued.token))).toBe('unavailable');
        // A transaction whose statement timed out is not sent a ROLLBACK that would wait as long again.
        const insert = await timed(() => repository.insert(createFixtures().token(), { now: T0 }));
        expect(insert).toBeLessThan(1_800);
        // Calls that need a new connection wait at most connectionTimeout for it.
        const calls = await Promise.all(
          Array.from({ length: 6 }, () => settle(h.service.issue({ name: 'frozen_issue' }, ANALYST))),
        );
        expect(calls).toEqual(Array(6).fill('unavailable'));
      } finally {
        await server.resume();
      }
      expect(await settle(h.service.verify(issued.token))).toBe('ok');
      // An issue the frozen server had already received (one round trip: the policies were kept) runs when
      // it resumes, like any write whose answer is lost; its token never left the process. Each is whole:
      // the token with its event, or nothing; and the six share a name, so at most one got in.
      const left = await rowsNamed('frozen_issue');
      expect(left.events).toBe(left.tokens);
      expect(left.tokens).toBeLessThanOrEqual(1);
    } finally {
      await bounded.end();
    }
  });

  it('a frozen server behind a live LISTEN connection: the cache stops answering within heartbeatMs + probeTimeoutMs', async () => {
    const [heartbeatMs, probeTimeoutMs] = [200, 300];
    const reads = testPool(server.url, 4, postgresTimeouts({ queryTimeout: '1s' }));
    const listen = testPool(server.url, 1);
    const repository = cachedRepository(postgresRepository({ pool: reads }), {
      pool: listen,
      ttlMs: 60_000,
      heartbeatMs,
      probeTimeoutMs,
    });
    try {
      await repository.whenListening();
      const h = makeHarness({ repository });
      const issued = await h.service.issue({ name: 'frozen_cached' }, ANALYST);
      // Until a lookup is answered from memory (our own insert's notification may empty the cache once).
      while (repository.stats().hits === 0) expect(await settle(h.service.verify(issued.token))).toBe('ok');

      await server.pause();
      const frozenAt = performance.now();
      let firstFailure: number | null = null;
      const afterFirst: string[] = [];
      try {
        while (performance.now() - frozenAt < 3_000) {
          const started = performance.now() - frozenAt;
          const code = await settle(h.service.verify(issued.token));
          if (code !== 'ok') firstFailure ??= started;
          if (firstFailure !== null) afterFirst.push(code);
          await sleep(20);
        }
      } finally {
        await server.resume();
      }
      // The socket never closed: only the heartbeat can have told.
      expect(firstFailure).not.toBeNull();
      expect(firstFailure!).toBeLessThan(heartbeatMs + probeTimeoutMs + 500);
      expect(new Set(afterFirst)).toEqual(new Set(['unavailable']));

      const deadline = Date.now() + 20_000;
      while ((await settle(h.service.verify(issued.token))) !== 'ok') {
        if (Date.now() > deadline) throw new Error('no recovery within 20 s');
        await sleep(50);
      }
      await repository.whenListening();
    } finally {
      await repository.close();
      await reads.end();
      await listen.end();
    }
  });
});
