/**
 * SQLite speed, each figure against the same work done by hand through the
 * same better-sqlite3 connection in the same run:
 * - `findById` against a raw prepared `SELECT * … WHERE id = ?`;
 * - `service.verify` against that raw `SELECT` (verification adds parsing,
 *   the checksum, an HMAC and the expiry and owner checks);
 * - `service.issue` against a raw `BEGIN IMMEDIATE` transaction inserting
 *   one token row and one event row (the same commits, so the same fsyncs);
 * - `repository.insert` (name and cap checks, token and event) against that
 *   raw transaction, with fsync off so the disk does not drown the difference.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenRecord } from '../src/core/types.js';
import { createTokenService, staticDirectory } from '../src/index.js';
import { sqliteRepository } from '../src/stores/sqlite/index.js';
import { INSERT_EVENT, INSERT_TOKEN, tokenParams } from '../src/stores/sqlite/rows.js';
import { type BenchModule, compareOps } from './harness.js';

const STORED = Number(process.env.BENCH_SQLITE_TOKENS ?? 100_000);
const SAMPLE = 1000;
const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

const bench: BenchModule = async (report) => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenward-bench-sqlite-'));
  const repository = sqliteRepository({ path: join(dir, 'bench.sqlite') });
  const db = repository.database;
  try {
    const users = Object.fromEntries(
      Array.from({ length: SAMPLE }, (_, i) => [`user${i}`, { grants: 'all' as const }]),
    );
    const service = createTokenService({
      repository,
      pepper: PEPPER,
      prefix: 'acme',
      directory: staticDirectory({ acme: users }),
    });

    const tokens: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < SAMPLE; i++) {
      const issued = await service.issue({ tenant: 'acme', owner: `user${i}` }, 'system');
      tokens.push(issued.token);
      ids.push(issued.info.id);
    }
    // Filler rows up to STORED, in one transaction, so lookups run on a table of realistic size.
    const template = (await repository.findById(ids[0]!))!;
    const insert = db.prepare(INSERT_TOKEN);
    db.transaction(() => {
      for (let i = SAMPLE; i < STORED; i++) {
        const record: TokenRecord = {
          ...template,
          id: `01${String(i).padStart(24, '0')}`,
          owner: `filler${i % 10_000}`,
          name: `t${i}`,
          secretHash: randomBytes(32).toString('base64url'),
        };
        insert.run(tokenParams(record));
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('ANALYZE');

    const raw = db.prepare('SELECT * FROM tokenward_tokens WHERE id = ?');
    let i = 0;
    const nextId = (): string => ids[i++ % SAMPLE]!;
    let j = 0;
    const nextToken = (): string => tokens[j++ % SAMPLE]!;
    // First verifications record a use (a write); let that settle before measuring.
    for (const token of tokens) await service.verify(token);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const find = await compareOps(
      () => repository.findById(nextId()),
      () => raw.get(nextId()),
    );
    report({
      group: 'storage-sqlite',
      name: `findById, ${STORED.toLocaleString('en-US')} tokens`,
      value: find.value,
      baselineName: 'raw prepared SELECT by id',
      baseline: find.baseline,
      unit: 'ops/s',
      target: 0.9,
    });

    const verify = await compareOps(
      () => service.verify(nextToken()),
      () => raw.get(nextId()),
    );
    report({
      group: 'storage-sqlite',
      name: `service.verify, ${STORED.toLocaleString('en-US')} tokens`,
      value: verify.value,
      baselineName: 'raw prepared SELECT by id',
      baseline: verify.baseline,
      unit: 'ops/s',
      target: 0.9,
    });

    const insertToken = db.prepare(INSERT_TOKEN);
    const insertEvent = db.prepare(INSERT_EVENT);
    let k = 0;
    const rawIssue = db.transaction(() => {
      const id = `02${String(++k).padStart(24, '0')}`;
      insertToken.run(tokenParams({ ...template, id, owner: `raw${k % SAMPLE}`, name: `raw${k}` }));
      insertEvent.run(`E${id}`, id, 'acme', 'issued', 'system', 'issued', null, Date.now());
    });
    let n = 0;
    const issue = await compareOps(
      () => service.issue({ tenant: 'acme', owner: `user${n++ % SAMPLE}` }, 'system'),
      () => rawIssue.immediate(),
      { durationMs: 1000, warmupMs: 200, rounds: 2 },
    );
    report({
      group: 'storage-sqlite',
      name: 'service.issue (one commit each, synchronous=FULL)',
      value: issue.value,
      baselineName: 'raw BEGIN IMMEDIATE token + event insert',
      baseline: issue.baseline,
      unit: 'ops/s',
    });

    // The same comparison for the repository alone, with fsync switched off
    // for these two rows only, so that the disk's latency (the larger part of
    // a commit, and very noisy on a shared machine) does not hide the cost
    // of the checks `insert` makes inside its transaction.
    db.pragma('synchronous = OFF');
    let m = 0;
    const insertRepo = await compareOps(
      () => {
        const id = `03${String(++m).padStart(24, '0')}`;
        return repository.insert(
          { ...template, id, owner: `repo${m % SAMPLE}`, name: `repo${m}` },
          { now: Date.now(), maxLivePerOwner: 1000 },
          {
            id: `E${id}`,
            tokenId: id,
            tenant: 'acme',
            type: 'issued',
            actor: 'system',
            operation: 'issued',
            detail: null,
            at: Date.now(),
          },
        );
      },
      () => rawIssue.immediate(),
      { durationMs: 1000, warmupMs: 200, rounds: 2 },
    );
    db.pragma('synchronous = FULL');
    report({
      group: 'storage-sqlite',
      name: 'repository.insert with cap and name checks (synchronous=OFF)',
      value: insertRepo.value,
      baselineName: 'raw BEGIN IMMEDIATE token + event insert',
      baseline: insertRepo.baseline,
      unit: 'ops/s',
    });
  } finally {
    await repository.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

export default bench;
