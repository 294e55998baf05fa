/**
 * vitest globalSetup for the PostgreSQL tests.
 *
 * It does not start a server itself: runs that contain no PostgreSQL test
 * should not pay for one. It hands the workers a coordination directory; the
 * first PostgreSQL test file to need a server starts it there (see
 * `test/support/postgres.ts`), every other file reuses it, and the teardown
 * below stops it and removes its files once all test files have finished.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { SharedServerState } from './postgres.js';
import { destroyLocalPostgresAt } from './postgres-server.js';

export default function setup(project: TestProject): () => Promise<void> {
  const coordDir = mkdtempSync(join(tmpdir(), 'tokenward-pg-run-'));
  project.provide('tokenwardPostgres', {
    coordDir,
    externalUrl: process.env.TOKENWARD_TEST_PG_URL || null,
    required: process.env.TOKENWARD_REQUIRE_PG === '1',
  });
  return async () => {
    const stateFile = join(coordDir, 'state.json');
    try {
      if (existsSync(stateFile)) {
        const state = JSON.parse(readFileSync(stateFile, 'utf8')) as SharedServerState;
        if (state.ok) await destroyLocalPostgresAt(state.root);
      }
    } finally {
      rmSync(coordDir, { recursive: true, force: true });
    }
  };
}
