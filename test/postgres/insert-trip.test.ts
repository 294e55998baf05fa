/**
 * `issue` on PostgreSQL in as few round trips as its guarantees allow
 * (issue 12): the repository's `insert` is one query (the namespace lock
 * and the checked insert, one simple query run as one implicit
 * transaction), it counts the owner's tokens only when there is a cap, and
 * the service's policy lookup is a named prepared statement. The values of
 * that one query travel as SQL constants, so any text must come back
 * exactly as it went in, whatever `standard_conforming_strings` says.
 * (That the lock still serializes concurrent inserts is in races.test.ts
 * and pgbouncer.test.ts.)
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
  readonly queries: { readonly text: string; readonly name?: string }[];
  connects: number;
}

/** `pool` with every `query` and `connect` written down. */
function recorded(pool: pg.Pool): { pool: pg.Pool; traffic: Traffic } {
  const traffic: Traffic = { queries: [], connects: 0 };
  const proxy = new Proxy(pool, {
    get(target, key) {
      if (key === 'query') {
        return (config: string | { text: string; name?: string }, values?: unknown[]) => {
          traffic.queries.push(typeof config === 'string' ? { text: config } : config);
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

  it('insert is one query and checks out no client; it counts live tokens only under a cap', async () => {
    const { pool: watched, traffic } = recorded(pool);
    const repository = postgresRepository({ pool: watched, schema });
    const first = testRecord(nextId(), { name: 'one_trip' });
    await repository.insert(first, { now: T0 }, event(first));
    expect(traffic.queries).toHaveLength(1);
    expect(traffic.connects).toBe(0);
    expect(traffic.queries[0]!.text).toMatch(/^SELECT pg_advisory_xact_lock\(/);
    // A count over a table (the notification is counted over the inserted row, not the table).
    const countsTable = /count\(\*\) FROM "/;
    expect(traffic.queries[0]!.text).not.toMatch(countsTable);

    const capped = testRecord(nextId(), { name: 'one_trip_capped' });
    await repository.insert(capped, { now: T0, maxLivePerOwner: 10 }, event(capped));
    expect(traffic.queries).toHaveLength(2);
    expect(traffic.connects).toBe(0);
    expect(traffic.queries[1]!.text).toMatch(countsTable);
    expect((await repository.findById(capped.id))?.name).toBe('one_trip_capped');
  });

  it('service.issue: a named prepared policy lookup and the one insert; no lookup for a token without owner', async () => {
    const { pool: watched, traffic } = recorded(pool);
    const h = makeHarness({ repository: postgresRepository({ pool: watched, schema }) });
    await h.service.issue({ name: 'two_trips' }, ANALYST);
    expect(traffic.queries.map((query) => query.name ?? query.text.slice(0, 28))).toEqual([
      expect.stringMatching(/^tokenward_policies_[0-9a-f]{16}$/),
      'SELECT pg_advisory_xact_lock',
    ]);
    await h.service.issue({ type: 'administrative', name: 'one_trip_admin' }, ALICE);
    expect(traffic.queries).toHaveLength(3);
    expect(traffic.connects).toBe(0);
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
