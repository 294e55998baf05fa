/**
 * Races through the token service on PostgreSQL: 20 calls at once, each on
 * its own pool connection, so the database (not the event loop) decides
 * every winner.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { ANALYST } from '../support/service.js';
import { outcomes, pgHarness, settle, withBarrier } from './helpers.js';

const RACERS = 20;
const server = await testPostgres();

describePostgres('postgres races through the service', server, (url) => {
  const schema = uniqueSchema('races');
  const pool = testPool(url, RACERS + 5);
  beforeAll(async () => {
    // Open every connection up front so the racers do not queue on connection setup.
    const clients = await Promise.all(Array.from({ length: RACERS }, () => pool.connect()));
    for (const client of clients) client.release();
  });
  afterAll(async () => {
    await pool.end();
    await dropSchema(url, schema);
  });

  /** The repository of this file's schema with `method` held until `parties` calls wait on it. */
  const racing = async (method: keyof TokenRepository, parties: number): Promise<TokenRepository> => {
    await migrate(pool, { schema });
    return withBarrier(postgresRepository({ pool, schema }), method, parties);
  };

  const liveRows = async (where: string, params: unknown[]): Promise<number> => {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${schema}".tokenward_tokens WHERE revoked_at IS NULL AND ${where}`,
      params,
    );
    return Number(rows[0]?.n);
  };

  it('20 concurrent rotations of one token: exactly one winner and exactly one live secret', async () => {
    // Every rotation reads version 1 before any compare-and-set runs.
    const h = await pgHarness(pool, schema, { repository: await racing('update', RACERS) });
    const issued = await h.service.issue({ name: 'rotate_race' }, ANALYST);
    const results = await Promise.allSettled(
      Array.from({ length: RACERS }, () => h.service.rotate(issued.info.id, ANALYST)),
    );
    const { values, codes } = outcomes(results);
    expect(values).toHaveLength(1);
    expect(codes).toHaveLength(RACERS - 1);
    expect(new Set(codes)).toEqual(new Set(['conflict']));
    // Of the original and the winner's secret, only the winner's verifies.
    expect(await settle(h.service.verify(values[0]!.token))).toBe('ok');
    expect(await settle(h.service.verify(issued.token))).toBe('token_invalid');
    const { rows } = await pool.query<{ version: number }>(
      `SELECT version FROM "${schema}".tokenward_tokens WHERE id = $1`,
      [issued.info.id],
    );
    expect(rows[0]?.version).toBe(2);
    expect(pool.totalCount).toBeGreaterThanOrEqual(RACERS);
  });

  it('cap + 10 concurrent issues: exactly the cap succeed', async () => {
    const cap = 5;
    const h = await pgHarness(pool, schema, {
      policy: { maxTokensPerUser: cap },
      repository: await racing('insert', cap + 10),
    });
    h.users.acme!.capped = { grants: 'all' };
    const capped = { tenant: 'acme', user: 'capped' };
    const results = await Promise.allSettled(
      Array.from({ length: cap + 10 }, (_, i) => h.service.issue({ name: `cap_${i}` }, capped)),
    );
    const { values, codes } = outcomes(results);
    expect(values).toHaveLength(cap);
    expect(codes).toEqual(Array(10).fill('limit_exceeded'));
    expect(await liveRows('tenant = $1 AND owner = $2', ['acme', 'capped'])).toBe(cap);
    for (const { token } of values) expect(await settle(h.service.verify(token))).toBe('ok');
  });

  it('20 concurrent issues of one name: exactly one succeeds', async () => {
    const h = await pgHarness(pool, schema, { repository: await racing('insert', RACERS) });
    const results = await Promise.allSettled(
      Array.from({ length: RACERS }, () => h.service.issue({ name: 'same_name' }, ANALYST)),
    );
    const { values, codes } = outcomes(results);
    expect(values).toHaveLength(1);
    expect(new Set(codes)).toEqual(new Set(['conflict']));
    expect(await liveRows('owner = $1 AND name = $2', ['analyst', 'same_name'])).toBe(1);
  });

  it('20 concurrent ensureMasterToken calls: exactly one master, its secret returned once', async () => {
    const h = await pgHarness(pool, schema, { repository: await racing('insertMaster', RACERS) });
    h.users.acme!.mastered = { grants: 'all' };
    const results = await Promise.all(
      Array.from({ length: RACERS }, () => h.service.ensureMasterToken({ tenant: 'acme', user: 'mastered' })),
    );
    const created = results.filter((result) => result.created);
    expect(created).toHaveLength(1);
    expect(new Set(results.map((result) => result.info.id)).size).toBe(1);
    expect(results.filter((result) => 'token' in result && result.token !== undefined)).toHaveLength(1);
    expect(await liveRows("owner = $1 AND type = 'master'", ['mastered'])).toBe(1);
    const winner = created[0]!;
    expect('token' in winner && (await settle(h.service.verify(winner.token)))).toBe('ok');
  });

  it('20 concurrent claims of one share: exactly one success', async () => {
    const h = await pgHarness(pool, schema, { repository: await racing('consumeClaim', RACERS) });
    const issued = await h.service.issue({ name: 'shared_race' }, ANALYST);
    const { code } = await h.service.share(issued.info.id, ANALYST);
    const results = await Promise.allSettled(Array.from({ length: RACERS }, () => h.service.claim(code)));
    const { values, codes } = outcomes(results);
    expect(values).toHaveLength(1);
    expect(codes).toHaveLength(RACERS - 1);
    expect(await settle(h.service.verify(values[0]!.token))).toBe('ok');
    expect(await settle(h.service.verify(issued.token))).not.toBe('ok');
  });

  it('verifies racing a revoke never bring the token back', async () => {
    // Every verify also records the use (touchInterval 1 ms), so writes race the revoke too.
    const h = await pgHarness(pool, schema, { touchInterval: 1 });
    for (let round = 0; round < 5; round++) {
      const issued = await h.service.issue({ name: `verify_revoke_${round}` }, ANALYST);
      const verifies = Array.from({ length: RACERS }, (_, i) =>
        (async () => {
          h.clock.advance(i);
          return settle(h.service.verify(issued.token));
        })(),
      );
      const revoked = h.service.revoke(issued.info.id, ANALYST);
      const early = await Promise.all(verifies);
      await revoked;
      // Each verify either saw the token before the revoke or saw it revoked.
      expect(early.every((code) => code === 'ok' || code === 'token_revoked')).toBe(true);
      // After the revoke has returned, no verify on any connection accepts it, and storage says revoked.
      const late = await Promise.all(Array.from({ length: RACERS }, () => settle(h.service.verify(issued.token))));
      expect(late).toEqual(Array(RACERS).fill('token_revoked'));
      const record = await h.repository.findById(issued.info.id);
      expect(record?.revokedAt).not.toBeNull();
    }
  });
});
