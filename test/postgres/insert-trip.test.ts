/**
 * `issue` on PostgreSQL in as few round trips as its guarantees allow
 * (issue 12): the repository's `insert` is one call of the `issue`
 * function (migration 6: lock, checks, token, event, notification), sent
 * with parameters as a prepared statement; the owner's tokens are counted
 * only when there is a cap; and the service keeps the policies it read, so
 * a warm `issue` is that one call, a cold one adds the policy read, and one
 * whose kept policies went stale adds the refused call and the read. Any
 * text must come back exactly as it went in, whatever
 * `standard_conforming_strings` says. (That the lock still serializes
 * concurrent inserts is in races.test.ts and pgbouncer.test.ts; that a
 * stale policy never governs an issue, in policy-version.test.ts.)
 */
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenEvent, TokenRecord } from '../../src/core/types.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { T0, testRecord } from '../support/records.js';
import { ALICE, ANALYST, makeHarness } from '../support/service.js';

const server = await testPostgres();

/** What a pool was asked: each query's text (or prepared statement name), and how many clients were checked out. */
interface Traffic {
  readonly queries: { readonly text: string; readonly name?: string; readonly values?: unknown[] | undefined }[];
  connects: number;
}

/** `pool` with every `query` and `connect` written down. */
function recorded(pool: pg.Pool): { pool: pg.Pool; traffic: Traffic } {
  const traffic: Traffic = { queries: [], connects: 0 };
  const proxy = new Proxy(pool, {
    get(target, key) {
      if (key === 'query') {
        return (config: string | { text: string; name?: string; values?: unknown[] }, values?: unknown[]) => {
          traffic.queries.push(typeof config === 'string' ? { text: config, values } : config);
          return target.query(config as string, values);
        };
      }
      if (key === 'connect') {
        return () => {
          traffic.connects++;
          return target.connect();
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool: proxy, traffic };
}

let ids = 0;
const nextId = (): string => `01TRIP${String(++ids).padStart(20, '0')}`;

function event(record: TokenRecord, detail: Record<string, unknown> | null = null): TokenEvent {
  return {
    id: `E${record.id}`,
    tokenId: record.id,
    tenant: record.tenant,
    type: 'issued',
    actor: record.createdBy,
    operation: 'issued',
    detail,
    at: T0,
  };
}

describePostgres('postgres insert: one round trip', server, (url) => {
  const schema = uniqueSchema('trip');
  const pool = testPool(url, 4);
  // The same server, with backslashes in plain string constants read as escapes (the pre-9.1 default).
  const legacyPool = testPool(url, 2, { options: '-c standard_conforming_strings=off' });
  beforeAll(async () => {
    await migrate(pool, { schema });
  });
  afterAll(async () => {
    await pool.end();
    await legacyPool.end();
    await dropSchema(url, schema);
  });

  /** What each recorded query was: a prepared statement's kind, or the start of its text. */
  const kinds = (traffic: Traffic): string[] =>
    traffic.queries.map((query) => query.name?.replace(/_[0-9a-f]{16}$/, '') ?? query.text.slice(0, 28));

  it('insert is one prepared call of the issue function and checks out no client; the cap goes only when set', async () => {
    const { pool: watched, traffic } = recorded(pool);
    const repository = postgresRepository({ pool: watched, schema });
    const first = testRecord(nextId(), { name: 'one_trip' });
    await repository.insert(first, { now: T0 }, event(first));
    expect(kinds(traffic)).toEqual(['tokenward_issue']);
    expect(traffic.connects).toBe(0);
    expect(traffic.queries[0]!.text).toMatch(/^SELECT "[a-z0-9_]+"\."tokenward_issue"\(\$1, /);
    // Parameters only: no value of the record in the statement's text.
    expect(traffic.queries[0]!.text).not.toContain('one_trip');
    // Policy version, cap and instant are the third to fifth parameters; no cap, no count of the owner's tokens.
    expect(traffic.queries[0]!.values!.slice(2, 5)).toEqual([null, null, T0]);

    const capped = testRecord(nextId(), { name: 'one_trip_capped' });
    await repository.insert(capped, { now: T0, maxLivePerOwner: 10 }, event(capped));
    expect(kinds(traffic)).toEqual(['tokenward_issue', 'tokenward_issue']);
    expect(traffic.connects).toBe(0);
    expect(traffic.queries[1]!.values!.slice(2, 5)).toEqual([null, 10, T0]);
    expect((await repository.findById(capped.id))?.name).toBe('one_trip_capped');
  });

  it('service.issue: one round trip with the policies kept, two cold, three when they went stale, one without owner', async () => {
    const { pool: watched, traffic } = recorded(pool);
    const h = makeHarness({ repository: postgresRepository({ pool: watched, schema }) });
    await h.service.issue({ name: 'two_trips' }, ANALYST);
    expect(kinds(traffic)).toEqual(['tokenward_versioned_policies', 'tokenward_issue']);
    await h.service.issue({ name: 'one_trip_warm' }, ANALYST);
    expect(kinds(traffic).slice(2)).toEqual(['tokenward_issue']);
    await h.service.issue({ type: 'administrative', name: 'one_trip_admin' }, ALICE);
    expect(kinds(traffic).slice(3)).toEqual(['tokenward_issue']);
    // A policy written through another instance: the kept policies are refused as stale, read again, and govern.
    const other = makeHarness({ repository: postgresRepository({ pool, schema }) });
    await other.service.setMaxTtl({ tenant: 'acme', role: 'service_accounts' }, '1h', ALICE);
    const stale = await h.service.issue({ name: 'three_trips' }, ANALYST);
    expect(kinds(traffic).slice(4)).toEqual(['tokenward_issue', 'tokenward_versioned_policies', 'tokenward_issue']);
    // The default lifetime (longer than an hour) cut to the new maximum.
    expect(stale.info.expiresAt).toEqual(new Date(h.clock.now() + 3_600_000));
    await h.service.issue({ name: 'warm_again' }, ANALYST);
    expect(kinds(traffic).slice(7)).toEqual(['tokenward_issue']);
    expect(traffic.connects).toBe(0);
    // Only the stored tokens: the refused call wrote nothing.
    const { rows } = await pool.query(
      `SELECT name FROM "${schema}".tokenward_tokens WHERE name = ANY($1) ORDER BY name`,
      [['one_trip_admin', 'one_trip_warm', 'three_trips', 'two_trips', 'warm_again']],
    );
    expect(rows.map((found: { name: string }) => found.name)).toEqual([
      'one_trip_admin',
      'one_trip_warm',
      'three_trips',
      'two_trips',
      'warm_again',
    ]);
  });

  it('a failed insert leaves nothing behind: neither the token nor its event', async () => {
    const repository = postgresRepository({ pool, schema });
    const record = testRecord(nextId(), { name: 'dup_id' });
    await repository.insert(record, { now: T0 }, event(record));
    const again = { ...record, name: 'dup_id_again' };
    await expect(repository.insert(again, { now: T0 }, { ...event(again), id: 'E-other' })).rejects.toMatchObject({
      code: 'conflict',
    });
    const { rows } = await pool.query(`SELECT id FROM "${schema}".tokenward_events WHERE id = 'E-other'`);
    expect(rows).toEqual([]);
  });

  // Any text but NUL (which PostgreSQL text cannot hold): quotes, backslashes, `$$`, comment marks, any plane.
  const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((value) => !value.includes('\u0000'));

  it.each([
    ['standard_conforming_strings on', () => pool],
    ['standard_conforming_strings off', () => legacyPool],
  ])('every value comes back exactly as it went in (%s)', async (_label, current) => {
    const repository = postgresRepository({ pool: current(), schema });
    await fc.assert(
      fc.asyncProperty(text, text, text, text, text, async (tenant, owner, name, comment, label) => {
        const record = testRecord(nextId(), {
          tenant,
          owner,
          name,
          comment,
          createdBy: label,
          grants: [{ scope: label }, { bucket: name, access: 'read' }],
          expiresAt: T0 + 1,
        });
        await repository.insert(record, { now: T0, maxLivePerOwner: 1000 }, event(record, { comment, n: -1 }));
        expect(await repository.findById(record.id)).toEqual(record);
        const history = await repository.listEvents({ tokenId: record.id, limit: 10 });
        expect(history.items).toEqual([event(record, { comment, n: -1 })]);
        // The name is now taken in that namespace, and only there.
        await expect(repository.insert({ ...record, id: nextId() }, { now: T0 })).rejects.toMatchObject({
          code: 'conflict',
        });
      }),
      { numRuns: 60 },
    );
  });
});
