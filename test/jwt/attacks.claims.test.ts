/**
 * Claim and header checks: `exp` required, a number, and strictly in the
 * future; `iss`, `aud` and `typ` exact. Each token is signed with our real
 * key and carries the real `jti` and secret of a live token, so the claim
 * under test is the only thing wrong with it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  expectRefused,
  forge,
  ISSUER,
  type Keys,
  makeKeys,
  privateCryptoKey,
  type Target,
  target,
} from './helpers.js';

let k: Keys;
let hs: Target;
let ed: Target;
let edKey: CryptoKey;

beforeAll(async () => {
  k = await makeKeys();
  hs = await target({ signing: k.hs });
  ed = await target({ signing: k.ed });
  edKey = await privateCryptoKey(k.ed);
});

/** Re-signs the target's token with our real key after changing header or claims. */
async function resign(
  t: Target,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = t.header,
): Promise<string> {
  return t === hs
    ? forge(header, claims, { alg: 'HS256', secret: k.hs.secret })
    : forge(header, claims, { alg: 'EdDSA', privateKey: edKey });
}

const without = (claims: Record<string, unknown>, name: string): Record<string, unknown> => {
  const copy = { ...claims };
  delete copy[name];
  return copy;
};

describe.each(['HS256', 'EdDSA'])('claims of a %s token', (alg) => {
  const t = (): Target => (alg === 'HS256' ? hs : ed);

  it('the control: re-signing the unchanged claims is accepted', async () => {
    expect((await t().service.verify(await resign(t(), t().claims))).tokenId).toBe(t().tokenId);
  });

  it('refuses a token without exp', async () => {
    await expectRefused(t(), await resign(t(), without(t().claims, 'exp')), 'token_invalid');
  });

  it.each<[string, unknown]>([
    ['a string', 'EXP'],
    ['a numeric string', String(2_000_000_000)],
    ['null', null],
    ['an array', [2_000_000_000]],
    ['an object', { value: 2_000_000_000 }],
    ['a boolean', true],
  ])('refuses exp that is %s', async (_name, exp) => {
    await expectRefused(t(), await resign(t(), { ...t().claims, exp }), 'token_invalid');
  });

  it('refuses exp equal to now, and exp in the past, as expired', async () => {
    const now = Math.floor(t().clock.now() / 1000);
    await expectRefused(t(), await resign(t(), { ...t().claims, exp: now }), 'token_expired');
    await expectRefused(t(), await resign(t(), { ...t().claims, exp: now - 1 }), 'token_expired');
    await expectRefused(t(), await resign(t(), { ...t().claims, exp: 0 }), 'token_expired');
    // One second later is fine as far as the JWT goes.
    expect((await t().service.verify(await resign(t(), { ...t().claims, exp: now + 1 }))).tokenId).toBe(t().tokenId);
  });

  it.each(['iat', 'nbf', 'jti', 'sub', 'iss', 'aud', 'tenant', 'token_type', 'secret'])(
    'refuses a token without %s',
    async (claim) => {
      await expectRefused(t(), await resign(t(), without(t().claims, claim)), 'token_invalid');
    },
  );

  it('refuses nbf in the future and iat in the future beyond the tolerance', async () => {
    const now = Math.floor(t().clock.now() / 1000);
    await expectRefused(t(), await resign(t(), { ...t().claims, nbf: now + 3600 }), 'token_invalid');
    await expectRefused(t(), await resign(t(), { ...t().claims, iat: now + 3600 }), 'token_invalid');
    await expectRefused(t(), await resign(t(), { ...t().claims, iat: 'yesterday' }), 'token_invalid');
  });

  it.each<[string, unknown]>([
    ['another audience', 'https://evil.test'],
    ['a list without ours', ['https://evil.test', 'https://other.test']],
    ['our audience with a trailing slash', `${AUDIENCE}/`],
    ['our audience in other case', AUDIENCE.toUpperCase()],
    ['an empty list', []],
    ['a number', 1],
  ])('refuses aud that is %s', async (_name, aud) => {
    await expectRefused(t(), await resign(t(), { ...t().claims, aud }), 'token_invalid');
  });

  it('accepts aud as a list that contains ours (RFC 7519 §4.1.3)', async () => {
    const token = await resign(t(), { ...t().claims, aud: ['https://other.test', AUDIENCE] });
    expect((await t().service.verify(token)).tokenId).toBe(t().tokenId);
  });

  it.each<[string, unknown]>([
    ['another issuer', 'https://evil.test'],
    ['our issuer with a path', `${ISSUER}/x`],
    ['a list containing ours', [ISSUER]],
    ['null', null],
  ])('refuses iss that is %s', async (_name, iss) => {
    await expectRefused(t(), await resign(t(), { ...t().claims, iss }), 'token_invalid');
  });

  it.each<[string, unknown]>([
    ['JWT', 'JWT'],
    ['at+jwt', 'at+jwt'],
    ['a session typ', 'tw-session+jwt'],
    ['tw+jwt with a suffix', 'tw+jwt2'],
    ['a number', 1],
  ])('refuses typ %s', async (_name, typ) => {
    await expectRefused(t(), await resign(t(), t().claims, { ...t().header, typ }), 'token_invalid');
  });

  it('refuses a token without typ', async () => {
    await expectRefused(t(), await resign(t(), t().claims, without(t().header, 'typ')), 'token_invalid');
  });

  it('refuses unknown token types and claims of the wrong type', async () => {
    await expectRefused(t(), await resign(t(), { ...t().claims, token_type: 'admin' }), 'token_invalid');
    await expectRefused(t(), await resign(t(), { ...t().claims, token_type: 'master' }), 'token_invalid');
    await expectRefused(t(), await resign(t(), { ...t().claims, secret: 42 }), 'token_invalid');
    await expectRefused(t(), await resign(t(), { ...t().claims, jti: ['x'] }), 'token_invalid');
    await expectRefused(t(), await resign(t(), { ...t().claims, secret: 'x'.repeat(300) }), 'token_invalid');
  });

  it('refuses a claim set that is not a JSON object', async () => {
    for (const payload of ['[]', '"text"', '42', 'null', '{"exp":']) {
      const token =
        t() === hs
          ? await forge(t().header, payload, { alg: 'HS256', secret: k.hs.secret })
          : await forge(t().header, payload, { alg: 'EdDSA', privateKey: edKey });
      await expectRefused(t(), token, 'token_invalid');
    }
  });

  it('refuses a critical header it does not understand', async () => {
    await expectRefused(
      t(),
      await resign(t(), t().claims, { ...t().header, crit: ['exp-ext'], 'exp-ext': 1 }),
      'token_invalid',
    );
    await expectRefused(
      t(),
      await resign(t(), t().claims, { ...t().header, crit: ['b64'], b64: false }),
      'token_invalid',
    );
  });
});
