/**
 * Claims that disagree with the stored record (issue 8, finding 6). Someone
 * holding the signing key re-signs a real token, with its real `jti` and
 * secret, after changing one claim; gateways that read claims would believe
 * the new value, so the service must refuse it (`token_invalid`). For
 * expiry, the stricter of the JWT's `exp` and the record governs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MASTER_TOKEN_EXP_SECONDS } from '../../src/jwt/index.js';
import { ALICE, BOB, decode, expectRefused, forge, type Keys, makeKeys, type Target, target } from './helpers.js';

const DAY = 86_400_000;

let k: Keys;
let t: Target;

beforeAll(async () => {
  k = await makeKeys();
  t = await target({ signing: k.hs });
});

/** Re-signs `token` with our real key after applying `change` to its claims. */
async function resign(token: string, change: Record<string, unknown>): Promise<string> {
  const { header, payload } = decode(token);
  return forge(header, { ...payload, ...change }, { alg: 'HS256', secret: k.hs.secret });
}

describe('a JWT whose claims disagree with its record', () => {
  it('the control: the unchanged claims, re-signed, are accepted as the record says', async () => {
    const principal = await t.service.verify(await resign(t.token, {}));
    expect(principal).toMatchObject({ tokenId: t.tokenId, tenant: 'acme', owner: 'alice', type: 'personal' });
  });

  it.each<[string, Record<string, unknown>]>([
    ['another tenant', { tenant: 'globex' }],
    ['another subject (user)', { sub: 'bob' }],
    ['a subject that is the token id', { sub: '01KDX0000000000000000000AA' }],
    ['another token type', { token_type: 'limited' }],
    ['an administrative type', { token_type: 'administrative' }],
  ])('refuses %s', async (_name, change) => {
    await expectRefused(t, await resign(t.token, change), 'token_invalid');
  });

  it('refuses another jti, even one of a live token of the same owner', async () => {
    const other = await t.service.issue({ name: 'other', ttl: '30d' }, ALICE);
    await expectRefused(t, await resign(t.token, { jti: other.info.id }), 'token_invalid');
    const bobs = await t.service.issue({ name: 'bobs', ttl: '30d' }, BOB);
    await expectRefused(t, await resign(t.token, { jti: bobs.info.id, sub: 'bob' }), 'token_invalid');
  });

  it('refuses an administrative token whose subject is not its id', async () => {
    const admin = await t.service.issue({ type: 'administrative', name: 'gateway', ttl: '1d' }, ALICE);
    expect((await t.service.verify(await resign(admin.token, {}))).tokenId).toBe(admin.info.id);
    await expectRefused(t, await resign(admin.token, { sub: 'alice' }), 'token_invalid');
    await expectRefused(t, await resign(admin.token, { tenant: 'globex' }), 'token_invalid');
  });
});

describe('expiry: the stricter of the JWT and the record governs', () => {
  it('a later exp does not extend the record’s expiry', async () => {
    const h = await target({ signing: k.hs });
    const record = (await h.service.get(h.tokenId, ALICE)).expiresAt!.getTime();
    const extended = await resign(h.token, { exp: Math.floor(record / 1000) + 365 * 86_400 });
    expect((await h.service.verify(extended)).expiresAt?.getTime()).toBe(record);
    h.clock.advance(record - h.clock.now());
    await expectRefused(h, extended, 'token_expired');
  });

  it('an earlier exp ends the token at that exp, and the principal says so', async () => {
    const h = await target({ signing: k.hs });
    const exp = Math.floor(h.clock.now() / 1000) + 3600;
    const shortened = await resign(h.token, { exp });
    expect((await h.service.verify(shortened)).expiresAt?.getTime()).toBe(exp * 1000);
    h.clock.advance(3_600_000);
    await expectRefused(h, shortened, 'token_expired');
    // The token as issued is unaffected.
    expect((await h.service.verify(h.token)).expiresAt?.getTime()).toBe(h.clock.now() - 3_600_000 + 30 * DAY);
  });

  it('a master token, whose record has no expiry, is bounded by its JWT', async () => {
    const h = await target({ signing: k.hs });
    const master = await h.service.ensureMasterToken(ALICE);
    if (!master.created) throw new Error('expected a new master token');
    const principal = await h.service.verify(master.token);
    const iat = decode(master.token).payload.iat as number;
    expect(principal.expiresAt?.getTime()).toBe((iat + MASTER_TOKEN_EXP_SECONDS) * 1000);
    const shortened = await resign(master.token, { exp: iat + 60 });
    expect((await h.service.verify(shortened)).expiresAt?.getTime()).toBe((iat + 60) * 1000);
    h.clock.advance(60_000);
    await expectRefused(h, shortened, 'token_expired');
    expect((await h.service.verify(master.token)).type).toBe('master');
  });
});
