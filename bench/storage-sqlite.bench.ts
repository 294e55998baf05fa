/**
 * SQLite speed at each table size of `sqlScales()` (10,000 tokens by
 * default; `BENCH_SCALE=full` adds 1,000,000), each figure against the same
 * work done by hand through the same better-sqlite3 connection, sides
 * interleaved, median and range of the rounds:
 * - `service.verify` and `findById` against a raw prepared `SELECT * … WHERE id = ?`
 *   (verification adds parsing, the checksum, the keyed hash, the expiry and
 *   owner checks and the principal), `verify` also per CPU-second of this
 *   process (all of its work is in-process, so that ratio hardly moves with
 *   the machine's load);
 * - one page of `service.list` (100 tokens, default filters), tenant-wide and
 *   for one owner, against the raw prepared `SELECT` of that page;
 * - `service.issue` against a raw `BEGIN IMMEDIATE` inserting one token row
 *   and one event row (the same commits, so the same fsyncs), and
 *   `repository.insert` against it with fsync off.
 * The table holds `SAMPLE` tokens issued through the service and bulk rows
 * shaped exactly like them (bench/sql-fill.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenService } from '../src/index.js';
import { createTokenService, staticDirectory } from '../src/index.js';
import { eventColumnValues } from '../src/stores/shared/sql-columns.js';
import { type SqliteTokenRepository, sqliteRepository } from '../src/stores/sqlite/index.js';
import { INSERT_EVENT, INSERT_TOKEN, tokenParams } from '../src/stores/sqlite/rows.js';
import { compareCpuOps } from './cpu-compare.js';
import { type BenchModule, type BenchRow, compareOps } from './harness.js';
import { bulkTokens, OWNERS, SAMPLE, scaleLabel, sqlScales } from './sql-fill.js';

const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';
const TIMING = { durationMs: 500, warmupMs: 150, rounds: 7 } as const;
const WRITES = { durationMs: 500, warmupMs: 150, rounds: 5 } as const;
const SYSTEM = 'system';

type Report = (row: BenchRow) => void;

/** A row from one `compareOps` result. */
function row(
  name: string,
  baselineName: string,
  result: { value: number; baseline: number; ratios: number[] },
  target?: number,
): BenchRow {
  return {
    group: 'storage-sqlite',
    name,
    value: result.value,
    baselineName,
    baseline: result.baseline,
    unit: 'ops/s',
    roundRatios: result.ratios,
    ...(target === undefined ? {} : { target }),
  };
}

/** Issues the sample tokens through the service, then bulk-loads the rest of `size` rows in one transaction. */
async function fill(repository: SqliteTokenRepository, service: TokenService, size: number) {
  const tokens: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < SAMPLE; i++) {
    const issued = await service.issue({ tenant: 'acme', owner: `user${i % OWNERS}` }, SYSTEM);
    tokens.push(issued.token);
    ids.push(issued.info.id);
  }
  const db = repository.database;
  const template = (await repository.findById(ids[0]!))!;
  const event = (await repository.listEvents({ tokenId: template.id, limit: 1 })).items[0]!;
  const insertToken = db.prepare(INSERT_TOKEN);
  const insertEvent = db.prepare(INSERT_EVENT);
  db.transaction(() => {
    for (const batch of bulkTokens(template, event, size - SAMPLE, template.createdAt)) {
      for (const bulk of batch) {
        insertToken.run(tokenParams(bulk.record));
        insertEvent.run(eventColumnValues(bulk.event));
      }
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  return { tokens, ids, template };
}

async function reads(repository: SqliteTokenRepository, service: TokenService, size: number, report: Report) {
  const { tokens, ids } = await fill(repository, service, size);
  const db = repository.database;
  const label = `${scaleLabel(size)} tokens`;
  const raw = db.prepare('SELECT * FROM tokenward_tokens WHERE id = ?');
  let i = 0;
  const nextId = (): string => ids[i++ % SAMPLE]!;
  const nextToken = (): string => tokens[i++ % SAMPLE]!;
  // First verifications record a use (a write, at most once a minute per token); let those settle first.
  for (const token of tokens) await service.verify(token);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const byId = 'raw prepared SELECT * by id';
  report(
    row(
      `service.verify, ${label}`,
      byId,
      await compareOps(
        () => service.verify(nextToken()),
        () => raw.get(nextId()),
        TIMING,
      ),
      0.8,
    ),
  );
  report({
    ...row(
      `service.verify per CPU-second, ${label}`,
      `${byId}, per CPU-second`,
      await compareCpuOps(
        () => service.verify(nextToken()),
        () => raw.get(nextId()),
        { ops: 20_000, rounds: 7 },
      ),
      0.8,
    ),
    group: 'storage-sqlite per CPU-second',
  });
  report(
    row(
      `findById, ${label}`,
      byId,
      await compareOps(
        () => repository.findById(nextId()),
        () => raw.get(nextId()),
        TIMING,
      ),
    ),
  );

  const live =
    'revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC, id DESC LIMIT 101';
  const tenantPage = db.prepare(`SELECT * FROM tokenward_tokens WHERE tenant = ? AND ${live}`);
  const ownerPage = db.prepare(`SELECT * FROM tokenward_tokens WHERE tenant = ? AND owner = ? AND ${live}`);
  report(
    row(
      `list, one page of 100, tenant-wide, ${label}`,
      'raw prepared SELECT of the page',
      await compareOps(
        () => service.list({ tenant: 'acme', all: true }, SYSTEM),
        () => tenantPage.all('acme', Date.now()),
        TIMING,
      ),
    ),
  );
  report(
    row(
      `list, one page of 100, one owner, ${label}`,
      'raw prepared SELECT of the page',
      await compareOps(
        () => service.list({ tenant: 'acme', owner: 'user7' }, SYSTEM),
        () => ownerPage.all('acme', 'user7', Date.now()),
        TIMING,
      ),
    ),
  );
}

async function writes(repository: SqliteTokenRepository, service: TokenService, size: number, report: Report) {
  const db = repository.database;
  const template = (await repository.findById(
    (
      await service.issue({ tenant: 'acme', owner: 'user1' }, SYSTEM)
    ).info.id,
  ))!;
  const insertToken = db.prepare(INSERT_TOKEN);
  const insertEvent = db.prepare(INSERT_EVENT);
  let k = 0;
  const rawIssue = db.transaction(() => {
    const id = `02${String(++k).padStart(24, '0')}`;
    insertToken.run(tokenParams({ ...template, id, owner: `raw${k % 1000}`, name: `raw${k}` }));
    insertEvent.run(`E${id}`, id, 'acme', 'issued', SYSTEM, 'issued', null, Date.now());
  });
  const baseline = 'raw BEGIN IMMEDIATE token + event insert';
  let n = 0;
  const issue = await compareOps(
    () => service.issue({ tenant: 'acme', owner: `user${n++ % OWNERS}` }, SYSTEM),
    () => rawIssue.immediate(),
    WRITES,
  );
  report(row(`service.issue (one commit each, synchronous=FULL), ${scaleLabel(size)} tokens`, baseline, issue));
  // The repository alone, with fsync off for these two sides only, so that the disk's latency (the larger part
  // of a commit, and very noisy on a shared machine) does not hide the cost of the checks `insert` makes.
  db.pragma('synchronous = OFF');
  let m = 0;
  const insert = await compareOps(
    () => {
      const id = `03${String(++m).padStart(24, '0')}`;
      const record = { ...template, id, owner: `repo${m % 1000}`, name: `repo${m}` };
      const event = {
        id: `E${id}`,
        tokenId: id,
        tenant: 'acme',
        type: 'issued',
        actor: SYSTEM,
        operation: 'issued',
        detail: null,
        at: Date.now(),
      } as const;
      return repository.insert(record, { now: Date.now(), maxLivePerOwner: 1000 }, event);
    },
    () => rawIssue.immediate(),
    WRITES,
  );
  db.pragma('synchronous = FULL');
  report(
    row(`repository.insert with cap and name checks (synchronous=OFF), ${scaleLabel(size)} tokens`, baseline, insert),
  );
}

const bench: BenchModule = async (report) => {
  for (const size of sqlScales()) {
    const started = performance.now();
    const dir = mkdtempSync(join(tmpdir(), 'tokenward-bench-sqlite-'));
    const repository = sqliteRepository({ path: join(dir, 'bench.sqlite') });
    const users = Object.fromEntries(
      Array.from({ length: OWNERS }, (_, i) => [`user${i}`, { grants: 'all' as const }]),
    );
    const service = createTokenService({
      repository,
      pepper: PEPPER,
      prefix: 'acme',
      directory: staticDirectory({ acme: users }),
    });
    try {
      await reads(repository, service, size, report);
      await writes(repository, service, size, report);
      console.log(
        `storage-sqlite at ${scaleLabel(size)} tokens: ${Math.round((performance.now() - started) / 1000)} s`,
      );
    } finally {
      await repository.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
};

export default bench;
