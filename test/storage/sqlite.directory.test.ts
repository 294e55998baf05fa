/**
 * The directory conformance suite on SQLite: a fresh file per test, and the
 * fault section on a connection whose every statement can be made to fail.
 * Concurrent writers in several processes: test/cli/races.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, it } from 'vitest';
import { type SqliteDirectoryStore, sqliteDirectoryStore } from '../../src/stores/sqlite/index.js';
import { describeDirectoryContract, withSqliteFaults } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-directory-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const freshFile = (): string => join(dir, `directory-${++files}.sqlite`);

describeDirectoryContract('sqlite (file)', () => sqliteDirectoryStore({ path: freshFile() }), {
  runner: { describe, it, beforeEach, afterEach },
  faults: (faults) => {
    const db = new Database(freshFile());
    db.pragma('journal_mode = WAL');
    return sqliteDirectoryStore({ database: withSqliteFaults(db, faults) });
  },
  teardown: async (store) => {
    await store.close?.();
    const db = (store as SqliteDirectoryStore).database;
    if (db.open) db.close();
  },
});
