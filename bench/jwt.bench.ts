/**
 * JWT verification cost: `service.verify` of a JWT token and of a JWT
 * session (memory repository), against a bare `jose.jwtVerify` of the same
 * token with the same key and the same claim checks, in the same run.
 *
 * Be fair when reading the ratios: `service.verify` does everything the
 * baseline does plus a repository lookup by `jti`, an HMAC-SHA-256 of the
 * secret claim, a constant-time compare, a directory lookup and building the
 * principal. The `format.parse` rows show our JWT layer alone.
 */
import { importJWK, jwtVerify } from 'jose';
import { staticDirectory } from '../src/core/directory.js';
import { createKeySet, generateSigningKey, type JwtAlgorithm, jwtFormat, jwtSessionCodec } from '../src/jwt/index.js';
import { createTokenService } from '../src/service/index.js';
import { memoryRepository } from '../src/stores/memory/index.js';
import { compareCpuOps } from './cpu-compare.js';
import { type BenchModule, compareOps } from './harness.js';

const ISSUER = 'https://auth.bench.test';
const AUDIENCE = 'https://api.bench.test';
const TARGET = 0.85;
// Alternating rounds (at least five, issue 12): each figure is the median round ratio with its range.
const timing = { durationMs: 300, warmupMs: 100, rounds: 5 } as const;

async function setup(alg: 'HS256' | 'EdDSA') {
  const signing = await generateSigningKey(alg, { kid: `${alg.toLowerCase()}-bench` });
  const keys = await createKeySet({ signing });
  const format = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE });
  const service = createTokenService({
    repository: memoryRepository(),
    pepper: 'bench-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
    directory: staticDirectory({ acme: { alice: { admin: true } } }),
    format,
    sessions: { codec: jwtSessionCodec({ keys, issuer: ISSUER, audience: AUDIENCE }), defaultTtl: '1h' },
  });
  const { token } = await service.issue({ ttl: '1d' }, { tenant: 'acme', user: 'alice' });
  const session = (await service.exchange(token)).token;

  // The same key material, imported the way a plain jose user would.
  const rawKey =
    signing.alg === 'HS256'
      ? await crypto.subtle.importKey(
          'raw',
          new TextEncoder().encode(signing.secret),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['verify'],
        )
      : ((await importJWK(signing.publicKey, 'EdDSA')) as CryptoKey);
  const rawOptions = (typ: string) => ({
    algorithms: [alg as JwtAlgorithm],
    issuer: ISSUER,
    audience: AUDIENCE,
    typ,
    requiredClaims: ['exp', 'iat', 'nbf', 'jti', 'sub'],
  });
  const tokenOptions = rawOptions('tw+jwt');
  const sessionOptions = rawOptions('tw-session+jwt');

  // Every call must succeed, or the figures would measure error paths.
  await service.verify(token);
  await service.verify(session);
  await jwtVerify(token, rawKey, tokenOptions);
  await jwtVerify(session, rawKey, sessionOptions);

  return {
    verifyToken: () => service.verify(token),
    verifySession: () => service.verify(session),
    parseToken: async () => format.parse(token),
    rawToken: () => jwtVerify(token, rawKey, tokenOptions),
    rawSession: () => jwtVerify(session, rawKey, sessionOptions),
  };
}

interface Scenario {
  readonly name: string;
  readonly candidate: () => Promise<unknown>;
  readonly baseline: () => Promise<unknown>;
  readonly concurrency: number;
  /** Compared against the target, or shown for information only. */
  readonly targeted: boolean;
}

export default (async (report) => {
  for (const alg of ['HS256', 'EdDSA'] as const) {
    const s = await setup(alg);
    const baselineName = `jose.jwtVerify ${alg}`;
    const scenarios: Scenario[] = [
      {
        name: `service.verify ${alg} token, sequential`,
        candidate: s.verifyToken,
        baseline: s.rawToken,
        concurrency: 1,
        targeted: true,
      },
      {
        name: `service.verify ${alg} token, 32 concurrent`,
        candidate: s.verifyToken,
        baseline: s.rawToken,
        concurrency: 32,
        targeted: true,
      },
      {
        name: `service.verify ${alg} session, sequential`,
        candidate: s.verifySession,
        baseline: s.rawSession,
        concurrency: 1,
        targeted: true,
      },
      {
        name: `jwtFormat.parse ${alg} (JWT layer alone)`,
        candidate: s.parseToken,
        baseline: s.rawToken,
        concurrency: 1,
        targeted: false,
      },
    ];
    for (const scenario of scenarios) {
      const target = scenario.targeted ? { target: TARGET } : {};
      if (scenario.targeted) {
        const wall = await compareOps(scenario.candidate, scenario.baseline, {
          ...timing,
          concurrency: scenario.concurrency,
        });
        const { value, baseline, ratios } = wall;
        report({
          group: 'jwt',
          name: scenario.name,
          value,
          baseline,
          roundRatios: ratios,
          baselineName,
          unit: 'ops/s',
          ...target,
        });
      }
      const cpu = await compareCpuOps(scenario.candidate, scenario.baseline, {
        concurrency: scenario.concurrency,
        ops: alg === 'HS256' ? 1500 : 600,
        rounds: 7,
      });
      report({
        group: 'jwt per CPU-second',
        name: scenario.name,
        value: cpu.value,
        baseline: cpu.baseline,
        roundRatios: cpu.ratios,
        baselineName,
        unit: 'ops/s',
        ...target,
      });
    }
  }
}) satisfies BenchModule;
