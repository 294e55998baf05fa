/**
 * The whole token lifecycle through `createTokenService` with the JWT format:
 * everything works as for opaque tokens, and revocation, rotation and
 * expiry are enforced by the repository, not by the string.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { staticDirectory } from '../../src/core/directory.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { jwtFormat, MASTER_TOKEN_EXP_SECONDS } from '../../src/jwt/index.js';
import { createTokenService } from '../../src/service/index.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import {
  ALICE,
  ANALYST,
  AUDIENCE,
  BOB,
  codeOf,
  decode,
  expectRefused,
  ISSUER,
  jwtHarness,
  type Keys,
  makeKeys,
  PEPPER,
  USERS,
} from './helpers.js';

let k: Keys;
beforeAll(async () => {
  k = await makeKeys();
});

describe('issue and verify', () => {
  it('issues JWTs for every type and verifies them to the right principal', async () => {
    const h = await jwtHarness({ signing: k.ed });
    const personal = await h.service.issue({ name: 'ci', ttl: '30d' }, ANALYST);
    const limited = await h.service.issue({ type: 'limited', ttl: '1d', grants: [{ scope: 'reports' }] }, ANALYST);
    const admin = await h.service.issue({ type: 'administrative', ttl: '1d' }, ALICE);
    for (const issued of [personal, limited, admin]) {
      const { header, payload } = decode(issued.token);
      expect(header.typ).toBe('tw+jwt');
      expect(payload.jti).toBe(issued.info.id);
      expect(payload.token_type).toBe(issued.info.type);
      expect(payload.exp).toBe(Math.floor((issued.info.expiresAt?.getTime() ?? 0) / 1000));
    }
    expect(decode(admin.token).payload.sub).toBe(admin.info.id);
    expect(decode(personal.token).payload.sub).toBe('analyst');

    const p = await h.service.verify(personal.token);
    expect(p).toMatchObject({ tokenId: personal.info.id, type: 'personal', owner: 'analyst', name: 'ci' });
    expect(p.can({ scope: 'reports' })).toBe(true);
    const l = await h.service.verify(limited.token);
    expect(l.can({ scope: 'reports' })).toBe(true);
    expect(l.can({ bucket: 'in.c-csv-import', access: 'read' })).toBe(false);
    expect((await h.service.verify(admin.token)).grants).toBe('all');
  });

  it('takes privileges live from the directory, as for opaque tokens', async () => {
    const h = await jwtHarness({ signing: k.hs });
    const { token } = await h.service.issue({ ttl: '1d' }, ANALYST);
    expect((await h.service.verify(token)).can({ scope: 'reports' })).toBe(true);
    h.users.acme!.analyst = { grants: [] };
    expect((await h.service.verify(token)).can({ scope: 'reports' })).toBe(false);
    h.users.acme!.analyst = { active: false };
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
  });

  it('never shows the token or its secret in list, get or events', async () => {
    const h = await jwtHarness({ signing: k.es });
    const { token, info } = await h.service.issue({ name: 'ci', ttl: '1d', comment: 'pipeline' }, ANALYST);
    const secret = String(decode(token).payload.secret);
    const shown = JSON.stringify([
      await h.service.list({}, ANALYST),
      await h.service.get(info.id, ANALYST),
      await h.service.events(info.id, ANALYST),
      await h.service.updateComment(info.id, 'renamed', ANALYST),
    ]);
    expect(shown).not.toContain(secret);
    expect(shown).not.toContain(token.split('.')[2]!);
    expect(shown).toContain('renamed');
  });

  it('refuses a token of another tenant when a tenant is required, and expired tokens', async () => {
    const h = await jwtHarness({ signing: k.hs });
    const { token } = await h.service.issue({ ttl: '1h' }, ALICE);
    expect(await codeOf(h.service.verify(token, { tenant: 'globex' }))).toBe('token_invalid');
    h.clock.advance(3_600_000);
    expect(await codeOf(h.service.verify(token))).toBe('token_expired');
  });

  it('fails closed when storage is down: a well-signed token is unavailable, never accepted', async () => {
    let down = false;
    const base = memoryRepository();
    const repository = new Proxy(base, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) =>
          down ? Promise.reject(new Error('connection refused')) : value.apply(target, args);
      },
    }) as TokenRepository;
    const h = await jwtHarness({ signing: k.ed }, { repository });
    const { token } = await h.service.issue({ ttl: '1d' }, ALICE);
    down = true;
    expect(await codeOf(h.service.verify(token))).toBe('unavailable');
  });
});

describe('lifetimes and policies', () => {
  it('refuses a request longer than the owner’s policy, storing nothing, and caps the default', async () => {
    const h = await jwtHarness({ signing: k.hs });
    await h.service.setMaxTtl({ user: 'analyst' }, '24h', ALICE);
    expect(await codeOf(h.service.issue({ ttl: '30d' }, ANALYST))).toBe('duration_exceeds_policy');
    expect((await h.service.list({ hideExpired: false, hideRevoked: false }, ANALYST)).items).toEqual([]);
    const { token, info } = await h.service.issue({}, ANALYST);
    expect(info.expiresAt?.getTime()).toBe(h.clock.now() + 86_400_000);
    expect(decode(token).payload.exp).toBe(Math.floor((h.clock.now() + 86_400_000) / 1000));
  });

  it('refuses ttl: null with a clear invalid_request even where no-expiry is allowed, storing nothing', async () => {
    const h = await jwtHarness({ signing: k.hs }, { policy: { allowNoExpiry: true } });
    const error = await h.service.issue({ ttl: null, name: 'forever' }, ALICE).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'ttl' } });
    expect((await h.service.list({ hideExpired: false, hideRevoked: false }, ALICE)).items).toEqual([]);
  });

  it('issues master tokens as JWTs with a far-future exp; they verify, rotate, and end with the user', async () => {
    const h = await jwtHarness({ signing: k.ed });
    const master = await h.service.ensureMasterToken({ tenant: 'acme', user: 'bob' });
    if (!master.created) throw new Error('expected a new master token');
    const { payload } = decode(master.token);
    expect(payload.token_type).toBe('master');
    expect(payload.exp).toBe((payload.iat as number) + MASTER_TOKEN_EXP_SECONDS);
    const principal = await h.service.verify(master.token);
    expect(principal).toMatchObject({ type: 'master', owner: 'bob', grants: 'all' });

    // A master token creates limited tokens, which are JWTs as well.
    const limited = await h.service.issue(
      { type: 'limited', ttl: '1d', grants: [{ bucket: 'in.c-csv-import', access: 'read' }] },
      { principal },
    );
    expect((await h.service.verify(limited.token)).type).toBe('limited');

    h.clock.advance(1000);
    const rotated = await h.service.rotate(master.info.id, BOB);
    expect(await codeOf(h.service.verify(master.token))).toBe('token_invalid');
    expect((await h.service.verify(rotated.token)).type).toBe('master');
    await h.service.removeUser({ user: 'bob' }, ALICE);
    expect(await codeOf(h.service.verify(rotated.token))).toBe('token_revoked');
  });
});

describe('rotation, revocation and sharing', () => {
  it('rotation keeps the id and kills the old JWT at once, though its signature is fine', async () => {
    const h = await jwtHarness({ signing: k.ed });
    const { token, info } = await h.service.issue({ name: 'ci', ttl: '30d' }, ALICE);
    h.clock.advance(5000);
    const rotated = await h.service.rotate(info.id, ALICE);
    expect(decode(rotated.token).payload.jti).toBe(info.id);
    expect(decode(rotated.token).payload.iat).toBe(Math.floor(h.clock.now() / 1000));
    expect(decode(rotated.token).payload.exp).toBe(decode(token).payload.exp);
    expect(await h.format.parse(token)).not.toBeNull();
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
    expect((await h.service.verify(rotated.token)).tokenId).toBe(info.id);
  });

  it('with a grace period, the old JWT works until the grace ends', async () => {
    const h = await jwtHarness({ signing: k.hs });
    const { token, info } = await h.service.issue({ ttl: '30d' }, ALICE);
    const rotated = await h.service.rotate(info.id, ALICE, { gracePeriod: '10m' });
    expect((await h.service.verify(token)).tokenId).toBe(info.id);
    expect((await h.service.verify(rotated.token)).tokenId).toBe(info.id);
    h.clock.advance(600_000);
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
    expect((await h.service.verify(rotated.token)).tokenId).toBe(info.id);
  });

  it('revocation is immediate for one token and for all of a user’s tokens', async () => {
    const h = await jwtHarness({ signing: k.es });
    const one = await h.service.issue({ ttl: '1d' }, BOB);
    const two = await h.service.issue({ ttl: '1d' }, BOB);
    const three = await h.service.issue({ ttl: '1d' }, BOB);
    await h.service.revoke(one.info.id, BOB);
    expect(await codeOf(h.service.verify(one.token))).toBe('token_revoked');
    expect((await h.service.verify(two.token)).tokenId).toBe(two.info.id);
    expect(await h.service.revokeAll({ user: 'bob' }, ALICE)).toBe(2);
    expect(await codeOf(h.service.verify(two.token))).toBe('token_revoked');
    expect(await codeOf(h.service.verify(three.token))).toBe('token_revoked');
  });

  it('share hands over a claim code, and claiming returns a new JWT and kills the old one', async () => {
    const h = await jwtHarness({ signing: k.ed });
    const { token, info } = await h.service.issue({ ttl: '7d' }, ANALYST);
    const shared = await h.service.share(info.id, ANALYST);
    expect(shared.code).not.toContain(token);
    h.clock.advance(1000);
    const claimed = await h.service.claim(shared.code);
    expect(decode(claimed.token).payload.jti).toBe(info.id);
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
    expect((await h.service.verify(claimed.token)).tokenId).toBe(info.id);
  });
});

describe('with a prefix', () => {
  it('issues acme_<jwt> strings that verify, rotate and exchange like bare ones', async () => {
    const bare = await jwtHarness({ signing: k.ed });
    const format = jwtFormat({
      keys: bare.keys,
      issuer: ISSUER,
      audience: AUDIENCE,
      prefix: 'acme',
      now: bare.clock.now,
    });
    const h = await jwtHarness({ signing: k.ed }, { format, clock: bare.clock });
    const { token, info } = await h.service.issue({ ttl: '1d' }, ALICE);
    expect(token.startsWith('acme_eyJ')).toBe(true);
    expect((await h.service.verify(token)).tokenId).toBe(info.id);
    const session = await h.service.exchange(token);
    expect((await h.service.verify(session.token)).session?.id).toBe(session.sessionId);
    // The bare JWT inside is not accepted without its prefix.
    expect(await codeOf(h.service.verify(token.slice('acme_'.length)))).toBe('token_invalid');
  });
});

describe('switching an existing deployment to JWTs', () => {
  it('rotating a no-expiry token made under the opaque format is refused and leaves the token as it was', async () => {
    const h = await jwtHarness({ signing: k.ed }, { sessions: false, policy: { allowNoExpiry: true } });
    const opaque = createTokenService({
      repository: h.repository,
      pepper: PEPPER,
      directory: staticDirectory(USERS),
      now: h.clock.now,
      policy: { allowNoExpiry: true },
    });
    const forever = await opaque.issue({ name: 'forever', ttl: null }, ALICE);
    const before = await h.repository.findById(forever.info.id);
    h.clock.advance(1000);
    const error = await h.service.rotate(forever.info.id, ALICE).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_request', details: { field: 'ttl' } });
    // Nothing half-done: same secret, same version, the old string still works.
    expect(await h.repository.findById(forever.info.id)).toEqual(before);
    expect((await opaque.verify(forever.token)).tokenId).toBe(forever.info.id);
  });
});

describe('formats do not mix', () => {
  it('a JWT service refuses opaque tokens and an opaque service refuses JWTs, on the same repository', async () => {
    const h = await jwtHarness({ signing: k.ed }, { sessions: false });
    const opaque = createTokenService({
      repository: h.repository,
      pepper: PEPPER,
      directory: staticDirectory(USERS),
      now: h.clock.now,
    });
    const jwt = await h.service.issue({ ttl: '1d' }, ALICE);
    const plain = await opaque.issue({ ttl: '1d' }, ALICE);
    expect(await codeOf(opaque.verify(jwt.token))).toBe('token_invalid');
    expect(await codeOf(h.service.verify(plain.token))).toBe('token_invalid');
  });

  it('refuses junk and near-JWTs with token_invalid, never another error', async () => {
    const t = await jwtHarness({ signing: k.hs });
    for (const junk of [
      '',
      'eyJ',
      'a.b.c',
      'a.b',
      '....',
      `${'e'.repeat(5000)}.a.b`,
      'Bearer x.y.z',
      'eyJhbGciOiJub25lIn0.e30.',
    ]) {
      expect(await codeOf(t.service.verify(junk))).toBe('token_invalid');
    }
  });
});

// Keeps expectRefused's generic-message check in this file too: a refused JWT never echoes itself.
it('error messages never contain the token or its secret', async () => {
  const h = await jwtHarness({ signing: k.hs });
  const { token, info } = await h.service.issue({ name: 'ci', ttl: '1d' }, ALICE);
  await h.service.revoke(info.id, ALICE);
  await expectRefused(
    { ...h, token, tokenId: info.id, header: decode(token).header, claims: decode(token).payload },
    token,
    'token_revoked',
  );
});
