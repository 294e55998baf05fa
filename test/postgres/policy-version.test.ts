/**
 * The policies a service keeps for `issue` (src/service/policy-cache.ts)
 * never outlive a change (issue 12): two service instances on separate
 * pools, one writing policies (through the service, or by hand in SQL), the
 * other issuing with the policies it kept. A policy committed before an
 * issue starts governs that issue, whichever way it moved the limit; and
 * the store refuses an insert decided under an old policy version
 * atomically with the insert (migration 6).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenEvent, TokenRecord } from '../../src/core/types.js';
import { cachedRepository, migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { T0, testRecord } from '../support/records.js';
import { ALICE, ANALYST, makeHarness } from '../support/service.js';
import { settle } from './helpers.js';

const server = await testPostgres();
const ANALYST_POLICY = { tenant: 'acme', user: 'analyst' } as const;
const ANALYST_ROLE = { tenant: 'acme', role: 'service_accounts' } as const;

let ids = 0;
const nextId = (): string => `01PVER${String(++ids).padStart(20, '0')}`;

function issuedEvent(record: TokenRecord): TokenEvent {
  const { id, tenant, createdBy } = record;
  return {
    id: `E${id}`,
    tokenId: id,
    tenant,
    type: 'issued',
    actor: createdBy,
    operation: 'issued',
    detail: null,
    at: T0,
  };
}

describePostgres('postgres policy versions: kept policies never outlive a change', server, (url) => {
  const schema = uniqueSchema('polver');
  const writerPool = testPool(url, 4);
  const issuerPool = testPool(url, 10);
  beforeAll(async () => {
    await migrate(writerPool, { schema });
  });
  afterAll(async () => {
    await writerPool.end();
    await issuerPool.end();
    await dropSchema(url, schema);
  });

  const instance = (pool = issuerPool, repository: TokenRepository = postgresRepository({ pool, schema })) =>
    makeHarness({ repository });
  const byHand = (sql: string) => writerPool.query(sql.replaceAll('policies', `"${schema}".tokenward_policies`));
  let names = 0;
  const issue = (h: ReturnType<typeof instance>, ttl: string) =>
    settle(h.service.issue({ name: `pv_${++names}`, ttl }, ANALYST));

  it('a change through one instance governs the next issue through another that kept the old policies', async () => {
    const writer = instance(writerPool);
    const issuer = instance();
    expect(await issue(issuer, '30d')).toBe('ok'); // kept: no policy
    await writer.service.setMaxTtl(ANALYST_POLICY, '1d', ALICE);
    expect(await issue(issuer, '30d')).toBe('duration_exceeds_policy');
    expect(await issue(issuer, '1d')).toBe('ok');
    // Loosened by a role policy (the longest applicable wins), then tightened by removing it.
    await writer.service.setMaxTtl(ANALYST_ROLE, '7d', ALICE);
    expect(await issue(issuer, '7d')).toBe('ok');
    await writer.service.setMaxTtl(ANALYST_ROLE, null, ALICE);
    expect(await issue(issuer, '7d')).toBe('duration_exceeds_policy');
    await writer.service.setMaxTtl(ANALYST_POLICY, null, ALICE);
  });

  it('a change made by hand in SQL counts too: UPDATE, DELETE and TRUNCATE of the policies', async () => {
    const writer = instance(writerPool);
    const issuer = instance();
    await writer.service.setMaxTtl(ANALYST_POLICY, '1d', ALICE);
    expect(await issue(issuer, '1d')).toBe('ok');
    await byHand(`UPDATE policies SET max_ttl = 3600000 WHERE tenant = 'acme' AND name = 'analyst'`);
    expect(await issue(issuer, '1d')).toBe('duration_exceeds_policy');
    await byHand(`DELETE FROM policies WHERE tenant = 'acme'`);
    expect(await issue(issuer, '2d')).toBe('ok');
    await writer.service.setMaxTtl(ANALYST_POLICY, '1d', ALICE);
    expect(await issue(issuer, '2d')).toBe('duration_exceeds_policy');
    await byHand('TRUNCATE policies');
    expect(await issue(issuer, '2d')).toBe('ok');
  });

  it('holds through cachedRepository, which passes the policy calls on', async () => {
    const writer = instance(writerPool);
    const cached = cachedRepository(postgresRepository({ pool: issuerPool, schema }), {
      pool: issuerPool,
      schema,
      ttlMs: 60_000,
    });
    try {
      const issuer = instance(issuerPool, cached);
      expect(await issue(issuer, '2d')).toBe('ok');
      await writer.service.setMaxTtl(ANALYST_POLICY, '1d', ALICE);
      expect(await issue(issuer, '2d')).toBe('duration_exceeds_policy');
      await writer.service.setMaxTtl(ANALYST_POLICY, null, ALICE);
    } finally {
      await cached.close();
    }
  });

  it('with issues in flight: every issue started after a change committed is decided under it', async () => {
    const writer = instance(writerPool);
    const issuer = instance();
    for (let round = 0; round < 12; round++) {
      const tight = round % 2 === 0;
      const inFlight = Array.from({ length: 6 }, () => issue(issuer, '2d'));
      await writer.service.setMaxTtl(ANALYST_POLICY, tight ? '1d' : '3d', ALICE);
      expect(await issue(issuer, '2d')).toBe(tight ? 'duration_exceeds_policy' : 'ok');
      for (const outcome of await Promise.all(inFlight)) expect(['ok', 'duration_exceeds_policy']).toContain(outcome);
    }
    await writer.service.setMaxTtl(ANALYST_POLICY, null, ALICE);
  });

  it('the repository: one version per tenant, changed by every policy write of that tenant only', async () => {
    const repository = postgresRepository({ pool: writerPool, schema });
    const first = await repository.policiesWithVersion!('acme', 'analyst', ['service_accounts']);
    expect(first.policies).toEqual([]);
    await repository.setPolicy('acme', { kind: 'role', name: 'service_accounts' }, 86_400_000, T0);
    const second = await repository.policiesWithVersion!('acme', 'analyst', ['service_accounts', 'service_accounts']);
    expect(second.version).not.toBe(first.version);
    expect(second.policies).toEqual(await repository.policiesFor('acme', 'analyst', ['service_accounts']));
    expect(second.policies.map((policy) => policy.maxTtl)).toEqual([86_400_000]);
    await repository.setPolicy('globex', { kind: 'user', name: 'gina' }, 3_600_000, T0);
    expect((await repository.policiesWithVersion!('acme', 'analyst', [])).version).toBe(second.version);
    await repository.setPolicy('acme', { kind: 'role', name: 'service_accounts' }, null, T0);
    expect((await repository.policiesWithVersion!('acme', 'analyst', [])).version).not.toBe(second.version);
  });

  it('the repository: an insert at an old version answers false and writes nothing; at the current one it stores', async () => {
    const repository = postgresRepository({ pool: writerPool, schema });
    const { version } = await repository.policiesWithVersion!('acme', 'analyst', []);
    await repository.setPolicy('acme', { kind: 'user', name: 'analyst' }, 86_400_000, T0);
    const record = testRecord(nextId(), { tenant: 'acme', owner: 'analyst', name: 'at_old_version' });
    expect(await repository.insertAtPolicyVersion!(record, { now: T0 }, version, issuedEvent(record))).toBe(false);
    expect(await repository.findById(record.id)).toBeNull();
    expect((await repository.listEvents({ tokenId: record.id, limit: 10 })).items).toEqual([]);
    const current = await repository.policiesWithVersion!('acme', 'analyst', []);
    expect(await repository.insertAtPolicyVersion!(record, { now: T0 }, current.version, issuedEvent(record))).toBe(
      true,
    );
    expect(await repository.findById(record.id)).toEqual(record);
    // The other refusals are insert's: the name is taken now.
    const again = { ...record, id: nextId() };
    await expect(repository.insertAtPolicyVersion!(again, { now: T0 }, current.version)).rejects.toMatchObject({
      code: 'conflict',
    });
    await repository.setPolicy('acme', { kind: 'user', name: 'analyst' }, null, T0);
  });
});
