/**
 * Opening a SQLite store (issue 9, finding 4): a file in a folder that does
 * not exist yet is created with its folders, as docs/storage.md promises;
 * a path that cannot hold a database is a `TokenError` naming
 * `options.path`, never the driver's raw error.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { T0, testRecord } from '../support/records.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openingError(options: Parameters<typeof sqliteRepository>[0]): unknown {
  try {
    sqliteRepository(options).close();
  } catch (error) {
    return error;
  }
  return null;
}

describe('sqlite repository: opening the file', () => {
  it('creates the missing folders of a new file and keeps tokens there', async () => {
    const path = join(dir, 'new', 'nested', 'tokens.sqlite');
    const repository = sqliteRepository({ path });
    await repository.insert(testRecord('T1'), { now: T0 });
    await repository.close();
    expect(existsSync(path)).toBe(true);
    const again = sqliteRepository({ path });
    expect((await again.findById('T1'))?.id).toBe('T1');
    await again.close();
  });

  it('a folder that cannot be created (a file stands in the way) is invalid_request naming options.path', () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const path = join(blocker, 'tokens.sqlite');
    const error = openingError({ path });
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'options.path' } });
    expect((error as TokenError).message).toContain(JSON.stringify(path));
  });

  it('a folder given as the file is invalid_request naming options.path', () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const error = openingError({ path: folder });
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'options.path' } });
  });

  it('a file that is not a database is invalid_request naming options.path, and is left as it was', () => {
    const path = join(dir, 'notes.txt');
    const text = 'these are not the tables you are looking for\n'.repeat(200);
    writeFileSync(path, text);
    const error = openingError({ path });
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'options.path' } });
    expect((error as TokenError).message).toMatch(/SQLITE_NOTADB/);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('a connection given as the option, on a file that is not a database, is invalid_request naming options.database', () => {
    const path = join(dir, 'other-notes.txt');
    writeFileSync(path, 'plain text\n'.repeat(200));
    const db = new Database(path);
    const error = openingError({ database: db });
    db.close();
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'options.database' } });
  });

  it('a file another connection keeps locked past the busy timeout is unavailable, and nothing is migrated', () => {
    const path = join(dir, 'locked.sqlite');
    const holder = new Database(path);
    holder.exec('BEGIN EXCLUSIVE');
    const error = openingError({ path, busyTimeoutMs: 20 });
    holder.exec('ROLLBACK');
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({ code: 'unavailable' });
    const tables = holder.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get();
    expect(tables).toEqual({ n: 0 });
    holder.close();
  });
});
