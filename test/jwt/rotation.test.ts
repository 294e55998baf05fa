/**
 * Signing-key rotation: tokens signed with the old key keep working while the
 * old key is in the verification set, and stop the moment it leaves it.
 * Several service instances share one repository, as several deployments of
 * the runbook's steps would.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TokenMaterial } from '../../src/core/format-types.js';
import { createKeySet, generateSigningKey, jwks, jwtFormat } from '../../src/jwt/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import {
  ALICE,
  AUDIENCE,
  clock,
  codeOf,
  decode,
  ISSUER,
  jwtHarness,
  type Keys,
  makeKeys,
  parseOutcome,
  START,
} from './helpers.js';

let old: Keys;
let next: Keys;
beforeAll(async () => {
  old = await makeKeys();
  next = {
    hs: await generateSigningKey('HS256', { kid: 'hs-2' }),
    ed: await generateSigningKey('EdDSA', { kid: 'ed-2' }),
    es: await generateSigningKey('ES256', { kid: 'es-2' }),
  };
});

const publicOf = (key: Keys['ed'] | Keys['es']) => ({ kid: key.kid, alg: key.alg, publicKey: key.publicKey });

const material: TokenMaterial = {
  id: '01KDX0000000000000000000AA',
  secret: 'S'.repeat(30),
  type: 'personal',
  tenant: 'acme',
  owner: 'alice',
  issuedAt: START,
  expiresAt: START + 86_400_000,
};

describe.each(['HS256', 'EdDSA', 'ES256'] as const)('rotating %s keys at the format', (alg) => {
  const pick = (keys: Keys) => (alg === 'HS256' ? keys.hs : alg === 'EdDSA' ? keys.ed : keys.es);
  const retired = (keys: Keys) => {
    const key = pick(keys);
    return key.alg === 'HS256' ? key : publicOf(key);
  };

  it('accepts old tokens while the old key verifies, refuses them once it is gone', async () => {
    const now = () => START + 1000;
    const before = jwtFormat({
      keys: await createKeySet({ signing: pick(old) }),
      issuer: ISSUER,
      audience: AUDIENCE,
      now,
    });
    const oldToken = await before.encode(material);

    const during = jwtFormat({
      keys: await createKeySet({ signing: pick(next), verification: [retired(old)] }),
      issuer: ISSUER,
      audience: AUDIENCE,
      now,
    });
    const newToken = await during.encode(material);
    expect(decode(newToken).header.kid).toBe(pick(next).kid);
    expect(await parseOutcome(during, oldToken)).toBe('accepted');
    expect(await parseOutcome(during, newToken)).toBe('accepted');
    // The old deployment does not know the new key yet: this is why the runbook publishes it first.
    expect(await parseOutcome(before, newToken)).toBe('token_invalid');

    const after = jwtFormat({
      keys: await createKeySet({ signing: pick(next) }),
      issuer: ISSUER,
      audience: AUDIENCE,
      now,
    });
    expect(await parseOutcome(after, oldToken)).toBe('token_invalid');
    expect(await parseOutcome(after, newToken)).toBe('accepted');
  });

  it('pre-publishing the next key lets old deployments accept tokens signed with it', async () => {
    const now = () => START + 1000;
    const prepublished = jwtFormat({
      keys: await createKeySet({ signing: pick(old), verification: [retired(next)] }),
      issuer: ISSUER,
      audience: AUDIENCE,
      now,
    });
    const switched = jwtFormat({
      keys: await createKeySet({ signing: pick(next), verification: [retired(old)] }),
      issuer: ISSUER,
      audience: AUDIENCE,
      now,
    });
    expect(await parseOutcome(prepublished, await switched.encode(material))).toBe('accepted');
    expect(await parseOutcome(switched, await prepublished.encode(material))).toBe('accepted');
  });
});

describe('the rotation runbook through the service', () => {
  it('old tokens live through the switch; rotating a token re-signs it with the new key; removing the old key ends the rest', async () => {
    const repository = memoryRepository();
    const c = clock();
    const v1 = await jwtHarness({ signing: old.ed }, { repository, clock: c });
    const kept = await v1.service.issue({ name: 'kept', ttl: '30d' }, ALICE);
    const moved = await v1.service.issue({ name: 'moved', ttl: '30d' }, ALICE);

    // Step 1: publish the next key.
    const v2 = await jwtHarness({ signing: old.ed, verification: [publicOf(next.ed)] }, { repository, clock: c });
    expect(jwks(v2.keys).keys.map((key) => key.kid)).toEqual(['ed-1', 'ed-2']);
    expect((await v2.service.verify(kept.token)).tokenId).toBe(kept.info.id);

    // Step 2: sign with it, keep verifying with the old one.
    const v3 = await jwtHarness({ signing: next.ed, verification: [publicOf(old.ed)] }, { repository, clock: c });
    expect((await v3.service.verify(kept.token)).tokenId).toBe(kept.info.id);
    const fresh = await v3.service.issue({ name: 'fresh', ttl: '30d' }, ALICE);
    expect(decode(fresh.token).header.kid).toBe('ed-2');
    expect((await v2.service.verify(fresh.token)).tokenId).toBe(fresh.info.id);
    c.advance(1000);
    const reissued = await v3.service.rotate(moved.info.id, ALICE);
    expect(decode(reissued.token).header.kid).toBe('ed-2');

    // Step 3: drop the old key.
    const v4 = await jwtHarness({ signing: next.ed }, { repository, clock: c });
    expect(await codeOf(v4.service.verify(kept.token))).toBe('token_invalid');
    expect((await v4.service.verify(reissued.token)).tokenId).toBe(moved.info.id);
    expect((await v4.service.verify(fresh.token)).tokenId).toBe(fresh.info.id);
    expect(jwks(v4.keys).keys.map((key) => key.kid)).toEqual(['ed-2']);
  });

  it('a session made under the old key ends when the old key is dropped', async () => {
    const repository = memoryRepository();
    const c = clock();
    const v1 = await jwtHarness({ signing: old.hs }, { repository, clock: c });
    const { token } = await v1.service.issue({ ttl: '1d' }, ALICE);
    const session = (await v1.service.exchange(token)).token;
    const v2 = await jwtHarness({ signing: next.hs, verification: [old.hs] }, { repository, clock: c });
    expect((await v2.service.verify(session)).session).toBeDefined();
    const v3 = await jwtHarness({ signing: next.hs }, { repository, clock: c });
    expect(await codeOf(v3.service.verify(session))).toBe('token_invalid');
  });
});
