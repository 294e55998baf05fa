/**
 * One page of `list` is an index range scan on PostgreSQL, whatever the
 * tenant's size (issue 12): the statement the store runs is planned and run
 * with `EXPLAIN (ANALYZE, FORMAT JSON)` on a table of 40,000 tokens, and must
 * read one index of the tenant (or the owner) in the listing's order, with
 * no sequential scan and no sort, touching about one page of rows.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ListQuery } from '../../src/core/repository.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { tableNames } from '../../src/stores/postgres/names.js';
import { listStatement } from '../../src/stores/postgres/reads.js';
import { encodeCursor } from '../../src/stores/shared/paging.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { T0 } from '../support/records.js';

const server = await testPostgres();
const ROWS = 40_000;

/** One node of a JSON plan. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Actual Rows': number;
  readonly 'Rows Removed by Filter'?: number;
  readonly Plans?: readonly PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

const base: ListQuery = { tenant: 'acme', includeExpired: false, includeRevoked: false, now: T0 + 10, limit: 100 };
const cursor = encodeCursor({ time: T0 + ROWS / 2, id: `F${String(ROWS / 2).padStart(25, '0')}` });

const LISTINGS: [string, ListQuery][] = [
  ['tenant-wide, default filters', base],
  ['one owner, default filters', { ...base, owner: 'user7' }],
  ['tokens without owner, default filters', { ...base, owner: null }],
  ['tokens without owner in a tenant that has none', { ...base, tenant: 'bare', owner: null }],
  ['tenant-wide, next page', { ...base, cursor }],
  ['one owner, next page', { ...base, owner: 'user7', cursor }],
  ['tokens without owner, next page', { ...base, owner: null, cursor }],
  ['tenant-wide, some types', { ...base, types: ['personal', 'limited'] }],
  ['tenant-wide, everything', { ...base, includeExpired: true, includeRevoked: true }],
];

describePostgres('postgres list plan', server, (url) => {
  const schema = uniqueSchema('listplan');
  const pool = testPool(url, 2);
  const t = tableNames({ schema });
  beforeAll(async () => {
    await migrate(pool, { schema });
    // Two tenants: 'acme' with 41 owners of about 650 tokens each and about
    // 650 tokens without owner; 'bare', half its size, with every token
    // owned. A tenth of all revoked, another tenth expired.
    await pool.query(
      `INSERT INTO ${t.tokens} (id, tenant, type, owner, name, comment, secret_hash, pepper_version, created_at,
          expires_at, revoked_at, created_by, version)
        SELECT 'F' || lpad(g::text, 25, '0'), CASE WHEN g % 3 = 0 THEN 'bare' ELSE 'acme' END,
          CASE WHEN g % 3 <> 0 AND g % 40 = 2 THEN 'administrative' ELSE 'personal' END,
          CASE WHEN g % 3 <> 0 AND g % 40 = 2 THEN NULL ELSE 'user' || (g % 41) END, 't' || g, '', md5(g::text), 1,
          $2::bigint + g,
          CASE WHEN g % 10 = 3 THEN $2::bigint + 1 ELSE $2::bigint + 1000000000 END,
          CASE WHEN g % 10 = 7 THEN $2::bigint + 2 END, 'system', 1
          FROM generate_series(1, $1::integer) g`,
      [ROWS, T0],
    );
    await pool.query(`ANALYZE ${t.tokens}`);
  });
  afterAll(async () => {
    await pool.end();
    await dropSchema(url, schema);
  });

  it.each(LISTINGS)('%s: one index scan in list order, no sort, about a page of rows read', async (_name, query) => {
    const { text, params } = listStatement(t, query);
    const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`,
      params,
    );
    const plan = nodes(rows[0]!['QUERY PLAN'][0].Plan);
    const types = plan.map((node) => node['Node Type']);
    expect(types).toEqual(['Limit', 'Index Scan']);
    const scan = plan[1]!;
    const index = query.owner === undefined ? 'tokens_tenant_new_idx' : 'tokens_owner_new_idx';
    expect(scan['Index Name']).toBe(`tokenward_${index}`);
    // Rows the scan read: those it returned and those the filters skipped.
    expect(scan['Actual Rows'] + (scan['Rows Removed by Filter'] ?? 0)).toBeLessThanOrEqual(3 * (query.limit + 1));
  });

  it('pages the way the plan says: newest first, every live token once', async () => {
    const repository = postgresRepository({ pool, schema });
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page = await repository.list({ ...base, owner: null, cursor: next });
      seen.push(...page.items.map((item) => item.id));
      next = page.nextCursor;
    } while (next !== null);
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id FROM ${t.tokens} WHERE tenant = 'acme' AND owner IS NULL AND revoked_at IS NULL AND expires_at > $1
        ORDER BY created_at DESC, id DESC`,
      [base.now],
    );
    expect(seen).toEqual(rows.map((row) => row.id));
    expect(seen.length).toBeGreaterThan(100);
  });
});
