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
import { staticDirectory } from '../src/directory.js';
import { createKeySet, generateSigningKey, type JwtAlgorithm, jwtFormat, jwtSessionCodec } from '../src/jwt/index.js';
import { memoryRepository } from '../src/memory/index.js';
import { createTokenService } from '../src/service.js';
import { type BenchModule, compareOps } from './harness.js';

const ISSUER = 'https://auth.bench.test';
const AUDIENCE = 'https://api.bench.test';
const TARGET = 0.85;
const timing = { durationMs: 1000, warmupMs: 200, rounds: 2 } as const;

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
    parseToken: () => format.parse(token),
    rawToken: () => jwtVerify(token, rawKey, tokenOptions),
    rawSession: () => jwtVerify(session, rawKey, sessionOptions),
  };
}

export default (async (report) => {
  for (const alg of ['HS256', 'EdDSA'] as const) {
    const s = await setup(alg);
    const baselineName = `jose.jwtVerify ${alg}`;
    for (const concurrency of [1, 32]) {
      const mode = concurrency === 1 ? 'sequential' : '32 concurrent';
      const verify = await compareOps(s.verifyToken, s.rawToken, { ...timing, concurrency });
      report({
        group: 'jwt',
        name: `service.verify ${alg} token, ${mode}`,
        ...verify,
        baselineName,
        unit: 'ops/s',
        target: TARGET,
      });
    }
    const session = await compareOps(s.verifySession, s.rawSession, timing);
    report({
      group: 'jwt',
      name: `service.verify ${alg} session, sequential`,
      ...session,
      baselineName,
      unit: 'ops/s',
      target: TARGET,
    });
    const parse = await compareOps(s.parseToken, s.rawToken, timing);
    report({ group: 'jwt', name: `jwtFormat.parse ${alg} (JWT layer alone)`, ...parse, baselineName, unit: 'ops/s' });
  }
}) satisfies BenchModule;
