/**
 * A small application on the PostgreSQL store, run as a child process by
 * `outage.test.ts`: loops of issue, rotate, revoke, share and claim,
 * `migrate` and cached verification, all on one service, while the test
 * kills the server under it. Node's own rules apply here, with no test
 * runner in between: an `'error'` event nobody listens to ends the process
 * with exit code 1, and that is what the test looks for.
 *
 * Protocol (IPC): the app sends `{ type: 'ready' }` once every loop has
 * succeeded at least once; the test sends `'restarted'` after the server is
 * back; the app then runs until every loop has succeeded again, sends
 * `{ type: 'done', report }` and exits.
 */
import pg from 'pg';
import { TokenError } from '../../src/core/errors.js';
import { cachedRepository, migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { ANALYST, makeHarness } from '../support/service.js';

const url = process.argv[2]!;
const loopsPerKind = 2;

/** What one loop saw. */
export interface LoopReport {
  readonly kind: string;
  /** Successful calls before and after the restart. */
  readonly before: number;
  readonly after: number;
  /** Failure codes of TokenErrors, counted. */
  readonly codes: Record<string, number>;
  /** Failures that were not a TokenError (must stay empty). */
  readonly raw: string[];
}

/** What the app tells the test at the end. */
export interface OutageReport {
  readonly loops: LoopReport[];
  /** Ids of tokens whose issue answered ok, and of those whose revoke answered ok. */
  readonly issued: string[];
  readonly revoked: string[];
  /** The newest token string of each token whose rotation (or claim) answered ok, by id. */
  readonly latest: Record<string, string>;
  /** Codes of verifying each `latest` token after recovery. */
  readonly verifiedAfter: Record<string, string>;
  /** The app pool's reports of lost idle connections (expected, and harmless). */
  readonly idleErrors: number;
}

const pool = new pg.Pool({ connectionString: url, max: 12, connectionTimeoutMillis: 2_000 });
let idleErrors = 0;
// As docs/storage.md asks of every app: the pool reports its lost idle connections here.
pool.on('error', () => idleErrors++);
const listenPool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 2_000 });
listenPool.on('error', () => {});

await migrate(pool);
const repository = cachedRepository(postgresRepository({ pool }), { pool: listenPool, ttlMs: 60_000 });
const h = makeHarness({ repository, now: Date.now });
const { service } = h;

let restarted = false;
let stopping = false;
const issued: string[] = [];
const revoked: string[] = [];
const latest: Record<string, string> = {};

/** Runs `step` until told to stop, counting what each call answered. */
function loop(kind: string, step: (n: number) => Promise<void>): { report: LoopReport; done: Promise<void> } {
  const report = { kind, before: 0, after: 0, codes: {} as Record<string, number>, raw: [] as string[] };
  const done = (async () => {
    for (let n = 0; !stopping; n++) {
      try {
        await step(n);
        if (restarted) report.after++;
        else report.before++;
        // A cache hit resolves without I/O: yield, or this loop would starve the event loop.
        await new Promise((resolve) => setImmediate(resolve));
      } catch (error) {
        if (error instanceof TokenError) report.codes[error.code] = (report.codes[error.code] ?? 0) + 1;
        else report.raw.push(error instanceof Error ? error.message : String(error));
        // Do not spin while the server is down.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  })();
  return { report, done };
}

const tag = `${process.pid}`;
const forRotation = await Promise.all(
  Array.from({ length: loopsPerKind }, (_, i) => service.issue({ name: `rotated_${tag}_${i}` }, ANALYST)),
);
const forSharing = await Promise.all(
  Array.from({ length: loopsPerKind }, (_, i) => service.issue({ name: `shared_${tag}_${i}` }, ANALYST)),
);
const forVerifying = await service.issue({ name: `verified_${tag}` }, ANALYST);
for (const token of [...forRotation, ...forSharing, forVerifying]) latest[token.info.id] = token.token;

const loops = Array.from({ length: loopsPerKind }, (_, i) => [
  loop('issue', async (n) => {
    const token = await service.issue({ name: `issue_${tag}_${i}_${n}` }, ANALYST);
    issued.push(token.info.id);
  }),
  loop('rotate', async () => {
    const id = forRotation[i]!.info.id;
    latest[id] = (await service.rotate(id, ANALYST)).token;
  }),
  loop('revoke', async (n) => {
    const token = await service.issue({ name: `revoke_${tag}_${i}_${n}` }, ANALYST);
    issued.push(token.info.id);
    await service.revoke(token.info.id, ANALYST);
    revoked.push(token.info.id);
  }),
  loop('share and claim', async () => {
    const id = forSharing[i]!.info.id;
    const { code } = await service.share(id, ANALYST);
    latest[id] = (await service.claim(code)).token;
  }),
  loop('migrate', async () => {
    await migrate(pool);
  }),
  loop('cached verify', async () => {
    await service.verify(forVerifying.token);
  }),
]).flat();

// Ready once every loop has worked at least once: the stop then finds all of them in flight.
while (loops.some(({ report }) => report.before === 0)) await new Promise((resolve) => setTimeout(resolve, 10));
process.send!({ type: 'ready' });
process.on('message', (message) => {
  if (message === 'restarted') restarted = true;
});

const deadline = Date.now() + 120_000;
while (!restarted || loops.some(({ report }) => report.after < 3)) {
  if (Date.now() > deadline) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
stopping = true;
await Promise.all(loops.map(({ done }) => done));

const verifiedAfter: Record<string, string> = {};
for (const [id, token] of Object.entries(latest)) {
  try {
    await service.verify(token);
    verifiedAfter[id] = 'ok';
  } catch (error) {
    verifiedAfter[id] = error instanceof TokenError ? error.code : String(error);
  }
}
const report: OutageReport = {
  loops: loops.map(({ report }) => report),
  issued,
  revoked,
  latest,
  verifiedAfter,
  idleErrors,
};
process.send!({ type: 'done', report });
await repository.close();
await pool.end();
await listenPool.end();
process.disconnect();
