/**
 * A revoked token stays revoked however its string is re-spelled: other
 * encodings of the same signature are refused at the format, and variants
 * that do verify (an ECDSA signature's malleable twin, a payload re-signed by
 * a key holder) are refused by the repository, because revocation is keyed by
 * `jti`, not by the string.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { jwtFormat } from '../../src/jwt/index.js';
import {
  ALICE,
  AUDIENCE,
  b64url,
  expectRefused,
  forge,
  fromB64url,
  ISSUER,
  type Keys,
  makeKeys,
  privateCryptoKey,
  type Target,
  target,
} from './helpers.js';

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const ED25519_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

function bigEndian(bytes: Uint8Array): bigint {
  return bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
}

function toBigEndian(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** The other valid ECDSA signature of the same message: (r, n - s). */
function malleateEs256(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const signature = fromB64url(s);
  const r = signature.slice(0, 32);
  const sValue = bigEndian(signature.slice(32));
  const twin = new Uint8Array(64);
  twin.set(r, 0);
  twin.set(toBigEndian(P256_ORDER - sValue, 32), 32);
  return `${h}.${p}.${b64url(twin)}`;
}

/** Ed25519 with S + L: the same S modulo the group order, which RFC 8032 says to refuse. */
function nonCanonicalEd25519(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const signature = fromB64url(s);
  const sLittle = signature.slice(32).reverse();
  const bigger = toBigEndian(bigEndian(sLittle) + ED25519_ORDER, 32).reverse();
  const out = new Uint8Array(64);
  out.set(signature.slice(0, 32), 0);
  out.set(bigger, 32);
  return `${h}.${p}.${b64url(out)}`;
}

/** Same bytes, different text: the unused low bits of the last base64url character set. */
function dirtyLastCharacter(token: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(token.at(-1)!);
  const unusedBits = token.split('.')[2]!.length % 4 === 2 ? 0x0f : 0x03;
  return token.slice(0, -1) + alphabet[last | unusedBits];
}

let k: Keys;
let es: Target;
let ed: Target;
let hs: Target;

beforeAll(async () => {
  k = await makeKeys();
  es = await target({ signing: k.es });
  ed = await target({ signing: k.ed });
  hs = await target({ signing: k.hs });
  for (const t of [es, ed, hs]) await t.service.revoke(t.tokenId, ALICE);
});

describe('a revoked token', () => {
  it('is refused as revoked in its original spelling', async () => {
    for (const t of [es, ed, hs]) await expectRefused(t, t.token, 'token_revoked');
  });

  it('ES256: the malleable twin signature verifies (same jti and secret) and is still refused as revoked', async () => {
    const twin = malleateEs256(es.token);
    expect(twin).not.toBe(es.token);
    const format = jwtFormat({ keys: es.keys, issuer: ISSUER, audience: AUDIENCE, now: es.clock.now });
    // The premise: the signature check alone does not tell the two strings apart.
    expect(await format.parse(twin)).toEqual(await format.parse(es.token));
    await expectRefused(es, twin, 'token_revoked');
  });

  it('EdDSA: S + L is not a second spelling: refused as invalid', async () => {
    await expectRefused(ed, nonCanonicalEd25519(ed.token), 'token_invalid');
  });

  it('refuses non-canonical base64url of the same signature bytes', async () => {
    for (const t of [es, ed, hs]) {
      const dirty = dirtyLastCharacter(t.token);
      expect(dirty).not.toBe(t.token);
      expect(fromB64url(dirty.split('.')[2]!)).toEqual(fromB64url(t.token.split('.')[2]!));
      await expectRefused(t, dirty, 'token_invalid');
    }
  });

  it('refuses padding, whitespace, standard base64 characters and extra dots', async () => {
    for (const t of [es, ed, hs]) {
      const [h, p, s] = t.token.split('.') as [string, string, string];
      const standard = (text: string) => text.replace(/-/g, '+').replace(/_/g, '/');
      const variants = [
        `${t.token}=`,
        `${t.token}==`,
        `${h}.${p}.${s} `,
        ` ${t.token}`,
        `${h}.${p}.${s.slice(0, 20)}\n${s.slice(20)}`,
        `${h}.${p}.${standard(s)}`,
        `${h}.${p}..${s}`,
        `${h}.${p}.${s}.`,
        `${h}..${p}.${s}`,
      ].filter((v) => v !== t.token);
      for (const variant of variants) await expectRefused(t, variant, 'token_invalid');
    }
  });

  it('re-signed variants of its claims (as only a key holder could make) are refused as revoked', async () => {
    const reordered = Object.fromEntries(Object.entries(hs.claims).reverse());
    const variants = [
      await forge(hs.header, reordered, { alg: 'HS256', secret: k.hs.secret }),
      await forge(hs.header, `${JSON.stringify(hs.claims, null, 2)}\n`, { alg: 'HS256', secret: k.hs.secret }),
      await forge({ typ: 'tw+jwt', kid: 'hs-1', alg: 'HS256' }, hs.claims, { alg: 'HS256', secret: k.hs.secret }),
      await forge(hs.header, { ...hs.claims, extra: 'x' }, { alg: 'HS256', secret: k.hs.secret }),
      await forge(
        hs.header,
        { ...hs.claims, exp: (hs.claims.exp as number) + 86_400 },
        { alg: 'HS256', secret: k.hs.secret },
      ),
    ];
    for (const variant of variants) {
      expect(variant).not.toBe(hs.token);
      await expectRefused(hs, variant, 'token_revoked');
    }
    const edVariant = await forge(
      ed.header,
      { ...ed.claims, nbf: ed.claims.iat },
      { alg: 'EdDSA', privateKey: await privateCryptoKey(k.ed) },
    );
    await expectRefused(ed, edVariant, 'token_revoked');
  });
});
