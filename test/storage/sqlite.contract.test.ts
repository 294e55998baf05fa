import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import { type SqliteTokenRepository, sqliteRepository } from '../../src/stores/sqlite/index.js';
import { describeRepositoryContract, withSqliteFaults } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-contract-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const freshFile = (): string => join(dir, `contract-${++files}.sqlite`);

// A fresh file per test, as the suite asks: real WAL files, not ':memory:'.
describeRepositoryContract('sqlite (file)', () => sqliteRepository({ path: freshFile() }), {
  runner: { describe, it, beforeEach, afterEach },
  // The fault section hands the store a connection whose every statement can be made to fail.
  faults: (faults) => {
    const db = new Database(freshFile());
    db.pragma('journal_mode = WAL');
    return sqliteRepository({ database: withSqliteFaults(db, faults) });
  },
  teardown: async (repository) => {
    await repository.close?.();
    // A connection handed in stays open on close(): the test opened it, the test closes it.
    const db = (repository as SqliteTokenRepository).database;
    if (db.open) db.close();
  },
});
