import { beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { TokenMaterial } from '../../src/core/format-types.js';
import {
  createKeySet,
  type JwtAlgorithm,
  jwtFormat,
  MASTER_TOKEN_EXP_SECONDS,
  TOKEN_TYP,
} from '../../src/jwt/index.js';
import {
  AUDIENCE,
  clock,
  codeOf,
  decode,
  forge,
  ISSUER,
  type Keys,
  makeKeys,
  parseOutcome,
  privateCryptoKey,
  START,
  tokenClaims,
} from './helpers.js';

let k: Keys;
beforeAll(async () => {
  k = await makeKeys();
});

const material = (overrides: Partial<TokenMaterial> = {}): TokenMaterial => ({
  id: '01KDX0000000000000000000AA',
  secret: 'abcdefghijklmnopqrstuvwxyz0123',
  type: 'personal',
  tenant: 'acme',
  owner: 'alice',
  issuedAt: START + 1234,
  expiresAt: START + 30 * 86_400_000 + 999,
  ...overrides,
});

describe.each<JwtAlgorithm>(['HS256', 'EdDSA', 'ES256'])('jwtFormat with %s', (alg) => {
  const signing = () => (alg === 'HS256' ? k.hs : alg === 'EdDSA' ? k.ed : k.es);

  it('writes the documented header and claims, and parses its own tokens back', async () => {
    const keys = await createKeySet({ signing: signing() });
    const format = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, now: () => START + 5000 });
    const token = await format.encode(material());
    const { header, payload } = decode(token);
    expect(header).toEqual({ alg, kid: signing().kid, typ: TOKEN_TYP });
    expect(payload).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'alice',
      jti: '01KDX0000000000000000000AA',
      tenant: 'acme',
      token_type: 'personal',
      secret: 'abcdefghijklmnopqrstuvwxyz0123',
      iat: Math.floor((START + 1234) / 1000),
      nbf: Math.floor((START + 1234) / 1000),
      // Rounded down: the JWT never outlives its record.
      exp: Math.floor((START + 30 * 86_400_000 + 999) / 1000),
    });
    expect(await format.parse(token)).toEqual({
      id: '01KDX0000000000000000000AA',
      secret: 'abcdefghijklmnopqrstuvwxyz0123',
      type: 'personal',
      // What the string says, for the service to compare with the record.
      claims: { tenant: 'acme', owner: 'alice', expiresAt: Math.floor((START + 30 * 86_400_000 + 999) / 1000) * 1000 },
    });
    expect(format.looksLike(token)).toBe(true);
    expect(format.kind).toBe('jwt');
  });

  it('uses the token id as subject for tokens without owner', async () => {
    const format = jwtFormat({ keys: await createKeySet({ signing: signing() }), issuer: ISSUER, audience: AUDIENCE });
    const token = await format.encode(
      material({ owner: null, type: 'administrative', issuedAt: Date.now(), expiresAt: Date.now() + 60_000 }),
    );
    expect(decode(token).payload.sub).toBe('01KDX0000000000000000000AA');
    expect((await format.parse(token))?.claims?.owner).toBeNull();
  });
});

describe('lifetimes', () => {
  it('refuses to encode a token without expiry, except a master token', async () => {
    const format = jwtFormat({ keys: await createKeySet({ signing: k.hs }), issuer: ISSUER, audience: AUDIENCE });
    const error = await Promise.resolve()
      .then(() => format.encode(material({ expiresAt: null })))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('invalid_request');
    expect((error as TokenError).details.field).toBe('ttl');

    const master = await format.encode(material({ type: 'master', expiresAt: null }));
    const { payload } = decode(master);
    expect(payload.exp).toBe((payload.iat as number) + MASTER_TOKEN_EXP_SECONDS);
  });

  it('is expired from its exp second on, with no tolerance for exp', async () => {
    const c = clock();
    const format = jwtFormat({
      keys: await createKeySet({ signing: k.hs }),
      issuer: ISSUER,
      audience: AUDIENCE,
      now: c.now,
      clockTolerance: 30,
    });
    const token = await format.encode(material({ issuedAt: START, expiresAt: START + 60_000 }));
    c.advance(59_999);
    expect(await parseOutcome(format, token)).toBe('accepted');
    c.advance(1);
    expect(await parseOutcome(format, token)).toBe('token_expired');
    c.advance(10_000);
    expect(await parseOutcome(format, token)).toBe('token_expired');
  });

  it('tolerates nbf and iat up to clockTolerance seconds ahead (default 5), and no further', async () => {
    const keys = await createKeySet({ signing: k.hs });
    const now = START;
    const ahead = (seconds: number) =>
      forge(
        { alg: 'HS256', kid: 'hs-1', typ: TOKEN_TYP },
        tokenClaims(now, { iat: now / 1000 + seconds, nbf: now / 1000 + seconds }),
        { alg: 'HS256', secret: k.hs.secret },
      );
    const byDefault = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, now: () => now });
    expect(await parseOutcome(byDefault, await ahead(5))).toBe('accepted');
    expect(await parseOutcome(byDefault, await ahead(6))).toBe('token_invalid');
    const strict = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, now: () => now, clockTolerance: 0 });
    expect(await parseOutcome(strict, await ahead(1))).toBe('token_invalid');
    const lenient = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, now: () => now, clockTolerance: 120 });
    expect(await parseOutcome(lenient, await ahead(120))).toBe('accepted');
  });

  it.each([-1, 1.5, 301, '5', Number.NaN])('refuses clockTolerance %s', async (value) => {
    const keys = await createKeySet({ signing: k.hs });
    expect(
      await codeOf(() => jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, clockTolerance: value as number })),
    ).toBe('invalid_request');
  });
});

describe('options', () => {
  it('requires issuer and audience and checks the prefix', async () => {
    const keys = await createKeySet({ signing: k.hs });
    expect(await codeOf(() => jwtFormat({ keys, issuer: '', audience: AUDIENCE }))).toBe('invalid_request');
    expect(await codeOf(() => jwtFormat({ keys, issuer: ISSUER } as never))).toBe('invalid_request');
    expect(await codeOf(() => jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, prefix: 'Has_Caps' }))).toBe(
      'invalid_request',
    );
  });

  it('with a prefix, writes <prefix>_<jwt> and accepts nothing without it', async () => {
    const keys = await createKeySet({ signing: k.ed });
    const format = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, prefix: 'acme', now: () => START });
    const token = await format.encode(material({ issuedAt: START }));
    expect(token.startsWith('acme_eyJ')).toBe(true);
    expect(await parseOutcome(format, token)).toBe('accepted');
    expect(format.looksLike(token)).toBe(true);
    const bare = token.slice('acme_'.length);
    expect(format.looksLike(bare)).toBe(false);
    expect(await parseOutcome(format, bare)).toBe('not-mine');
    expect(await parseOutcome(format, `other_${bare}`)).toBe('not-mine');
  });

  it('looksLike answers from the shape and typ only, for routing and scanners', async () => {
    const keys = await createKeySet({ signing: k.hs });
    const format = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE });
    const other = await forge({ alg: 'EdDSA', typ: 'JWT' }, tokenClaims(START), {
      alg: 'EdDSA',
      privateKey: await privateCryptoKey(k.ed),
    });
    expect(format.looksLike(other)).toBe(false);
    expect(format.looksLike('acme_p_01KDX0000000000000000000AA')).toBe(false);
    expect(format.looksLike('')).toBe(false);
    expect(format.looksLike(42 as unknown as string)).toBe(false);
  });
});
