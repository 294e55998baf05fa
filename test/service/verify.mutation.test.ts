/**
 * `verify` against written answers (issue 15): what a format's claims may
 * and may not say, the string's own expiry, the rotation grace period, the
 * length bound, sessions forged or spent, and the principal's fields. Each
 * expected answer is written here, never computed by the code under test.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { opaqueFormat } from '../../src/core/format.js';
import type { ParsedClaims, TokenFormat } from '../../src/core/format-types.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { codeOf } from '../support/errors.js';
import { ALICE, ANALYST, BOB, makeHarness } from '../support/service.js';
import { plainCodec } from './plain-codec.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The opaque format whose strings also claim `claims.value` (as a JWT would), answered directly or later. */
function claimingFormat(async: boolean): { format: TokenFormat; claims: { value: ParsedClaims | undefined } } {
  const inner = opaqueFormat('acme');
  const claims: { value: ParsedClaims | undefined } = { value: undefined };
  const parseNow = (token: string) => {
    const parsed = inner.parse(token) as ReturnType<TokenFormat['parse']> & object;
    if (parsed === null || claims.value === undefined) return parsed;
    return { ...parsed, claims: claims.value };
  };
  const format: TokenFormat = {
    kind: 'claiming',
    encode: (material) => inner.encode(material),
    parse: (token) => (async ? Promise.resolve().then(() => parseNow(token)) : parseNow(token)),
    looksLike: (token) => inner.looksLike(token),
  };
  return { format, claims };
}

describe.each([
  ['answered directly', false],
  ['answered later', true],
])('a format whose strings carry claims (%s)', (_label, async) => {
  it('verifies while tenant and owner agree with the record, and refuses either changed', async () => {
    const { format, claims } = claimingFormat(async);
    const h = makeHarness({ format });
    const { token, info } = await h.service.issue({ ttl: '1d' }, ANALYST);
    const later = h.clock.now() + 2 * DAY;
    claims.value = { tenant: 'acme', owner: 'analyst', expiresAt: later };
    expect((await h.service.verify(token)).expiresAt?.getTime()).toBe(h.clock.now() + DAY);
    expect((await h.service.verify(token)).tokenId).toBe(info.id);
    claims.value = { tenant: 'globex', owner: 'analyst', expiresAt: later };
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
    claims.value = { tenant: 'acme', owner: 'bob', expiresAt: later };
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
    claims.value = { tenant: 'acme', owner: null, expiresAt: later };
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
  });

  it("ends at the string's own expiry when it is earlier than the record's, to the millisecond", async () => {
    const { format, claims } = claimingFormat(async);
    const h = makeHarness({ format });
    const { token } = await h.service.issue({ ttl: '1d' }, ANALYST);
    const ends = h.clock.now() + HOUR;
    claims.value = { tenant: 'acme', owner: 'analyst', expiresAt: ends };
    expect((await h.service.verify(token)).expiresAt?.getTime()).toBe(ends);
    h.clock.set(ends - 1);
    await expect(h.service.verify(token)).resolves.toBeDefined();
    h.clock.set(ends);
    expect(await codeOf(h.service.verify(token))).toBe('token_expired');
  });

  it('a previous secret in its grace period ends at the earliest of the grace, the string and the record', async () => {
    const { format, claims } = claimingFormat(async);
    const h = makeHarness({ format });
    const { token, info } = await h.service.issue({ ttl: '1d' }, ANALYST);
    const start = h.clock.now();
    await h.service.rotate(info.id, ANALYST, { gracePeriod: '2h' });
    expect((await h.service.verify(token)).expiresAt?.getTime()).toBe(start + 2 * HOUR);
    claims.value = { tenant: 'acme', owner: 'analyst', expiresAt: start + HOUR };
    expect((await h.service.verify(token)).expiresAt?.getTime()).toBe(start + HOUR);
    claims.value = { tenant: 'acme', owner: 'analyst', expiresAt: start + 3 * HOUR };
    expect((await h.service.verify(token)).expiresAt?.getTime()).toBe(start + 2 * HOUR);
    h.clock.set(start + 2 * HOUR);
    expect(await codeOf(h.service.verify(token))).toBe('token_invalid');
  });
});

describe('what verify reads', () => {
  it('a store that answers synchronously is asked there, not through findById', async () => {
    const base = memoryRepository();
    const asked: string[] = [];
    const repository = Object.assign(Object.create(base) as TokenRepository, {
      findById: (id: string) => {
        asked.push('findById');
        return base.findById(id);
      },
      findByIdSync: (id: string) => {
        asked.push('findByIdSync');
        return base.findByIdSync!(id);
      },
    });
    const h = makeHarness({ repository });
    const { token } = await h.service.issue({}, ANALYST);
    asked.length = 0;
    await h.service.verify(token);
    expect(asked).toEqual(['findByIdSync']);
  });

  it('a store without findByIdSync answers through findById', async () => {
    const base = memoryRepository();
    const repository = Object.assign(Object.create(base) as TokenRepository, { findByIdSync: undefined });
    const h = makeHarness({ repository });
    const { token, info } = await h.service.issue({}, ANALYST);
    expect((await h.service.verify(token)).tokenId).toBe(info.id);
    expect(await codeOf(h.service.verify(token, { tenant: 'globex' }))).toBe('token_invalid');
  });
});

describe('the length bound', () => {
  const longest = `v${'0123456789abcdef'.repeat(256)}`.slice(0, 4096);

  it('looks at a string of 4096 characters, the longest verification secret', async () => {
    const h = makeHarness({ verificationTokens: [{ secret: longest, tenant: 'acme' }] });
    await expect(h.service.verify(longest)).resolves.toMatchObject({ type: 'verification', tenant: 'acme' });
  });

  it('refuses one more character without asking storage, even behind a legacy prefix', async () => {
    const base = memoryRepository();
    const asked: string[] = [];
    const repository = Object.assign(Object.create(base) as TokenRepository, {
      findByLookupHash: (candidates: readonly string[]) => {
        asked.push('findByLookupHash');
        return base.findByLookupHash(candidates);
      },
    });
    const h = makeHarness({ repository, legacyPrefixes: ['sk_live_'] });
    expect(await codeOf(h.service.verify(`sk_live_${'x'.repeat(4089)}`))).toBe('token_invalid');
    expect(asked).toEqual([]);
    expect(await codeOf(h.service.verify(`sk_live_${'x'.repeat(4088)}`))).toBe('token_invalid');
    expect(asked).toEqual(['findByLookupHash']);
  });
});

describe('sessions', () => {
  it('answer the tenant asked for like any token: another tenant is token_invalid', async () => {
    const h = makeHarness({ sessions: { codec: plainCodec } });
    const session = await h.service.exchange((await h.service.issue({}, ANALYST)).token);
    await expect(h.service.verify(session.token, { tenant: 'acme' })).resolves.toMatchObject({ tenant: 'acme' });
    expect(await codeOf(h.service.verify(session.token, { tenant: 'globex' }))).toBe('token_invalid');
  });

  it('end at their expiry to the millisecond, and carry it', async () => {
    const h = makeHarness({ sessions: { codec: plainCodec, defaultTtl: '10m' } });
    const session = await h.service.exchange((await h.service.issue({ ttl: '1d' }, ANALYST)).token);
    const ends = h.clock.now() + 10 * MINUTE;
    const principal = await h.service.verify(session.token);
    expect(principal.session).toEqual({ id: session.sessionId, expiresAt: new Date(ends) });
    expect(principal.expiresAt?.getTime()).toBe(h.clock.now() + DAY);
    h.clock.set(ends - 1);
    await expect(h.service.verify(session.token)).resolves.toBeDefined();
    h.clock.set(ends);
    expect(await codeOf(h.service.verify(session.token))).toBe('token_expired');
  });

  it('claiming another tenant, another rotation or an unknown parent are refused', async () => {
    const h = makeHarness({ sessions: { codec: plainCodec } });
    const session = await h.service.exchange((await h.service.issue({}, ANALYST)).token);
    const claims = JSON.parse(session.token.slice(5)) as Record<string, unknown>;
    const forged = (change: Record<string, unknown>) => `sess.${JSON.stringify({ ...claims, ...change })}`;
    await expect(h.service.verify(forged({}))).resolves.toMatchObject({ session: { id: session.sessionId } });
    expect(await codeOf(h.service.verify(forged({ tenant: 'globex' })))).toBe('token_invalid');
    expect(await codeOf(h.service.verify(forged({ parentRotatedAt: 1 })))).toBe('token_revoked');
    expect(await codeOf(h.service.verify(forged({ parentId: '01KDVDNA00603S2CKAGJVNS3HT' })))).toBe('token_invalid');
  });

  it('of a revoked, expired or disabled parent are refused with its code', async () => {
    const h = makeHarness({ sessions: { codec: plainCodec, defaultTtl: '1h' } });
    const revoked = await h.service.issue({}, ANALYST);
    const short = await h.service.issue({ ttl: '30m' }, ANALYST);
    const disabled = await h.service.issue({}, ANALYST);
    const sessions = await Promise.all([revoked, short, disabled].map((t) => h.service.exchange(t.token)));
    await h.service.revoke(revoked.info.id, ANALYST);
    await h.service.update(disabled.info.id, { enabled: false }, ANALYST);
    h.clock.advance(30 * MINUTE);
    const codes = await Promise.all(sessions.map((s) => codeOf(h.service.verify(s.token))));
    expect(codes).toEqual(['token_revoked', 'token_expired', 'token_disabled']);
  });
});

describe('the principal of a stored token', () => {
  it('says whether its owner is an admin, now', async () => {
    const h = makeHarness();
    const admin = await h.service.issue({}, ALICE);
    const user = await h.service.issue({}, BOB);
    expect((await h.service.verify(admin.token)).ownerIsAdmin).toBe(true);
    expect((await h.service.verify(user.token)).ownerIsAdmin).toBe(false);
    h.users.acme!.alice = {};
    expect((await h.service.verify(admin.token)).ownerIsAdmin).toBe(false);
  });

  it('carries the name, meta and expiry of its record; no expiry when the record has none', async () => {
    const h = makeHarness({ policy: { allowNoExpiry: true } });
    const forever = await h.service.issue({ name: 'etl', meta: { team: 'data' }, ttl: null }, ALICE);
    const principal = await h.service.verify(forever.token);
    expect(principal).toMatchObject({ name: 'etl', meta: { team: 'data' }, expiresAt: null });
    expect(principal.session).toBeUndefined();
  });
});

describe('imported keys', () => {
  it('are refused by a service without personal tokens, on the same storage', async () => {
    const key = 'sk_live_abcdef0123';
    const h = makeHarness({ legacyPrefixes: ['sk_live_'] });
    const hash = createHash('sha256').update(key).digest('hex');
    await h.service.importTokens([{ hash: { value: hash, variant: 'sha256_hex' }, owner: 'bob' }], ALICE);
    const off = makeHarness({
      repository: h.repository,
      legacyPrefixes: ['sk_live_'],
      enablePersonalTokens: false,
      verificationTokens: ['engine-verification-token-0123456789'],
    });
    expect(await codeOf(off.service.verify(key))).toBe('token_invalid');
    await expect(h.service.verify(key)).resolves.toMatchObject({ owner: 'bob' });
  });
});
