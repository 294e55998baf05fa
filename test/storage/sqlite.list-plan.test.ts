/**
 * One page of `list` is an index range scan on SQLite, whatever the tenant's
 * size (issue 12): the statement the store runs is planned with
 * `EXPLAIN QUERY PLAN` on a file of 20,000 tokens, and must search an index
 * of the tenant (or the owner) in the listing's order, without a full scan
 * and without a sort.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListQuery } from '../../src/core/repository.js';
import { encodeCursor } from '../../src/stores/shared/paging.js';
import { type SqliteTokenRepository, sqliteRepository } from '../../src/stores/sqlite/index.js';
import { listStatement } from '../../src/stores/sqlite/list.js';
import { INSERT_TOKEN, tokenParams } from '../../src/stores/sqlite/rows.js';
import { T0, testRecord } from '../support/records.js';

const ROWS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tenant of `ROWS` tokens: 497 owners, a token without owner in 50, a tenth revoked, a tenth expired. */
function fill(repository: SqliteTokenRepository): void {
  const insert = repository.database.prepare(INSERT_TOKEN);
  repository.database.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const record = testRecord(`01${String(i).padStart(24, '0')}`, {
        tenant: i % 20 === 0 ? 'other' : 'acme',
        type: i % 50 === 1 ? 'administrative' : 'personal',
        owner: i % 50 === 1 ? null : `user${i % 497}`,
        name: `t${i}`,
        createdAt: T0 + i,
        expiresAt: i % 10 === 3 ? T0 + 1 : T0 + 1e9,
        revokedAt: i % 10 === 7 ? T0 + 2 : null,
      });
      insert.run(tokenParams(record));
    }
  })();
}

const base: ListQuery = { tenant: 'acme', includeExpired: false, includeRevoked: false, now: T0 + 10, limit: 100 };
const cursor = encodeCursor({ time: T0 + ROWS / 2, id: `01${String(ROWS / 2).padStart(24, '0')}` });

const LISTINGS: [string, ListQuery][] = [
  ['tenant-wide, default filters', base],
  ['one owner, default filters', { ...base, owner: 'user7' }],
  ['tokens without owner, default filters', { ...base, owner: null }],
  ['tenant-wide, next page', { ...base, cursor }],
  ['one owner, next page', { ...base, owner: 'user7', cursor }],
  ['tokens without owner, next page', { ...base, owner: null, cursor }],
  ['tenant-wide, some types', { ...base, types: ['personal', 'limited'] }],
  ['tenant-wide, everything', { ...base, includeExpired: true, includeRevoked: true }],
];

describe.each([
  ['analyzed', true],
  ['never analyzed', false],
])('sqlite list plan (%s)', (_label, analyze) => {
  let repository: SqliteTokenRepository;
  beforeAll(() => {
    repository = sqliteRepository({ path: join(dir, `plan-${String(analyze)}.sqlite`) });
    fill(repository);
    if (analyze) repository.database.exec('ANALYZE');
  });
  afterAll(() => repository.close());

  it.each(LISTINGS)('%s: one index search in list order, no scan, no sort', (_name, query) => {
    const { text, params } = listStatement(query);
    const plan = (repository.database.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...params) as { detail: string }[]).map(
      (step) => step.detail,
    );
    const index = query.owner === undefined ? 'tokenward_tokens_by_tenant' : 'tokenward_tokens_by_owner';
    const tokenSteps = plan.filter((detail) => / tokenward_tokens\b/.test(detail));
    expect(tokenSteps).toEqual([
      expect.stringMatching(new RegExp(`^SEARCH tokenward_tokens USING INDEX ${index} \\(`)),
    ]);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE|SCAN tokenward_tokens/);
  });

  it('pages the way the plan says: newest first, every live token once', async () => {
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page = await repository.list({ ...base, owner: 'user7', cursor: next });
      seen.push(...page.items.map((item) => item.id));
      next = page.nextCursor;
    } while (next !== null);
    const expected = (
      repository.database
        .prepare(
          `SELECT id FROM tokenward_tokens WHERE tenant = 'acme' AND owner = 'user7' AND revoked_at IS NULL
             AND expires_at > ? ORDER BY created_at DESC, id DESC`,
        )
        .pluck()
        .all(base.now) as string[]
    ).slice();
    expect(seen).toEqual(expected);
    expect(seen.length).toBeGreaterThan(10);
  });
});
