/**
 * The fast path proven equal to the plain one (issue 12): `verifyJwt` checks
 * the claims itself after jose's `compactVerify`, instead of handing them to
 * `jose.jwtVerify`. For tokens signed with every mix of right, wrong,
 * missing and mistyped claims and headers, it must accept exactly the tokens
 * the plain path accepted (`jwtVerify` with our options, then our strict
 * `exp` and `iat` rules), with the same payload, and refuse the others with
 * the same code.
 */
import fc from 'fast-check';
import { errors, type JWTPayload, jwtVerify } from 'jose';
import { beforeAll, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import { REQUIRED_CLAIMS } from '../../src/jwt/claims.js';
import { createKeySet } from '../../src/jwt/index.js';
import { type KeyMaterial, keyMaterial } from '../../src/jwt/keys.js';
import { type JwtCheck, SESSION_TYP, selectKey, TOKEN_TYP, verifyJwt } from '../../src/jwt/verify.js';
import { AUDIENCE, b64url, forge, ISSUER, type Keys, makeKeys, rawSign, type Signer, START } from './helpers.js';

const NOW_S = Math.floor(START / 1000);
const TOLERANCE = 5;

let keys: Keys;
let material: KeyMaterial;
let check: JwtCheck;
beforeAll(async () => {
  keys = await makeKeys();
  material = keyMaterial(
    await createKeySet({
      signing: keys.hs,
      verification: [{ kid: 'ed-1', alg: 'EdDSA', publicKey: keys.ed.publicKey }],
    }),
  );
  check = { material, issuer: ISSUER, audience: AUDIENCE, typ: TOKEN_TYP, clockTolerance: TOLERANCE, now: () => START };
});

/** The plain path, as verifyJwt was before: jose.jwtVerify with our options, then our two strict rules. */
async function plainVerify(token: string, options: JwtCheck): Promise<JWTPayload> {
  const nowMs = options.now();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, (header) => selectKey(options.material, header), {
      issuer: options.issuer,
      audience: options.audience,
      typ: options.typ,
      requiredClaims: REQUIRED_CLAIMS as string[],
      clockTolerance: options.clockTolerance,
      currentDate: new Date(nowMs),
      algorithms: options.material.algorithms as string[],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new TokenError('token_expired', 'token has expired');
    throw new TokenError('token_invalid', 'token is invalid');
  }
  const nowSeconds = Math.floor(nowMs / 1000);
  if (typeof payload.exp !== 'number' || payload.exp <= nowSeconds) {
    throw new TokenError('token_expired', 'token has expired');
  }
  if (typeof payload.iat !== 'number' || payload.iat > nowSeconds + options.clockTolerance) {
    throw new TokenError('token_invalid', 'token is invalid');
  }
  return payload;
}

async function outcome(run: () => Promise<JWTPayload>): Promise<string> {
  try {
    return `accepted ${JSON.stringify(await run())}`;
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

/** A time near now, in seconds: around the tolerance and the second boundaries. */
const time = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -8, max: 8 }).map((d) => NOW_S + d) },
  { weight: 2, arbitrary: fc.constantFrom(NOW_S + 86_400, 2 ** 53, -1, 0.5) },
);
/** Values of the wrong kind for any claim or header. */
const odd = fc.constantFrom<unknown>(undefined, null, 'x', true, [], {}, 7);

/**
 * Claims that are right but for their times, with up to three of them
 * replaced by a wrong value, a value of the wrong kind, or nothing: most
 * sets differ from an accepted one in one or two places, where a difference
 * between the two paths would show.
 */
const claims = fc.record({ exp: time, nbf: time, iat: time }).chain((times) =>
  fc
    .oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      {
        weight: 2,
        arbitrary: fc.array(
          fc.oneof(
            fc.record({
              key: fc.constantFrom('iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub', 'extra'),
              value: odd,
            }),
            fc.record({
              key: fc.constant('iss'),
              value: fc.constantFrom<unknown>(`${ISSUER}/`, [ISSUER], ISSUER.toUpperCase()),
            }),
            fc.record({
              key: fc.constant('aud'),
              value: fc.constantFrom<unknown>([AUDIENCE], ['other', AUDIENCE], ['other'], 'other', [AUDIENCE, 5]),
            }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
      },
    )
    .map((changes) => {
      const set: Record<string, unknown> = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', jti: 'j-1', ...times };
      for (const { key, value } of changes) set[key] = value;
      return Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
    }),
);

/** Our header, with its `typ` spelled another way or replaced, or another key, algorithm or extension. */
const header = fc.record({
  typ: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom<unknown>(TOKEN_TYP, 'TW+JWT', 'application/tw+jwt', 'Application/TW+jwt') },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(SESSION_TYP, 'jwt', 'tw+jwt ', 'application/jwt') },
    { weight: 1, arbitrary: odd },
  ),
  kid: fc.oneof(
    { weight: 12, arbitrary: fc.constant('hs-1') },
    { weight: 1, arbitrary: fc.constantFrom('ed-1', 'nope') },
  ),
  alg: fc.oneof(
    { weight: 16, arbitrary: fc.constant('HS256') },
    { weight: 1, arbitrary: fc.constantFrom('EdDSA', 'HS384', 'none') },
  ),
  crit: fc.oneof(
    { weight: 12, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(['b64'], ['exp']) },
  ),
  b64: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.boolean() }),
});

/** The signer an attacker without our keys, or one with them, would use for `alg`. */
function signer(alg: unknown): Signer {
  if (alg === 'none') return { alg: 'none' };
  if (alg === 'HS384') return { alg: 'HS384', secret: keys.hs.secret };
  return { alg: 'HS256', secret: keys.hs.secret };
}

/** A signed token; with `b64: false` and `crit: ["b64"]` its payload segment is the raw text (RFC 7797). */
async function sign(head: Record<string, unknown>, body: Record<string, unknown> | string): Promise<string> {
  const clean = Object.fromEntries(Object.entries(head).filter(([, value]) => value !== undefined));
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (clean.b64 !== false) return forge(clean, text, signer(clean.alg));
  const input = `${b64url(JSON.stringify(clean))}.${b64url(text)}`;
  return `${input}.${b64url(await rawSign(input, signer(clean.alg)))}`;
}

it('accepts and refuses every signed claim set exactly as jwtVerify plus our strict rules did', async () => {
  await fc.assert(
    fc.asyncProperty(header, claims, async (head, payload) => {
      const token = await sign(head, payload);
      expect(await outcome(() => verifyJwt(token, check))).toBe(await outcome(() => plainVerify(token, check)));
    }),
    { numRuns: 1500 },
  );
});

it('accepts the tokens our own format writes, on the fast path and the plain one alike', async () => {
  const body = { iss: ISSUER, aud: AUDIENCE, sub: 'alice', jti: 'j', iat: NOW_S, nbf: NOW_S, exp: NOW_S + 60 };
  const token = await sign({ alg: 'HS256', kid: 'hs-1', typ: TOKEN_TYP }, body);
  expect(await outcome(() => verifyJwt(token, check))).toBe(`accepted ${JSON.stringify(body)}`);
  expect(await outcome(() => plainVerify(token, check))).toBe(`accepted ${JSON.stringify(body)}`);
});

it.each([
  ['an array', '[1,2]'],
  ['a string', '"claims"'],
  ['a number', '5'],
  ['null', 'null'],
  ['broken JSON', '{"iss":'],
  ['an object with a prototype trick', '{"__proto__":{"iss":"x"}}'],
])('refuses a payload that is %s, as jwtVerify did', async (_label, text) => {
  const token = await sign({ alg: 'HS256', kid: 'hs-1', typ: TOKEN_TYP }, text);
  expect(await outcome(() => verifyJwt(token, check))).toBe(await outcome(() => plainVerify(token, check)));
  expect(await outcome(() => verifyJwt(token, check))).toBe('token_invalid');
});

it('refuses an unencoded payload (RFC 7797 b64: false), as jwtVerify did', async () => {
  // Names without dots, so that the raw JSON fits in the middle segment of a compact token.
  const plain = { ...check, issuer: 'issuer-a', audience: 'audience-b' };
  const head = { alg: 'HS256', kid: 'hs-1', typ: TOKEN_TYP, crit: ['b64'], b64: false };
  const body = { iss: 'issuer-a', aud: 'audience-b', sub: 'alice', jti: 'j', iat: NOW_S, nbf: NOW_S, exp: NOW_S + 60 };
  const sign = async (input: string) => `${input}.${b64url(await rawSign(input, signer('HS256')))}`;
  const unencoded = await sign(`${b64url(JSON.stringify(head))}.${JSON.stringify(body)}`);
  expect(await outcome(() => plainVerify(unencoded, plain))).toBe('token_invalid');
  expect(await outcome(() => verifyJwt(unencoded, plain))).toBe('token_invalid');
  // The same claims, encoded, are accepted: the refusal is the encoding's.
  const encoded = await sign(`${b64url(JSON.stringify({ ...head, b64: true }))}.${b64url(JSON.stringify(body))}`);
  expect(await outcome(() => verifyJwt(encoded, plain))).toBe(`accepted ${JSON.stringify(body)}`);
});
