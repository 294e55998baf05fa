/**
 * Header attacks: keys offered by the token itself (`jku`, `x5u`, `x5c`,
 * `jwk`) are never fetched or trusted, and `kid` is untrusted input: bounded
 * and only looked up in the key set's own map.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSigningKey, jwtFormat } from '../../src/jwt/index.js';
import {
  AUDIENCE,
  expectRefused,
  forge,
  ISSUER,
  type Keys,
  makeKeys,
  parseOutcome,
  privateCryptoKey,
  type Target,
  target,
} from './helpers.js';

let k: Keys;
let t: Target;
let attacker: Awaited<ReturnType<typeof generateSigningKey<'EdDSA'>>>;
let attackerKey: CryptoKey;
let server: Server;
let requests = 0;
let jwksUrl: string;

beforeAll(async () => {
  k = await makeKeys();
  t = await target({ signing: k.ed, verification: [k.hs] });
  attacker = await generateSigningKey('EdDSA', { kid: 'attacker' });
  attackerKey = await privateCryptoKey(attacker);
  // A real server the attacker controls, holding their key: it must never be asked.
  server = createServer((_req, res) => {
    requests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [{ ...attacker.publicKey, kid: 'ed-1', alg: 'EdDSA' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('keys offered by the token', () => {
  it('the attacker server really answers (so zero requests below means zero fetches)', async () => {
    const before = requests;
    const response = await fetch(jwksUrl);
    expect((await response.json()) as unknown).toHaveProperty('keys');
    expect(requests).toBe(before + 1);
  });

  it('ignores jku, x5u, x5c and an embedded jwk: a token signed by the key they point to is refused, nothing is fetched', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const before = requests;
    const offered = [
      { jku: jwksUrl },
      { x5u: jwksUrl },
      { jwk: { ...attacker.publicKey, kid: 'ed-1' } },
      { jwk: attacker.publicKey, jku: jwksUrl, x5u: jwksUrl },
      { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] },
    ];
    try {
      for (const extra of offered) {
        for (const kid of ['ed-1', 'attacker', undefined]) {
          const header = { alg: 'EdDSA', typ: 'tw+jwt', ...extra, ...(kid === undefined ? {} : { kid }) };
          await expectRefused(
            t,
            await forge(header, t.claims, { alg: 'EdDSA', privateKey: attackerKey }),
            'token_invalid',
          );
        }
      }
      expect(fetchSpy).not.toHaveBeenCalled();
      expect(requests).toBe(before);
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('does not let those headers stop a token that our own key signed (they are ignored, not obeyed)', async () => {
    const ours = await privateCryptoKey(k.ed);
    const before = requests;
    const token = await forge({ ...t.header, jku: jwksUrl, jwk: attacker.publicKey }, t.claims, {
      alg: 'EdDSA',
      privateKey: ours,
    });
    expect((await t.service.verify(token)).tokenId).toBe(t.tokenId);
    expect(requests).toBe(before);
  });
});

describe('hostile kid', () => {
  const hostile: [string, unknown][] = [
    ['path traversal', '../../../../etc/passwd'],
    ['an absolute path', '/dev/zero'],
    ['a Windows path', '..\\..\\keys\\ed-1'],
    ['SQL', "ed-1' OR '1'='1"],
    ['SQL comment', "x'; DROP TABLE tokens; --"],
    ['a URL', 'https://evil.test/key.pem'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['toString', 'toString'],
    ['hasOwnProperty', 'hasOwnProperty'],
    ['a NUL byte', 'ed-1\u0000'],
    ['our kid in other case', 'ED-1'],
    ['our kid with a space', 'ed-1 '],
    ['65 characters', 'a'.repeat(65)],
    ['an empty string', ''],
    ['a number', 1],
    ['null', null],
    ['an object', { kid: 'ed-1' }],
    ['an array', ['ed-1']],
  ];

  it.each(hostile)('refuses %s, even when the signature is ours', async (_name, kid) => {
    const ours = await privateCryptoKey(k.ed);
    const token = await forge({ ...t.header, kid }, t.claims, { alg: 'EdDSA', privateKey: ours });
    await expectRefused(t, token, 'token_invalid');
  });

  it('refuses a token with no kid at all, even when the signature is ours', async () => {
    const { kid: _kid, ...header } = t.header;
    const token = await forge(header, t.claims, { alg: 'EdDSA', privateKey: await privateCryptoKey(k.ed) });
    await expectRefused(t, token, 'token_invalid');
  });

  it('refuses a 10 KB kid before looking at it, through the service and through the format alone', async () => {
    const token = await forge({ ...t.header, kid: 'k'.repeat(10 * 1024) }, t.claims, {
      alg: 'EdDSA',
      privateKey: await privateCryptoKey(k.ed),
    });
    expect(token.length).toBeGreaterThan(10 * 1024);
    await expectRefused(t, token, 'token_invalid');
    const format = jwtFormat({ keys: t.keys, issuer: ISSUER, audience: AUDIENCE, now: t.clock.now });
    expect(['not-mine', 'token_invalid']).toContain(await parseOutcome(format, token));
  });

  it('refuses a 4000-character kid inside a token short enough to be parsed (the kid limit itself)', async () => {
    const format = jwtFormat({ keys: t.keys, issuer: ISSUER, audience: AUDIENCE, now: t.clock.now });
    const token = await forge({ ...t.header, kid: 'k'.repeat(4000) }, t.claims, {
      alg: 'EdDSA',
      privateKey: await privateCryptoKey(k.ed),
    });
    expect(await parseOutcome(format, token)).toBe('token_invalid');
  });
});
