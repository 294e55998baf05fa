/**
 * Token-to-session exchange with JWT sessions: a session lives only while its
 * parent token is live and unrotated, and a session and a long-lived token can
 * never pass for one another.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { SessionClaims } from '../../src/core/format-types.js';
import { createKeySet, jwtFormat, jwtSessionCodec, SESSION_TYP } from '../../src/jwt/index.js';
import {
  ALICE,
  ANALYST,
  AUDIENCE,
  codeOf,
  decode,
  expectRefused,
  forge,
  ISSUER,
  jwtHarness,
  type Keys,
  makeKeys,
  privateCryptoKey,
  START,
  type Target,
  target,
} from './helpers.js';

let k: Keys;
beforeAll(async () => {
  k = await makeKeys();
});

const claims: SessionClaims = {
  sessionId: '01KDX0000000000000000000SS',
  parentId: '01KDX0000000000000000000AA',
  tenant: 'acme',
  parentRotatedAt: null,
  issuedAt: START + 500,
  expiresAt: START + 15 * 60_000 + 700,
};

describe('jwtSessionCodec', () => {
  it('writes the documented header and claims and reads them back (to the second)', async () => {
    const keys = await createKeySet({ signing: k.ed });
    const codec = jwtSessionCodec({ keys, issuer: ISSUER, audience: AUDIENCE, now: () => START + 1000 });
    const token = await codec.sign({ ...claims, parentRotatedAt: START - 42 });
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg: 'EdDSA', kid: 'ed-1', typ: SESSION_TYP });
    expect(payload).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: claims.parentId,
      jti: claims.sessionId,
      parent: claims.parentId,
      tenant: 'acme',
      parent_rotated_at: START - 42,
      iat: Math.floor((START + 500) / 1000),
      nbf: Math.floor((START + 500) / 1000),
      exp: Math.floor((START + 15 * 60_000 + 700) / 1000),
    });
    expect(codec.looksLike(token)).toBe(true);
    expect(await codec.parse(token)).toEqual({
      ...claims,
      parentRotatedAt: START - 42,
      issuedAt: Math.floor((START + 500) / 1000) * 1000,
      expiresAt: Math.floor((START + 15 * 60_000 + 700) / 1000) * 1000,
    });
  });

  it('and the token format never accept each other’s tokens, even under the same keys', async () => {
    const keys = await createKeySet({ signing: k.hs });
    const now = () => START + 1000;
    const codec = jwtSessionCodec({ keys, issuer: ISSUER, audience: AUDIENCE, now });
    const format = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, now });
    const session = await codec.sign(claims);
    const token = await format.encode({
      id: claims.parentId,
      secret: 'S'.repeat(30),
      type: 'personal',
      tenant: 'acme',
      owner: 'alice',
      issuedAt: START,
      expiresAt: START + 86_400_000,
    });
    expect(await format.parse(session)).toBeNull();
    expect(format.looksLike(session)).toBe(false);
    expect(await codec.parse(token)).toBeNull();
    expect(codec.looksLike(token)).toBe(false);

    // A key holder swapping the typ: the claims of the other kind are missing, so still no.
    const { header: sessionHeader, payload: sessionPayload } = decode(session);
    const { header: tokenHeader, payload: tokenPayload } = decode(token);
    const sessionAsToken = await forge({ ...sessionHeader, typ: 'tw+jwt' }, sessionPayload, {
      alg: 'HS256',
      secret: k.hs.secret,
    });
    const tokenAsSession = await forge({ ...tokenHeader, typ: SESSION_TYP }, tokenPayload, {
      alg: 'HS256',
      secret: k.hs.secret,
    });
    expect(await codeOf(Promise.resolve(format.parse(sessionAsToken)))).toBe('token_invalid');
    expect(await codeOf(codec.parse(tokenAsSession))).toBe('token_invalid');
  });

  it.each<[string, Record<string, unknown>]>([
    ['parent_rotated_at as a string', { parent_rotated_at: '0' }],
    ['parent_rotated_at negative', { parent_rotated_at: -1 }],
    ['parent_rotated_at a fraction', { parent_rotated_at: 1.5 }],
    ['no parent_rotated_at', { parent_rotated_at: undefined }],
    ['sub other than the parent', { sub: 'someone-else' }],
    ['no parent', { parent: undefined }],
    ['no tenant', { tenant: undefined }],
    ['no exp', { exp: undefined }],
  ])('refuses a session with %s', async (_name, change) => {
    const keys = await createKeySet({ signing: k.hs });
    const codec = jwtSessionCodec({ keys, issuer: ISSUER, audience: AUDIENCE, now: () => START + 1000 });
    const { header, payload } = decode(await codec.sign(claims));
    const changed = JSON.parse(JSON.stringify({ ...payload, ...change })) as Record<string, unknown>;
    const token = await forge(header, changed, { alg: 'HS256', secret: k.hs.secret });
    expect(await codeOf(codec.parse(token))).toBe('token_invalid');
  });
});

describe('exchange and verify through the service', () => {
  let t: Target;
  beforeAll(async () => {
    t = await target({ signing: k.ed, verification: [k.hs] });
  });

  async function fresh(): Promise<{ parent: string; parentId: string; session: string; sessionId: string }> {
    const { token, info } = await t.service.issue({ ttl: '30d' }, ALICE);
    const exchanged = await t.service.exchange(token, { ttl: '1h' });
    return { parent: token, parentId: info.id, session: exchanged.token, sessionId: exchanged.sessionId };
  }

  it('gives a session principal that speaks for the parent', async () => {
    const { parentId, session, sessionId } = await fresh();
    expect(decode(session).header.typ).toBe(SESSION_TYP);
    const principal = await t.service.verify(session);
    expect(principal.tokenId).toBe(parentId);
    expect(principal.session).toEqual({
      id: sessionId,
      expiresAt: new Date(Math.floor((t.clock.now() + 3_600_000) / 1000) * 1000),
    });
  });

  it('ends the session when the parent is revoked', async () => {
    const { parentId, session } = await fresh();
    await t.service.revoke(parentId, ALICE);
    await expectRefused(t, session, 'token_revoked');
  });

  it('ends the session when the parent is rotated, even with a grace period for the old secret', async () => {
    const { parent, parentId, session } = await fresh();
    t.clock.advance(1000);
    await t.service.rotate(parentId, ALICE, { gracePeriod: '1h' });
    // The old parent string still works during the grace period; its session does not.
    expect((await t.service.verify(parent)).tokenId).toBe(parentId);
    await expectRefused(t, session, 'token_revoked');
  });

  it('ends the session when the owner is removed', async () => {
    const { session } = await fresh();
    const { token } = await t.service.issue({ ttl: '1d' }, ANALYST);
    const analystSession = (await t.service.exchange(token)).token;
    await t.service.removeUser({ user: 'analyst' }, ALICE);
    await expectRefused(t, analystSession, 'token_revoked');
    expect((await t.service.verify(session)).owner).toBe('alice');
  });

  it('refuses a session whose parent_rotated_at was rewritten by a key holder to match a rotation', async () => {
    const { parentId, session } = await fresh();
    t.clock.advance(1000);
    const rotated = await t.service.rotate(parentId, ALICE);
    const { header, payload } = decode(session);
    // Knowing the new rotation time and holding the key is what it takes; without the key, nothing.
    const attackerKey = await privateCryptoKey(k.es);
    const forged = await forge(
      header,
      { ...payload, parent_rotated_at: rotated.info.rotatedAt?.getTime() },
      {
        alg: 'ES256',
        privateKey: attackerKey,
      },
    );
    await expectRefused(t, forged, 'token_invalid');
  });

  it('expires the session at its own exp, and never lets it outlive the parent', async () => {
    const { session } = await fresh();
    t.clock.advance(3_600_000);
    await expectRefused(t, session, 'token_expired');

    const { token } = await t.service.issue({ ttl: '10m' }, ALICE);
    const short = await t.service.exchange(token, { ttl: '1h' });
    expect(short.expiresAt.getTime()).toBeLessThanOrEqual(t.clock.now() + 600_000);
    t.clock.advance(600_000);
    const code = await codeOf(t.service.verify(short.token));
    expect(code).toBe('token_expired');
  });

  it('refuses a session presented as a long-lived token: no session of a session, none without sessions configured', async () => {
    const { session } = await fresh();
    expect(await codeOf(t.service.exchange(session))).toBe('invalid_request');
    const noSessions = await jwtHarness(
      { signing: k.ed, verification: [k.hs] },
      { sessions: false, repository: t.repository, clock: t.clock },
    );
    expect(await codeOf(noSessions.service.verify(session))).toBe('token_invalid');
  });

  it('refuses a session in another tenant when a tenant is required', async () => {
    const { session } = await fresh();
    expect(await codeOf(t.service.verify(session, { tenant: 'globex' }))).toBe('token_invalid');
  });

  it('refuses sessions signed by keys it does not hold, unsigned, or past exp', async () => {
    const { session } = await fresh();
    const { header, payload } = decode(session);
    const stranger = await privateCryptoKey(k.es);
    await expectRefused(t, await forge(header, payload, { alg: 'ES256', privateKey: stranger }), 'token_invalid');
    await expectRefused(t, await forge({ ...header, alg: 'none' }, payload, { alg: 'none' }), 'token_invalid');
    await expectRefused(
      t,
      await forge({ ...header, alg: 'HS256', kid: 'ed-1' }, payload, {
        alg: 'HS256',
        secret: JSON.stringify(k.ed.publicKey),
      }),
      'token_invalid',
    );
    const now = Math.floor(t.clock.now() / 1000);
    await expectRefused(
      t,
      await forge(
        { ...header, alg: 'HS256', kid: 'hs-1' },
        { ...payload, exp: now },
        { alg: 'HS256', secret: k.hs.secret },
      ),
      'token_expired',
    );
  });

  it('refuses a session longer than sessions.maxTtl', async () => {
    const { parent } = await fresh();
    expect(await codeOf(t.service.exchange(parent, { ttl: '13h' }))).toBe('duration_exceeds_policy');
  });
});
