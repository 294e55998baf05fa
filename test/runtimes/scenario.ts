/**
 * The portability scenario: one run through the runtime-agnostic part of
 * tokenward on the memory store, bundled and run on Node, Bun, Deno and
 * workerd by portability.test.ts. Each step throws when it does not hold
 * and names itself in the list returned when it does.
 */
import { tokenAuth } from '../../src/fetch/index.js';
import { createTokenService, staticDirectory, type TokenService } from '../../src/index.js';
import { createKeySet, generateSigningKey, type JwtAlgorithm, jwtFormat } from '../../src/jwt/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';

const PEPPER = 'portability-pepper-0123456789abcdefghijklmnop';
const BOB = { tenant: 'acme', user: 'bob' } as const;
const directory = staticDirectory({
  acme: { alice: { admin: true }, bob: { grants: [{ bucket: 'main', access: 'read' }] } },
});

/** The error code a promise rejects with, or `resolved`. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return String((error as { code?: unknown }).code ?? error);
  }
}

async function jwtRoundTrip(alg: JwtAlgorithm): Promise<boolean> {
  const keys = await createKeySet({ signing: await generateSigningKey(alg) });
  const format = jwtFormat({ keys, issuer: 'https://auth.example', audience: 'https://api.example' });
  const service = createTokenService({
    repository: memoryRepository(),
    pepper: PEPPER,
    prefix: 'acme',
    directory,
    format,
  });
  const issued = await service.issue({ name: `jwt-${alg}` }, BOB);
  const principal = await service.verify(issued.token);
  await service.revoke(issued.info.id, BOB);
  return (
    issued.token.split('.').length === 3 &&
    principal.tokenId === issued.info.id &&
    (await outcome(service.verify(issued.token))) === 'token_revoked'
  );
}

async function fetchGuard(service: TokenService, token: string): Promise<boolean> {
  const auth = tokenAuth(service, { realm: 'portable' });
  const read = auth.protect((_request, principal) => Response.json({ owner: principal?.owner }), {
    need: { bucket: 'main', access: 'read' },
  });
  const write = auth.protect(() => new Response('written'), { need: { bucket: 'main', access: 'write' } });
  const at = (headers: Record<string, string> = {}) => new Request('https://api.example/main', { headers });
  const allowed = await read(at({ authorization: `Bearer ${token}` }));
  const missing = await read(at());
  const refused = await write(at({ authorization: `Bearer ${token}` }));
  return (
    allowed.status === 200 &&
    (await allowed.json()).owner === 'bob' &&
    missing.status === 401 &&
    missing.headers.get('www-authenticate') === 'Bearer realm="portable"' &&
    refused.status === 403 &&
    (refused.headers.get('www-authenticate') ?? '').includes('error="insufficient_scope"')
  );
}

/** Runs every step; returns their names, in order. */
export async function scenario(): Promise<string[]> {
  const passed: string[] = [];
  const step = (name: string, holds: boolean): void => {
    if (!holds) throw new Error(`portability step failed: ${name}`);
    passed.push(name);
  };
  const service = createTokenService({ repository: memoryRepository(), pepper: PEPPER, prefix: 'acme', directory });
  const issued = await service.issue({ name: 'ci' }, BOB);
  step('issue', issued.token.startsWith('acme_'));
  step('verify', (await service.verify(issued.token)).owner === 'bob');
  const rotated = await service.rotate(issued.info.id, BOB);
  step(
    'rotate',
    (await outcome(service.verify(issued.token))) !== 'resolved' &&
      (await service.verify(rotated.token)).owner === 'bob',
  );
  const shared = await service.share(issued.info.id, BOB);
  const claimed = await service.claim(shared.code);
  step('share and claim', (await service.verify(claimed.token)).tokenId === issued.info.id);
  step('claim is single-use', (await outcome(service.claim(shared.code))) === 'not_found');
  step('fetch guard', await fetchGuard(service, claimed.token));
  await service.revoke(issued.info.id, BOB);
  step('revoke', (await outcome(service.verify(claimed.token))) === 'token_revoked');
  step('JWT sign and verify (EdDSA)', await jwtRoundTrip('EdDSA'));
  step('JWT sign and verify (ES256)', await jwtRoundTrip('ES256'));
  step('JWT sign and verify (HS256)', await jwtRoundTrip('HS256'));
  return passed;
}
