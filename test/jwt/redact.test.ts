import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKeySet, jwtFormat, jwtSessionCodec, redactJwt } from '../../src/jwt/index.js';
import { AUDIENCE, decode, ISSUER, type Keys, makeKeys, START } from './helpers.js';

let k: Keys;
let token: string;
let prefixed: string;
let session: string;
const secret = 'abcdefghijklmnopqrstuvwxyz0123';

beforeAll(async () => {
  k = await makeKeys();
  const keys = await createKeySet({ signing: k.ed });
  const material = {
    id: '01KDX0000000000000000000AA',
    secret,
    type: 'personal' as const,
    tenant: 'acme',
    owner: 'alice',
    issuedAt: START,
    expiresAt: START + 86_400_000,
  };
  token = await jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE }).encode(material);
  prefixed = await jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, prefix: 'acme' }).encode(material);
  session = await jwtSessionCodec({ keys, issuer: ISSUER, audience: AUDIENCE }).sign({
    sessionId: '01KDX0000000000000000000SS',
    parentId: material.id,
    tenant: 'acme',
    parentRotatedAt: null,
    issuedAt: START,
    expiresAt: START + 900_000,
  });
});

describe('redactJwt', () => {
  it('keeps the header and hides claims and signature, in any surrounding text', () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const text = `auth failed for Bearer ${token}, retry with "${prefixed}" or session=${session};`;
    const out = redactJwt(text);
    expect(out).toBe(
      `auth failed for Bearer ${header}.[redacted], retry with "acme_${header}.[redacted]" or session=${session.split('.')[0]}.[redacted];`,
    );
    for (const hidden of [payload, signature, secret, session.split('.')[1]!]) expect(out).not.toContain(hidden);
    expect(decode(token).payload.secret).toBe(secret);
  });

  it('leaves text without JWTs unchanged', () => {
    for (const text of [
      '',
      'a.b.c',
      'version 1.2.3',
      'acme_p_01KDX0000000000000000000AA',
      'eyJ alone',
      'see eyJhbGci.x',
    ]) {
      expect(redactJwt(text)).toBe(text);
    }
    expect(redactJwt(42 as unknown as string)).toBe('');
  });

  it('never lets the secret through, whatever surrounds the token, even without a separator', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom('', ' ', '=', 'x', '_', '.'), (before, after, glue) => {
        const out = redactJwt(`${before}${glue}${token}${glue}${after}`);
        // Only a secret already in the surrounding text may appear.
        if (!before.includes(secret) && !after.includes(secret)) expect(out).not.toContain(secret);
        expect(out).not.toContain(token.split('.')[2]!);
      }),
    );
  });
});

it('takes linear time on hostile input (no regular-expression backtracking)', () => {
  const hostile = [
    'eyJ'.repeat(400_000),
    'eyJ.'.repeat(300_000),
    `${'a_'.repeat(300_000)}eyJ`,
    'eyJa.b'.repeat(200_000),
  ];
  const started = performance.now();
  for (const text of hostile) expect(typeof redactJwt(text)).toBe('string');
  expect(performance.now() - started).toBeLessThan(2000);
  expect(redactJwt('eyJa.b.c.d')).toBe('eyJa.[redacted].d');
  expect(redactJwt('x.eyJa.b.c')).toBe('x.eyJa.[redacted]');
  expect(redactJwt('eyJa..c')).toBe('eyJa..c');
});
