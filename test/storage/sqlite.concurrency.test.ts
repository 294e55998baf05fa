/**
 * The atomic guarantees of the SQLite repository across real, simultaneous
 * connections: better-sqlite3 is synchronous, so `Promise.all` on one
 * connection would run calls one after another. Here every client is a
 * worker thread with its own connection to the same WAL file, released at
 * one instant by a shared barrier.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import type { TokenRecord } from '../../src/core/types.js';
import type { EnsureMasterResult, IssuedToken } from '../../src/service/types.js';
import { type SqliteTokenRepository, sqliteRepository } from '../../src/stores/sqlite/index.js';
import { MIGRATIONS } from '../../src/stores/sqlite/schema.js';
import { T0, testRecord } from '../support/records.js';
import { ANALYST, makeHarness } from '../support/service.js';
import { codes, type RaceCall, type RaceOutcome, race, startPool, successes } from './sqlite-race-pool.js';

const CLIENTS = 20;
const dir = mkdtempSync(join(tmpdir(), 'tokenward-sqlite-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let file = '';
let seq = 0;
beforeEach(() => {
  file = join(dir, `race-${++seq}.sqlite`);
});

function open(): SqliteTokenRepository {
  return sqliteRepository({ path: file });
}

function token(overrides: Partial<TokenRecord> = {}): TokenRecord {
  return testRecord(overrides.id ?? `T${String(++seq).padStart(8, '0')}`, overrides);
}

let pool: Worker[] = [];
beforeAll(async () => {
  pool = await startPool(CLIENTS);
}, 120_000);
afterAll(async () => {
  await Promise.all(pool.map((worker) => worker.terminate()));
});

const repositoryRace = (
  calls: ReadonlyArray<{ method: keyof TokenRepository; args: unknown[] }>,
): Promise<RaceOutcome[]> =>
  race(
    pool,
    file,
    calls.map((call) => ({ kind: 'repository', ...call })),
  );

describe(`sqlite repository: ${CLIENTS} clients on separate connections`, () => {
  it('clients opening a new file at once create and migrate it exactly once', async () => {
    const outcomes = await race(
      pool,
      file,
      Array.from({ length: CLIENTS }, () => ({
        kind: 'repository' as const,
        method: 'findById' as const,
        args: ['T-none'],
        openAfterBarrier: true,
      })),
    );
    expect(outcomes).toEqual(Array(CLIENTS).fill({ ok: true, value: null }));
    const check = open();
    const versions = check.database.prepare('SELECT version FROM tokenward_schema_version ORDER BY version').all();
    // Every step of the migration list once (versions need not be 1..N: each feature has its own number).
    expect(versions).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
    expect(check.database.pragma('journal_mode', { simple: true })).toBe('wal');
    await check.close();
  });

  it('compare-and-set rotations of one token have exactly one winner', async () => {
    const setup = open();
    const record = token();
    await setup.insert(record, { now: T0 });
    const outcomes = await repositoryRace(
      Array.from({ length: CLIENTS }, (_, i) => ({
        method: 'update' as const,
        args: [
          record.id,
          1,
          { secretHash: `hash-rotation-${i}`, previousSecretHash: record.secretHash, rotatedAt: T0 + i },
          {
            id: `E${i}`,
            tokenId: record.id,
            tenant: 'acme',
            type: 'rotated',
            actor: 'system',
            operation: 'rotated',
            detail: null,
            at: T0 + i,
          },
        ],
      })),
    );
    expect(codes(outcomes)).toEqual([]);
    const winners = successes(outcomes).filter((value) => value !== null) as TokenRecord[];
    expect(winners).toHaveLength(1);
    const stored = await setup.findById(record.id);
    expect(stored).toEqual(winners[0]);
    expect(stored?.version).toBe(2);
    expect((await setup.listEvents({ tokenId: record.id, limit: 100 })).items).toHaveLength(1);
    await setup.close();
  });

  it('issues at cap + 10 admit exactly the cap', async () => {
    const setup = open();
    const cap = CLIENTS - 10;
    const outcomes = await repositoryRace(
      Array.from({ length: CLIENTS }, () => ({
        method: 'insert' as const,
        args: [token(), { now: T0, maxLivePerOwner: cap }],
      })),
    );
    expect(successes(outcomes)).toHaveLength(cap);
    expect(codes(outcomes)).toEqual(Array(10).fill('limit_exceeded'));
    const listed = await setup.list({
      tenant: 'acme',
      includeExpired: true,
      includeRevoked: true,
      now: T0,
      limit: 100,
    });
    expect(listed.items).toHaveLength(cap);
    await setup.close();
  });

  it('one name admits exactly one insert', async () => {
    const setup = open();
    const outcomes = await repositoryRace(
      Array.from({ length: CLIENTS }, () => ({
        method: 'insert' as const,
        args: [token({ name: 'ci' }), { now: T0 }],
      })),
    );
    expect(successes(outcomes)).toHaveLength(1);
    expect(codes(outcomes)).toEqual(Array(CLIENTS - 1).fill('conflict'));
    await setup.close();
  });

  it('insertMaster creates exactly one master, and every client gets it', async () => {
    const setup = open();
    const outcomes = await repositoryRace(
      Array.from({ length: CLIENTS }, () => ({
        method: 'insertMaster' as const,
        args: [token({ type: 'master', name: 'master' })],
      })),
    );
    expect(codes(outcomes)).toEqual([]);
    const results = successes(outcomes) as Array<{ created: boolean; record: TokenRecord }>;
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const winner = results.find((result) => result.created)!.record;
    for (const result of results) expect(result.record).toEqual(winner);
    const masters = await setup.list({
      tenant: 'acme',
      types: ['master'],
      includeExpired: true,
      includeRevoked: true,
      now: T0,
      limit: 100,
    });
    expect(masters.items.map((record) => record.id)).toEqual([winner.id]);
    await setup.close();
  });

  it('a claim is consumed by exactly one client', async () => {
    const setup = open();
    const claim = {
      codeHash: 'code-1',
      tokenId: 'T1',
      tenant: 'acme',
      createdAt: T0,
      expiresAt: T0 + 60_000,
      createdBy: 'user:alice',
    };
    await setup.insertClaim(claim);
    const outcomes = await repositoryRace(
      Array.from({ length: CLIENTS }, () => ({ method: 'consumeClaim' as const, args: [claim.codeHash, T0 + 1] })),
    );
    expect(codes(outcomes)).toEqual([]);
    expect(successes(outcomes).filter((value) => value !== null)).toEqual([claim]);
    await setup.close();
  });

  it('rotations racing a revocation never leave the token unrevoked', async () => {
    const setup = open();
    const record = token();
    await setup.insert(record, { now: T0 });
    const outcomes = await repositoryRace(
      Array.from({ length: CLIENTS }, (_, i) =>
        i % 2 === 0
          ? { method: 'update' as const, args: [record.id, 1, { secretHash: `hash-rotation-${i}` }] }
          : { method: 'revoke' as const, args: [record.id, T0 + i] },
      ),
    );
    expect(codes(outcomes)).toEqual([]);
    const revocations = outcomes
      .filter((_, i) => i % 2 === 1)
      .filter((outcome) => outcome.ok && outcome.value !== null);
    const rotations = outcomes.filter((_, i) => i % 2 === 0).filter((outcome) => outcome.ok && outcome.value !== null);
    expect(revocations).toHaveLength(1);
    expect(rotations.length).toBeLessThanOrEqual(1);
    const stored = await setup.findById(record.id);
    expect(stored?.revokedAt).not.toBeNull();
    expect(stored?.version).toBe(1 + revocations.length + rotations.length);
    await setup.close();
  });
});

describe(`token service on sqlite: ${CLIENTS} service instances, one file`, () => {
  const serviceRace = (
    calls: ReadonlyArray<Omit<Extract<RaceCall, { kind: 'service' }>, 'kind'>>,
  ): Promise<RaceOutcome[]> =>
    race(
      pool,
      file,
      calls.map((call) => ({ kind: 'service', ...call })),
    );

  it('concurrent rotations that all read the same version: one winner, and only its secret works', async () => {
    const h = makeHarness({ repository: open() });
    const issued = await h.service.issue({ name: 'rotate_me' }, ANALYST);
    const outcomes = await serviceRace(
      Array.from({ length: CLIENTS }, () => ({
        method: 'rotate' as const,
        args: [issued.info.id, ANALYST],
        holdAt: 'update' as const,
      })),
    );
    const winners = successes(outcomes) as IssuedToken[];
    expect(winners).toHaveLength(1);
    expect(codes(outcomes)).toEqual(Array(CLIENTS - 1).fill('conflict'));
    expect((await h.service.verify(winners[0]!.token)).tokenId).toBe(issued.info.id);
    await expect(h.service.verify(issued.token)).rejects.toMatchObject({ code: 'token_invalid' });
    const stored = await h.repository.findById(issued.info.id);
    expect(stored?.previousSecretHash).toBeNull();
    expect(stored?.version).toBe(2);
    await h.repository.close?.();
  });

  it('concurrent rotations in any interleaving leave exactly one live secret', async () => {
    const h = makeHarness({ repository: open() });
    const issued = await h.service.issue({ name: 'rotate_me' }, ANALYST);
    const outcomes = await serviceRace(
      Array.from({ length: CLIENTS }, () => ({ method: 'rotate' as const, args: [issued.info.id, ANALYST] })),
    );
    const rotated = successes(outcomes) as IssuedToken[];
    expect(rotated.length).toBeGreaterThanOrEqual(1);
    expect(new Set(codes(outcomes))).toEqual(new Set(rotated.length === CLIENTS ? [] : ['conflict']));
    // Each success was one compare-and-set step on the stored version.
    expect((await h.repository.findById(issued.info.id))?.version).toBe(1 + rotated.length);
    const live: string[] = [];
    for (const candidate of [issued, ...rotated]) {
      const verdict = await h.service.verify(candidate.token).then(
        () => 'ok',
        (error: { code?: string }) => error.code,
      );
      if (verdict === 'ok') live.push(candidate.token);
      else expect(verdict).toBe('token_invalid');
    }
    expect(live).toHaveLength(1);
    await h.repository.close?.();
  });

  it('issues at cap + 10 through separate services admit exactly the cap', async () => {
    const cap = CLIENTS - 10;
    const h = makeHarness({ repository: open(), policy: { maxTokensPerUser: cap } });
    const outcomes = await serviceRace(
      Array.from({ length: CLIENTS }, () => ({
        method: 'issue' as const,
        args: [{}, ANALYST],
        maxTokensPerUser: cap,
        holdAt: 'insert' as const,
      })),
    );
    expect(successes(outcomes)).toHaveLength(cap);
    expect(codes(outcomes)).toEqual(Array(10).fill('limit_exceeded'));
    const listed = await h.service.list({ limit: 100 }, ANALYST);
    expect(listed.items).toHaveLength(cap);
    for (const issued of successes(outcomes) as IssuedToken[]) {
      expect((await h.service.verify(issued.token)).tokenId).toBe(issued.info.id);
    }
    await h.repository.close?.();
  });

  it('concurrent ensureMasterToken calls create exactly one master; only the creator sees its secret', async () => {
    const h = makeHarness({ repository: open() });
    h.users.acme!.keeper = { grants: 'all' };
    const target = { tenant: 'acme', user: 'keeper' };
    const outcomes = await serviceRace(
      Array.from({ length: CLIENTS }, () => ({
        method: 'ensureMasterToken' as const,
        args: [target],
        extraUsers: ['keeper'],
        holdAt: 'insertMaster' as const,
      })),
    );
    expect(codes(outcomes)).toEqual([]);
    const results = successes(outcomes) as EnsureMasterResult[];
    const created = results.filter((result) => result.created);
    expect(created).toHaveLength(1);
    for (const result of results) expect(result.info.id).toBe(created[0]!.info.id);
    expect(results.filter((result) => 'token' in result)).toHaveLength(1);
    const principal = await h.service.verify((created[0] as Extract<EnsureMasterResult, { created: true }>).token);
    expect(principal.type).toBe('master');
    const masters = await h.repository.list({
      tenant: 'acme',
      types: ['master'],
      includeExpired: true,
      includeRevoked: true,
      now: h.clock.now(),
      limit: 100,
    });
    expect(masters.items).toHaveLength(1);
    await h.repository.close?.();
  });

  it('claims of one share: exactly one client gets the token', async () => {
    const h = makeHarness({ repository: open() });
    const issued = await h.service.issue({ name: 'share_me' }, ANALYST);
    const { code } = await h.service.share(issued.info.id, ANALYST);
    const outcomes = await serviceRace(
      Array.from({ length: CLIENTS }, () => ({
        method: 'claim' as const,
        args: [code],
        holdAt: 'consumeClaim' as const,
      })),
    );
    const claimed = successes(outcomes) as IssuedToken[];
    expect(claimed).toHaveLength(1);
    expect(codes(outcomes)).toHaveLength(CLIENTS - 1);
    expect((await h.service.verify(claimed[0]!.token)).tokenId).toBe(issued.info.id);
    await expect(h.service.verify(issued.token)).rejects.toMatchObject({ code: 'token_invalid' });
    await h.repository.close?.();
  });

  it('verifications racing a revocation never bring the token back', async () => {
    const h = makeHarness({ repository: open() });
    const issued = await h.service.issue({ name: 'revoke_me' }, ANALYST);
    const outcomes = await serviceRace(
      Array.from({ length: CLIENTS }, (_, i) =>
        i === 0
          ? { method: 'revoke' as const, args: [issued.info.id, ANALYST] }
          : { method: 'verify' as const, args: [issued.token] },
      ),
    );
    expect(outcomes[0]?.ok).toBe(true);
    for (const outcome of outcomes.slice(1)) {
      // Each verification saw the token before or after the revocation, nothing else.
      if (!outcome.ok) expect(outcome.code).toBe('token_revoked');
    }
    const after = await serviceRace(
      Array.from({ length: CLIENTS }, () => ({ method: 'verify' as const, args: [issued.token] })),
    );
    expect(codes(after)).toEqual(Array(CLIENTS).fill('token_revoked'));
    expect((await h.repository.findById(issued.info.id))?.revokedAt).not.toBeNull();
    await h.repository.close?.();
  });
});
