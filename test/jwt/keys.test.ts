import { createLocalJWKSet, exportSPKI, importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { createKeySet, generateSigningKey, jwks, jwtFormat } from '../../src/jwt/index.js';
import { AUDIENCE, codeOf, ISSUER, type Keys, makeKeys, START } from './helpers.js';

let k: Keys;
beforeAll(async () => {
  k = await makeKeys();
});

describe('generateSigningKey', () => {
  it('makes a 256-bit HS256 secret and key pairs as JWKs with a thumbprint kid', async () => {
    const hs = await generateSigningKey('HS256');
    expect(hs.alg).toBe('HS256');
    expect(hs.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hs.kid).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const other = await generateSigningKey('HS256');
    expect(other.secret).not.toBe(hs.secret);

    const ed = await generateSigningKey('EdDSA');
    expect(ed.privateKey).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(typeof ed.privateKey.d).toBe('string');
    expect(ed.publicKey.d).toBeUndefined();
    expect(ed.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const es = await generateSigningKey('ES256', { kid: 'chosen' });
    expect(es.kid).toBe('chosen');
    expect(es.privateKey).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(es.publicKey.d).toBeUndefined();
  });

  it('refuses an algorithm it does not support', async () => {
    expect(await codeOf(generateSigningKey('RS256' as 'HS256'))).toBe('invalid_request');
  });
});

describe('createKeySet', () => {
  it('describes its keys without exposing key material', async () => {
    const keys = await createKeySet({
      signing: k.ed,
      verification: [k.hs, { kid: k.es.kid, alg: 'ES256', publicKey: k.es.publicKey }],
    });
    expect(keys.signing).toEqual({ kid: 'ed-1', alg: 'EdDSA' });
    expect(keys.verification).toEqual([
      { kid: 'ed-1', alg: 'EdDSA' },
      { kid: 'hs-1', alg: 'HS256' },
      { kid: 'es-1', alg: 'ES256' },
    ]);
    const serialized = JSON.stringify(keys);
    expect(serialized).not.toContain(k.hs.secret);
    expect(serialized).not.toContain(String(k.ed.privateKey.d));
    expect(Object.isFrozen(keys)).toBe(true);
  });

  it('accepts PEM strings and CryptoKeys as well as JWKs', async () => {
    const pub = await importJWK({ ...k.es.publicKey, ext: true }, 'ES256');
    const pem = await exportSPKI(pub as CryptoKey);
    const priv = (await importJWK(k.es.privateKey, 'ES256')) as CryptoKey;
    const keys = await createKeySet({ signing: { kid: 'es-pem', alg: 'ES256', privateKey: priv, publicKey: pem } });
    expect(jwks(keys).keys).toEqual([{ ...k.es.publicKey, kid: 'es-pem', alg: 'ES256', use: 'sig' }]);
  });

  const bad: [string, () => Parameters<typeof createKeySet>[0], string][] = [
    ['a short HMAC secret', () => ({ signing: { kid: 'h', alg: 'HS256', secret: 'x'.repeat(31) } }), 'signing.secret'],
    [
      'an unknown algorithm',
      () => ({ signing: { kid: 'h', alg: 'HS512' as 'HS256', secret: 'x'.repeat(64) } }),
      'signing.alg',
    ],
    ['a kid with a slash', () => ({ signing: { ...k.hs, kid: '../keys/a' } }), 'signing.kid'],
    ['an empty kid', () => ({ signing: { ...k.hs, kid: '' } }), 'signing.kid'],
    ['a 65-character kid', () => ({ signing: { ...k.hs, kid: 'a'.repeat(65) } }), 'signing.kid'],
    ['a kid used twice', () => ({ signing: k.hs, verification: [{ ...k.ed, kid: 'hs-1' }] }), 'verification[0].kid'],
    ['an Ed25519 key declared ES256', () => ({ signing: { ...k.ed, alg: 'ES256' } as never }), 'signing.privateKey'],
    [
      'a public key as signing key',
      () => ({ signing: { kid: 'p', alg: 'EdDSA', privateKey: k.ed.publicKey } }),
      'signing.privateKey',
    ],
    [
      'a public key that does not match the private key',
      () => ({ signing: { ...k.es, publicKey: k.ed.publicKey } }),
      'signing.publicKey',
    ],
    [
      'a private key among verification keys',
      () => ({ signing: k.hs, verification: [{ ...k.ed } as never] }),
      'verification[0].privateKey',
    ],
    ['a missing signing key', () => ({}) as never, 'signing'],
  ];
  it.each(bad)('refuses %s with invalid_request naming the field', async (_name, options, field) => {
    const error = await createKeySet(options()).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TokenError);
    expect((error as TokenError).code).toBe('invalid_request');
    expect((error as TokenError).details.field).toBe(field);
    // Never echoes key material.
    expect((error as TokenError).message).not.toContain(String(k.ed.privateKey.d));
  });

  it('refuses a non-matching key pair even when both are valid keys of the right curve', async () => {
    const other = await generateSigningKey('EdDSA');
    expect(await codeOf(createKeySet({ signing: { ...k.ed, publicKey: other.publicKey } }))).toBe('invalid_request');
  });

  it('refuses an object that is not a key set where a key set is needed', () => {
    expect(() => jwks({ signing: { kid: 'x', alg: 'HS256' }, verification: [] })).toThrow(TokenError);
    expect(() => jwtFormat({ keys: {} as never, issuer: ISSUER, audience: AUDIENCE })).toThrow(TokenError);
  });
});

describe('jwks', () => {
  it('publishes only the public members of EdDSA and ES256 keys, never HS256 keys', async () => {
    const keys = await createKeySet({
      signing: k.hs,
      verification: [
        { kid: 'ed-1', alg: 'EdDSA', publicKey: k.ed.publicKey },
        { kid: 'es-1', alg: 'ES256', publicKey: k.es.publicKey },
      ],
    });
    const doc = jwks(keys);
    expect(doc.keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: k.ed.publicKey.x, kid: 'ed-1', alg: 'EdDSA', use: 'sig' },
      { kty: 'EC', crv: 'P-256', x: k.es.publicKey.x, y: k.es.publicKey.y, kid: 'es-1', alg: 'ES256', use: 'sig' },
    ]);
    const text = JSON.stringify(doc);
    expect(text).not.toContain(k.hs.secret);
    expect(text).not.toContain('"d"');
    expect(text).not.toContain('"k"');
    expect(text).not.toContain(String(k.ed.privateKey.d));
  });

  it('is an empty set for HS256-only key sets, and a fresh copy each call', async () => {
    const keys = await createKeySet({ signing: k.hs });
    expect(jwks(keys)).toEqual({ keys: [] });
    const asym = await createKeySet({ signing: k.ed });
    const first = jwks(asym);
    (first.keys as { kid?: string }[])[0]!.kid = 'tampered';
    expect(jwks(asym).keys[0]!.kid).toBe('ed-1');
  });

  it('lets another service check a token signature with nothing but the JWKS document', async () => {
    const keys = await createKeySet({
      signing: k.ed,
      verification: [{ kid: 'es-1', alg: 'ES256', publicKey: k.es.publicKey }],
    });
    const format = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, now: () => START });
    const token = await format.encode({
      id: '01KDX0000000000000000000AA',
      secret: 'S'.repeat(30),
      type: 'personal',
      tenant: 'acme',
      owner: 'alice',
      issuedAt: START,
      expiresAt: START + 3_600_000,
    });
    const remote = createLocalJWKSet(JSON.parse(JSON.stringify(jwks(keys))));
    const { payload, protectedHeader } = await jwtVerify(token, remote, {
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(START + 1000),
    });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: 'ed-1', typ: 'tw+jwt' });
    expect(payload.jti).toBe('01KDX0000000000000000000AA');
  });
});
