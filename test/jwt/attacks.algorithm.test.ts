/**
 * Algorithm attacks: `alg: none`, the HS256/public-key confusion, and any
 * algorithm other than the one pinned to the key the `kid` names. Each
 * forged token carries the real `jti` and secret of a live token, so the
 * algorithm is the only thing wrong with it.
 */
import { exportSPKI, importJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KeySetOptions } from '../../src/jwt/index.js';
import { b64url, expectRefused, forge, type Keys, makeKeys, privateCryptoKey, type Target, target } from './helpers.js';

let k: Keys;
let asymmetricOnly: Target;
let mixed: Target;

beforeAll(async () => {
  k = await makeKeys();
  const publicOnly = (key: Keys['es']) => ({ kid: key.kid, alg: key.alg, publicKey: key.publicKey });
  asymmetricOnly = await target({ signing: k.ed, verification: [publicOnly(k.es)] });
  // HS256 is in this set's algorithm list: only the per-kid pin stops a confused HS256 token.
  const mixedKeys: KeySetOptions = { signing: k.ed, verification: [k.hs, publicOnly(k.es)] };
  mixed = await target(mixedKeys);
});

describe('the token under attack', () => {
  it('is accepted as issued (so every refusal below is due to the attack alone)', async () => {
    expect((await asymmetricOnly.service.verify(asymmetricOnly.token)).tokenId).toBe(asymmetricOnly.tokenId);
    expect((await mixed.service.verify(mixed.token)).tokenId).toBe(mixed.tokenId);
  });
});

describe('alg: none', () => {
  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s with an empty signature', async (alg) => {
    for (const t of [asymmetricOnly, mixed]) {
      const token = await forge({ ...t.header, alg }, t.claims, { alg: 'none' });
      expect(token.endsWith('.')).toBe(true);
      await expectRefused(t, token, 'token_invalid');
    }
  });

  it('refuses alg none with a junk signature, and an unsigned token with the real signature of another token', async () => {
    for (const t of [asymmetricOnly, mixed]) {
      await expectRefused(
        t,
        `${await forge({ ...t.header, alg: 'none' }, t.claims, { alg: 'none' })}AAAA`,
        'token_invalid',
      );
      const realSignature = t.token.split('.')[2]!;
      const [h, p] = (await forge({ ...t.header, alg: 'none' }, t.claims, { alg: 'none' })).split('.');
      await expectRefused(t, `${h}.${p}.${realSignature}`, 'token_invalid');
    }
  });
});

describe('HS256 signed with the public key as the HMAC secret', () => {
  const publicKeyBytes = async (): Promise<[string, string | Uint8Array][]> => {
    const cryptoKey = (await importJWK({ ...k.ed.publicKey, ext: true }, 'EdDSA')) as CryptoKey;
    const pem = await exportSPKI(cryptoKey);
    return [
      ['SPKI PEM', pem],
      ['SPKI PEM without final newline', pem.trimEnd()],
      ['public JWK JSON', JSON.stringify(k.ed.publicKey)],
      ['raw public key bytes', new Uint8Array(Buffer.from(String(k.ed.publicKey.x), 'base64url'))],
      ['x member text', String(k.ed.publicKey.x)],
    ];
  };

  it('refuses every spelling of the public key, under the EdDSA kid, another kid, or none', async () => {
    for (const t of [asymmetricOnly, mixed]) {
      for (const [, secret] of await publicKeyBytes()) {
        for (const kid of ['ed-1', 'hs-1', undefined]) {
          const header = { alg: 'HS256', typ: 'tw+jwt', ...(kid === undefined ? {} : { kid }) };
          await expectRefused(t, await forge(header, t.claims, { alg: 'HS256', secret }), 'token_invalid');
        }
      }
    }
  });
});

describe('an algorithm other than the one pinned to the kid', () => {
  it('refuses RS256 signed by an attacker key under our kid', async () => {
    const rsa = (await crypto.subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    for (const kid of ['ed-1', 'es-1', 'hs-1']) {
      const token = await forge({ alg: 'RS256', kid, typ: 'tw+jwt' }, mixed.claims, {
        alg: 'RS256',
        privateKey: rsa.privateKey,
      });
      await expectRefused(mixed, token, 'token_invalid');
    }
  });

  it('refuses HS384 and HS512 even when signed with our real HS256 secret', async () => {
    for (const alg of ['HS384', 'HS512'] as const) {
      const token = await forge({ alg, kid: 'hs-1', typ: 'tw+jwt' }, mixed.claims, { alg, secret: k.hs.secret });
      await expectRefused(mixed, token, 'token_invalid');
    }
  });

  it('refuses a correct signature under the wrong kid (algorithm of another key)', async () => {
    const ed = await privateCryptoKey(k.ed);
    const es = await privateCryptoKey(k.es);
    // Ed25519 signature, header says ES256 or HS256 under kids of those algorithms.
    await expectRefused(
      mixed,
      await forge({ alg: 'EdDSA', kid: 'es-1', typ: 'tw+jwt' }, mixed.claims, { alg: 'EdDSA', privateKey: ed }),
      'token_invalid',
    );
    await expectRefused(
      mixed,
      await forge({ alg: 'EdDSA', kid: 'hs-1', typ: 'tw+jwt' }, mixed.claims, { alg: 'EdDSA', privateKey: ed }),
      'token_invalid',
    );
    // Real ES256 signature declared EdDSA under the ES kid.
    await expectRefused(
      mixed,
      await forge({ alg: 'EdDSA', kid: 'es-1', typ: 'tw+jwt' }, mixed.claims, { alg: 'ES256', privateKey: es }),
      'token_invalid',
    );
    // Real HS256 signature under the EdDSA kid.
    await expectRefused(
      mixed,
      await forge({ alg: 'HS256', kid: 'ed-1', typ: 'tw+jwt' }, mixed.claims, { alg: 'HS256', secret: k.hs.secret }),
      'token_invalid',
    );
  });

  it('refuses the fully-specified Ed25519 alg name and case variants: only the exact pinned name counts', async () => {
    const ed = await privateCryptoKey(k.ed);
    for (const alg of ['Ed25519', 'eddsa', 'EDDSA']) {
      const token = await forge({ alg, kid: 'ed-1', typ: 'tw+jwt' }, mixed.claims, { alg: 'EdDSA', privateKey: ed });
      await expectRefused(mixed, token, 'token_invalid');
    }
    // The control: the same forge with the exact name is accepted.
    const control = await forge({ alg: 'EdDSA', kid: 'ed-1', typ: 'tw+jwt' }, mixed.claims, {
      alg: 'EdDSA',
      privateKey: ed,
    });
    expect((await mixed.service.verify(control)).tokenId).toBe(mixed.tokenId);
  });

  it('refuses a header that is not JSON, or whose alg is not a string', async () => {
    const [, payload, signature] = mixed.token.split('.');
    for (const header of [
      'not json',
      '[]',
      '{"alg":1,"kid":"ed-1","typ":"tw+jwt"}',
      '{"alg":null,"kid":"ed-1","typ":"tw+jwt"}',
    ]) {
      await expectRefused(mixed, `${b64url(header)}.${payload}.${signature}`, 'token_invalid');
    }
  });
});
