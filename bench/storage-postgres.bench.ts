/**
 * PostgreSQL store speed, each figure next to a raw `pg` baseline measured in
 * the same run through the same pool: `findById` and `service.verify` against
 * a raw prepared `SELECT … WHERE id = $1`, verify with the LISTEN/NOTIFY cache
 * against without it, and `issue` against a raw single-row INSERT.
 *
 * Starts its own throwaway server (test/support/postgres-server.ts), or uses
 * TOKENWARD_TEST_PG_URL, and stops what it started.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createTokenService, staticDirectory } from '../src/index.js';
import { cachedRepository, migrate, postgresRepository } from '../src/stores/postgres/index.js';
import { type LocalPostgres, startLocalPostgres } from '../test/support/postgres-server.js';
import { type BenchModule, compareOps } from './harness.js';

const SAMPLE = 200;
const FILLER = Number(process.env.BENCH_PG_TOKENS ?? 100_000);
const PEPPER = 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz';
const TIMING = { durationMs: 400, warmupMs: 100, rounds: 4 } as const;

const bench: BenchModule = async (report) => {
  const started = performance.now();
  const external = process.env.TOKENWARD_TEST_PG_URL || null;
  const server: LocalPostgres | null = external === null ? await startLocalPostgres() : null;
  const url = external ?? server!.url;
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  const listenPool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {});
  listenPool.on('error', () => {});
  try {
    await migrate(pool, { schema });
    const users = Object.fromEntries(
      Array.from({ length: SAMPLE }, (_, i) => [`user${i}`, { grants: 'all' as const }]),
    );
    const directory = staticDirectory({ acme: users });
    const plainRepository = postgresRepository({ pool, schema });
    const cached = cachedRepository(postgresRepository({ pool, schema }), { pool: listenPool, schema, ttlMs: 60_000 });
    await cached.whenListening();
    const options = { pepper: PEPPER, prefix: 'acme', directory } as const;
    const service = createTokenService({ repository: plainRepository, ...options });
    const cachedService = createTokenService({ repository: cached, ...options });

    const tokens: string[] = [];
    for (let i = 0; i < SAMPLE; i++) {
      tokens.push((await service.issue({ tenant: 'acme', owner: `user${i}` }, 'system')).token);
    }
    const ids = tokens.map((token) => token.slice(7, 33));
    // Filler rows so the primary-key index is not trivially small.
    await pool.query(
      `INSERT INTO "${schema}".tokenward_tokens (id, tenant, type, owner, name, comment, secret_hash, pepper_version, created_at, created_by, version)
       SELECT 'F' || lpad(g::text, 25, '0'), 'acme', 'personal', 'filler' || (g % 5000), 'f' || g, '', md5(g::text), 1, 0, 'system', 1
         FROM generate_series(1, $1) g`,
      [FILLER],
    );
    await pool.query(`ANALYZE "${schema}".tokenward_tokens`);

    let i = 0;
    const nextId = (): string => ids[i++ % SAMPLE]!;
    const nextToken = (): string => tokens[i++ % SAMPLE]!;
    const rawSelect = {
      name: 'bench_raw_select',
      text: `SELECT * FROM "${schema}".tokenward_tokens WHERE id = $1`,
    };
    const raw = () => pool.query({ ...rawSelect, values: [nextId()] });
    // Every sample token verifies once first, so last-use writes are throttled during the runs.
    for (const token of tokens) await service.verify(token);
    console.log(`setup done in ${Math.round(performance.now() - started)} ms`);
    const label = `${(FILLER + SAMPLE).toLocaleString('en-US')} tokens`;

    const find = await compareOps(() => plainRepository.findById(nextId()), raw, TIMING);
    report({
      group: 'storage-postgres',
      name: `findById, ${label}`,
      value: find.value,
      baselineName: 'raw prepared SELECT',
      baseline: find.baseline,
      unit: 'ops/s',
      target: 0.9,
    });

    const verify = await compareOps(() => service.verify(nextToken()), raw, TIMING);
    report({
      group: 'storage-postgres',
      name: `service.verify, ${label}`,
      value: verify.value,
      baselineName: 'raw prepared SELECT',
      baseline: verify.baseline,
      unit: 'ops/s',
      target: 0.9,
    });

    const parallel = { ...TIMING, concurrency: 8 };
    const verify8 = await compareOps(() => service.verify(nextToken()), raw, parallel);
    report({
      group: 'storage-postgres',
      name: `service.verify, 8 concurrent, ${label}`,
      value: verify8.value,
      baselineName: 'raw prepared SELECT, 8 concurrent',
      baseline: verify8.baseline,
      unit: 'ops/s',
      target: 0.9,
    });

    const withCache = await compareOps(
      () => cachedService.verify(nextToken()),
      () => service.verify(nextToken()),
      TIMING,
    );
    report({
      group: 'storage-postgres',
      name: 'service.verify with LISTEN/NOTIFY cache',
      value: withCache.value,
      baselineName: 'service.verify without cache',
      baseline: withCache.baseline,
      unit: 'ops/s',
    });

    await meteredVerify(report, service, nextToken);

    let n = 0;
    const rawInsert = {
      name: 'bench_raw_insert',
      text: `INSERT INTO "${schema}".tokenward_tokens (id, tenant, type, owner, name, comment, secret_hash, pepper_version, created_at, created_by, version)
             VALUES ($1, 'acme', 'personal', $2, $3, '', $4, 1, $5, 'system', 1)`,
    };
    const issue = await compareOps(
      () => service.issue({ tenant: 'acme', owner: `user${n % SAMPLE}`, name: `bench_${n++}` }, 'system'),
      () =>
        pool.query({
          ...rawInsert,
          values: [`R${String(n).padStart(25, '0')}`, `user${n % SAMPLE}`, `raw_${n++}`, 'h', Date.now()],
        }),
      TIMING,
    );
    report({
      group: 'storage-postgres',
      name: 'service.issue (lock, checks, insert, event, notify in one transaction)',
      value: issue.value,
      baselineName: 'raw single-row INSERT',
      baseline: issue.baseline,
      unit: 'ops/s',
    });

    await cached.close();
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
    await listenPool.end();
    await server?.destroy();
  }
};

/**
 * Verify of metered tokens (issue 13) as a ratio to plain verify: one with
 * a rate limit, one with usage credits; each spends in the database (one
 * more round trip, the `spend` function). The limits and credits are large
 * enough never to refuse during the run.
 */
async function meteredVerify(
  report: Parameters<BenchModule>[0],
  service: ReturnType<typeof createTokenService>,
  nextPlain: () => string,
): Promise<void> {
  const kinds = [
    ['a rate limit', { ratelimit: { limit: 1_000_000, duration: '1s' } }],
    ['usage credits', { remaining: 1_000_000_000 }],
  ] as const;
  for (const [what, meter] of kinds) {
    const metered: string[] = [];
    for (let k = 0; k < SAMPLE; k++) {
      metered.push((await service.issue({ tenant: 'acme', owner: `user${k}`, ...meter }, 'system')).token);
    }
    let m = 0;
    const result = await compareOps(
      () => service.verify(metered[m++ % SAMPLE]!),
      () => service.verify(nextPlain()),
      TIMING,
    );
    report({
      group: 'storage-postgres',
      name: `service.verify of a token with ${what} (spends in the database)`,
      value: result.value,
      baselineName: 'service.verify of a token without',
      baseline: result.baseline,
      unit: 'ops/s',
    });
  }
}

export default bench satisfies BenchModule;
