/**
 * JWT tokens and sessions on a real PostgreSQL server, with two service
 * instances that each have their own pool and their own key set (as two
 * deployments mid-rotation would): revocation and rotation are enforced by
 * `jti` in the shared database, whichever instance signed the token, and
 * concurrent rotations of one JWT from both instances leave exactly one
 * working string.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TokenRepository } from '../../src/core/repository.js';
import { generateSigningKey } from '../../src/jwt/index.js';
import { migrate, postgresRepository } from '../../src/stores/postgres/index.js';
import { describePostgres, dropSchema, testPool, testPostgres, uniqueSchema } from '../support/postgres.js';
import { ALICE, codeOf, decode, type JwtHarness, jwtHarness, type Keys, makeKeys } from './helpers.js';

const server = await testPostgres();

/**
 * Holds the first `parties` calls of `method`, across every repository it
 * wraps, until all of them have arrived, then lets them go at once.
 */
function sharedBarrier(
  method: keyof TokenRepository,
  parties: number,
): (repository: TokenRepository) => TokenRepository {
  let arrived = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  return (repository) =>
    new Proxy(repository, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== method || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          arrived++;
          if (arrived >= parties) open();
          await gate;
          return value.apply(target, args);
        };
      },
    });
}

describePostgres('JWT tokens on PostgreSQL, two instances', server, (url) => {
  const schema = uniqueSchema('jwt');
  const poolA = testPool(url, 6);
  const poolB = testPool(url, 6);
  let k: Keys;
  let a: JwtHarness;
  let b: JwtHarness;

  beforeAll(async () => {
    await migrate(poolA, { schema });
    k = await makeKeys();
    const next = await generateSigningKey('EdDSA', { kid: 'ed-2' });
    const oldPublic = { kid: k.ed.kid, alg: 'EdDSA' as const, publicKey: k.ed.publicKey };
    const nextPublic = { kid: next.kid, alg: 'EdDSA' as const, publicKey: next.publicKey };
    // A still signs with the old key and already knows the next; B signs with the next and still knows the old.
    a = await jwtHarness(
      { signing: k.ed, verification: [nextPublic] },
      { repository: postgresRepository({ pool: poolA, schema }) },
    );
    b = await jwtHarness(
      { signing: next, verification: [oldPublic] },
      { repository: postgresRepository({ pool: poolB, schema }), clock: a.clock },
    );
  });

  afterAll(async () => {
    await poolA.end();
    await poolB.end();
    await dropSchema(url, schema);
  });

  it('a token signed by one instance is verified, revoked and refused through the other', async () => {
    const issued = await a.service.issue({ name: 'pg_cross', ttl: '1d' }, ALICE);
    expect(decode(issued.token).header.kid).toBe('ed-1');
    expect((await b.service.verify(issued.token)).tokenId).toBe(issued.info.id);
    await b.service.revoke(issued.info.id, ALICE);
    expect(await codeOf(a.service.verify(issued.token))).toBe('token_revoked');
    expect(await codeOf(b.service.verify(issued.token))).toBe('token_revoked');
  });

  it('a rotation through one instance kills the old JWT and its sessions on the other', async () => {
    const issued = await b.service.issue({ name: 'pg_rotate', ttl: '1d' }, ALICE);
    const session = (await a.service.exchange(issued.token)).token;
    expect((await b.service.verify(session)).session).toBeDefined();
    a.clock.advance(1000);
    const rotated = await a.service.rotate(issued.info.id, ALICE);
    expect(await codeOf(b.service.verify(issued.token))).toBe('token_invalid');
    expect(await codeOf(b.service.verify(session))).toBe('token_revoked');
    expect((await b.service.verify(rotated.token)).tokenId).toBe(issued.info.id);
  });

  it('concurrent rotations of one JWT from both instances: one wins, and only its string works', async () => {
    const issued = await a.service.issue({ name: 'pg_race', ttl: '1d' }, ALICE);
    a.clock.advance(1000);
    // Every racer has read the token before any of them writes: the database alone picks the winner.
    const gate = sharedBarrier('update', 4);
    const racerA = await jwtHarness(
      { signing: k.ed },
      { repository: gate(postgresRepository({ pool: poolA, schema })), clock: a.clock, sessions: false },
    );
    const racerB = await jwtHarness(
      { signing: k.ed },
      { repository: gate(postgresRepository({ pool: poolB, schema })), clock: a.clock, sessions: false },
    );
    const results = await Promise.allSettled([
      racerA.service.rotate(issued.info.id, ALICE),
      racerB.service.rotate(issued.info.id, ALICE),
      racerA.service.rotate(issued.info.id, ALICE),
      racerB.service.rotate(issued.info.id, ALICE),
    ]);
    const winners = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const losers = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code] : []));
    expect(winners).toHaveLength(1);
    expect(losers).toEqual(['conflict', 'conflict', 'conflict']);
    const winner = winners[0]!;
    for (const instance of [a, b]) {
      expect((await instance.service.verify(winner.token)).tokenId).toBe(issued.info.id);
      expect(await codeOf(instance.service.verify(issued.token))).toBe('token_invalid');
    }
  });
});
