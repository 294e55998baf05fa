/**
 * Rate limits and usage credits across service instances on one SQLite
 * file (issue 13): every client is a worker thread with its own connection
 * and its own token service, released at one instant, so the spends race
 * for real. The shared limit holds, not a per-process one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteRepository } from '../../src/stores/sqlite/index.js';
import { ANALYST, makeHarness } from '../support/service.js';
import { codes, race, startPool, successes } from './sqlite-race-pool.js';

const CLIENTS = 20;
const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-meters-'));
let seq = 0;
let pool: Worker[] = [];
beforeAll(async () => {
  pool = await startPool(CLIENTS);
}, 120_000);
afterAll(async () => {
  await Promise.all(pool.map((worker) => worker.terminate()));
  rmSync(dir, { recursive: true, force: true });
});

/** Issues a token on a fresh file and verifies it once from each of the clients at one instant. */
async function verifyEverywhere(input: Parameters<ReturnType<typeof makeHarness>['service']['issue']>[0]) {
  const file = join(dir, `meters-${++seq}.sqlite`);
  const repository = sqliteRepository({ path: file });
  const h = makeHarness({ repository });
  const issued = await h.service.issue(input, ANALYST);
  const outcomes = await race(
    pool,
    file,
    Array.from({ length: CLIENTS }, () => ({
      kind: 'service' as const,
      method: 'verify' as const,
      args: [issued.token],
    })),
  );
  const info = await h.service.get(issued.info.id, ANALYST);
  await repository.close();
  return { outcomes, info };
}

describe(`metered verification on sqlite: ${CLIENTS} service instances, one file`, () => {
  it('credits of 5: exactly 5 of 20 simultaneous verifications pass, the rest are usage_exceeded', async () => {
    const { outcomes, info } = await verifyEverywhere({ remaining: 5 });
    expect(successes(outcomes)).toHaveLength(5);
    expect(codes(outcomes)).toEqual(Array(CLIENTS - 5).fill('usage_exceeded'));
    expect(info.remaining).toBe(0);
  });

  it('a limit of 10 per second: exactly 10 of 20 simultaneous verifications pass, the rest are rate_limited', async () => {
    const { outcomes } = await verifyEverywhere({ ratelimit: { limit: 10, duration: '1s' } });
    expect(successes(outcomes)).toHaveLength(10);
    expect(codes(outcomes)).toEqual(Array(CLIENTS - 10).fill('rate_limited'));
  });
});
