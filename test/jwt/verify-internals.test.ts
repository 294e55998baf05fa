/**
 * The internal checks on their own, where a layer of jose would otherwise hide
 * a missing one of ours: jose refuses a key of the wrong type for `alg`, so
 * the per-kid algorithm pin is proven here directly.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { createKeySet } from '../../src/jwt/index.js';
import { type KeyMaterial, keyMaterial } from '../../src/jwt/keys.js';
import { compactJwtOfTyp, hasCompactShape, headerTyp, selectKey } from '../../src/jwt/verify.js';
import { b64url, type Keys, makeKeys } from './helpers.js';

let k: Keys;
let material: KeyMaterial;
beforeAll(async () => {
  k = await makeKeys();
  material = keyMaterial(
    await createKeySet({
      signing: k.ed,
      verification: [k.hs, { kid: 'es-1', alg: 'ES256', publicKey: k.es.publicKey }],
    }),
  );
});

describe('selectKey', () => {
  it('returns the key the kid names when alg is exactly its algorithm', () => {
    expect(selectKey(material, { alg: 'EdDSA', kid: 'ed-1' })).toBe(material.byKid.get('ed-1')!.key);
    expect(selectKey(material, { alg: 'HS256', kid: 'hs-1' })).toBe(material.byKid.get('hs-1')!.key);
    expect(selectKey(material, { alg: 'ES256', kid: 'es-1' })).toBe(material.byKid.get('es-1')!.key);
  });

  it.each([
    ['HS256', 'ed-1'],
    ['HS256', 'es-1'],
    ['EdDSA', 'hs-1'],
    ['EdDSA', 'es-1'],
    ['ES256', 'ed-1'],
    ['ES256', 'hs-1'],
    ['Ed25519', 'ed-1'],
    ['none', 'ed-1'],
    ['hs256', 'hs-1'],
  ])('refuses alg %s under kid %s', (alg, kid) => {
    expect(() => selectKey(material, { alg, kid })).toThrow(TokenError);
  });

  it.each<unknown>([undefined, '', 'x'.repeat(65), 'missing', '__proto__', 'constructor', 7, null])(
    'refuses kid %s',
    (kid) => {
      expect(() => selectKey(material, { alg: 'EdDSA', kid } as never)).toThrow(TokenError);
    },
  );
});

describe('hasCompactShape', () => {
  it('accepts three canonical base64url segments and nothing else', () => {
    const ok = `${b64url('{"a":1}')}.${b64url('{}')}.${b64url(new Uint8Array([1, 2, 3, 4]))}`;
    expect(hasCompactShape(ok)).toBe(true);
    for (const bad of [
      'a.b',
      'a.b.c.d',
      '.b.c',
      'a..c',
      'a.b.',
      'a=.b.c',
      'a.b.c ',
      'a.b+.c',
      'a.b/.c',
      'AAAAA.b.c',
      'AB.b.c',
      'AA.AA.AA.AA',
      'AA.AA.AA.',
    ]) {
      expect(hasCompactShape(bad), bad).toBe(false);
    }
    // 'AA' and 'AAA' are canonical (zero unused bits); 'AB' and 'AAB' are not.
    expect(hasCompactShape('AA.AAA.AAAA')).toBe(true);
    expect(hasCompactShape('AA.AAB.AAAA')).toBe(false);
    expect(hasCompactShape(`${'A'.repeat(8190)}.A.A`)).toBe(false);
  });

  /** The regular expression and per-segment check that hasCompactShape replaced, as the plain reference. */
  const plainShape = (token: string): boolean => {
    const canonical = (segment: string): boolean => {
      const rest = segment.length % 4;
      if (rest === 0) return true;
      if (rest === 1) return false;
      const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(segment.at(-1)!);
      return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
    };
    if (token.length > 8192 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return false;
    return token.split('.').every(canonical);
  };

  it('answers exactly as the regular expression it replaced, for any string', () => {
    const unit = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') },
      { weight: 3, arbitrary: fc.constant('.') },
      { weight: 1, arbitrary: fc.constantFrom('=', '+', '/', ' ', '\n', 'é', '\u0100', '\u{1F600}', '\u0000') },
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40, size: 'max' }), (token) => {
        expect(hasCompactShape(token)).toBe(plainShape(token));
      }),
      { numRuns: 20_000 },
    );
    for (const length of [8189, 8190, 8191, 8192, 8193]) {
      const token = `${'A'.repeat(length - 8)}.AAAA.AA`;
      expect(token).toHaveLength(length);
      expect(hasCompactShape(token)).toBe(plainShape(token));
    }
  });
});

describe('headerTyp', () => {
  it('reads typ for routing only, and never throws', () => {
    expect(headerTyp(`${b64url('{"typ":"TW+JWT"}')}.x.y`)).toBe('tw+jwt');
    expect(headerTyp(`${b64url('{"alg":"HS256"}')}.x.y`)).toBeNull();
    expect(headerTyp(`${b64url('not json')}.x.y`)).toBeNull();
    expect(headerTyp(`${b64url(new Uint8Array([0xff, 0xfe]))}.x.y`)).toBeNull();
    expect(headerTyp('!!!.x.y')).toBeNull();
    expect(headerTyp('.x.y')).toBeNull();
  });
});

describe('compactJwtOfTyp', () => {
  it('knows in advance the exact header segment our tokens are signed with (its fast path)', async () => {
    const { jwtFormat } = await import('../../src/jwt/format.js');
    const keys = await createKeySet({ signing: k.es });
    const token = await jwtFormat({ keys, issuer: 'i', audience: 'a' }).encode({
      id: '01KDX0000000000000000000AA',
      secret: 'S'.repeat(30),
      type: 'personal',
      tenant: 'acme',
      owner: 'alice',
      issuedAt: Date.now(),
      expiresAt: Date.now() + 60_000,
    });
    expect(token.split('.')[0]).toBe(b64url(JSON.stringify({ alg: 'ES256', kid: 'es-1', typ: 'tw+jwt' })));
    const matches = compactJwtOfTyp(keyMaterial(keys), 'tw+jwt');
    expect(matches(token)).toBe(true);
    // Headers it does not know are still read, and judged by their typ.
    expect(matches(`${b64url('{"typ":"tw+jwt","alg":"ES256"}')}.xA.yA`)).toBe(true);
    expect(matches(`${b64url('{"typ":"JWT","alg":"ES256"}')}.xA.yA`)).toBe(false);
    expect(compactJwtOfTyp(keyMaterial(keys), 'tw-session+jwt')(token)).toBe(false);
    // A known header does not excuse the rest of the string from the shape check.
    expect(matches(`${token.split('.')[0]}.xA.y=`)).toBe(false);
    expect(matches(`${token.split('.')[0]}.xB.yA`)).toBe(false);
    expect(matches(7 as never)).toBe(false);
  });

  it('answers exactly hasCompactShape(jwt) && headerTyp(jwt) === typ, known headers or not', () => {
    const known = (typ: string): string[] =>
      [...material.byKid.values()].map((entry) => b64url(JSON.stringify({ alg: entry.alg, kid: entry.kid, typ })));
    const header = fc.oneof(
      fc.constantFrom(...known('tw+jwt'), ...known('tw-session+jwt')),
      fc.constantFrom(b64url('{"typ":"tw+jwt"}'), b64url('{"typ":"TW-SESSION+JWT"}'), b64url('{"alg":"HS256"}')),
      fc.string({ maxLength: 12 }),
    );
    const unit = fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') },
      { weight: 2, arbitrary: fc.constant('.') },
      { weight: 1, arbitrary: fc.constantFrom('=', '+', ' ', 'é') },
    );
    const rest = fc.string({ unit, maxLength: 24 });
    const plain = (jwt: string, typ: string): boolean => hasCompactShape(jwt) && headerTyp(jwt) === typ;
    fc.assert(
      fc.property(header, fc.constantFrom('.', ''), rest, (head, dot, tail) => {
        const jwt = `${head}${dot}${tail}`;
        for (const typ of ['tw+jwt', 'tw-session+jwt']) {
          expect(compactJwtOfTyp(material, typ)(jwt)).toBe(plain(jwt, typ));
        }
      }),
      { numRuns: 5_000 },
    );
    const long = `${known('tw+jwt')[0]}.${'A'.repeat(8192)}.AA`;
    expect(compactJwtOfTyp(material, 'tw+jwt')(long)).toBe(false);
  });
});
