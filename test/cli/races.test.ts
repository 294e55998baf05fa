/**
 * Concurrent creation of one user through the CLI: several processes at
 * once on one SQLite file, and on one PostgreSQL schema. Exactly one adds
 * the user; every other one is refused with `conflict` (exit 1), and the
 * directory holds one user with one audit entry.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { describePostgres, dropSchema, testPostgres, uniqueSchema } from '../support/postgres.js';
import { cli, cliJson, type Run, startCli, workDir } from './support.js';

const PROCESSES = 8;

/** Starts `PROCESSES` CLIs at once (every one spawned before any is awaited) and waits for all. */
async function together(dir: string, args: readonly string[]): Promise<Run[]> {
  const children = await Promise.all(Array.from({ length: PROCESSES }, () => startCli(dir, args)));
  return Promise.all(
    children.map(
      (child) =>
        new Promise<Run>((done) => {
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
          child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
          child.stdin.end();
          child.once('close', (code) => done({ code, stdout, stderr }));
        }),
    ),
  );
}

async function expectOneWinner(dir: string, db: readonly string[]): Promise<void> {
  // The store exists first, so the race is on the user, not on creating the schema.
  expect((await cli(dir, [...db, 'init'])).code).toBe(0);
  const runs = await together(dir, [...db, 'users', 'add', 'alice', '--admin']);
  const winners = runs.filter((run) => run.code === 0);
  const losers = runs.filter((run) => run.code !== 0);
  expect(winners, JSON.stringify(runs)).toHaveLength(1);
  for (const loser of losers) {
    expect([loser.code, loser.stderr]).toEqual([
      1,
      'tokenward: conflict: a user of this name exists already in the tenant\n',
    ]);
  }
  const users = await cliJson<{ items: unknown[] }>(dir, [...db, 'users', 'list']);
  expect(users.json.items).toHaveLength(1);
  const log = await cliJson<{ items: unknown[] }>(dir, [...db, 'audit']);
  expect(log.json.items).toHaveLength(1);
}

describe('concurrent creation of one user', () => {
  it(`on one SQLite file: ${PROCESSES} processes, one wins, the others conflict`, async () => {
    await expectOneWinner(workDir(), []);
  });
});

const server = await testPostgres();

describePostgres('concurrent creation of one user on PostgreSQL', server, (url) => {
  const schema = uniqueSchema('cli_race');
  afterAll(() => dropSchema(url, schema));

  it(`${PROCESSES} processes on one schema: one wins, the others conflict`, async () => {
    await expectOneWinner(workDir(), ['--db', url, '--schema', schema]);
  });
});
