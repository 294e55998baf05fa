import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { sqliteRepository } from '../../src/sqlite/index.js';
import { describeRepositoryContract } from '../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-contract-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A fresh file per test, as the suite asks: real WAL files, not ':memory:'.
describeRepositoryContract('sqlite (file)', () => sqliteRepository({ path: join(dir, `contract-${++files}.sqlite`) }));
