/**
 * Properties over many generated inputs: any single-character change of a
 * JWT is refused, and no input whatsoever makes the format or the session
 * codec throw anything but a `TokenError`.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenError } from '../../src/core/errors.js';
import type { SessionCodec, TokenFormat } from '../../src/core/format-types.js';
import { createKeySet, type JwtAlgorithm, jwtFormat, jwtSessionCodec } from '../../src/jwt/index.js';
import { AUDIENCE, ISSUER, type Keys, makeKeys, START } from './helpers.js';

const CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u0000é';

let k: Keys;
const formats = new Map<JwtAlgorithm, { format: TokenFormat; codec: SessionCodec; token: string; session: string }>();

beforeAll(async () => {
  k = await makeKeys();
  for (const alg of ['HS256', 'EdDSA', 'ES256'] as const) {
    const keys = await createKeySet({ signing: alg === 'HS256' ? k.hs : alg === 'EdDSA' ? k.ed : k.es });
    const now = () => START + 1000;
    const format = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, now });
    const codec = jwtSessionCodec({ keys, issuer: ISSUER, audience: AUDIENCE, now });
    const token = await format.encode({
      id: '01KDX0000000000000000000AA',
      secret: 'abcdefghijklmnopqrstuvwxyz0123',
      type: 'personal',
      tenant: 'acme',
      owner: 'alice',
      issuedAt: START,
      expiresAt: START + 86_400_000,
    });
    const session = await codec.sign({
      sessionId: '01KDX0000000000000000000SS',
      parentId: '01KDX0000000000000000000AA',
      tenant: 'acme',
      parentRotatedAt: null,
      issuedAt: START,
      expiresAt: START + 900_000,
    });
    formats.set(alg, { format, codec, token, session });
  }
});

/** 'accepted', 'not-mine' (null), or the TokenError code; anything else fails the property. */
async function outcome(parse: () => unknown): Promise<string> {
  try {
    return (await parse()) === null ? 'not-mine' : 'accepted';
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

const edit = (text: string, index: number, replacement: string): string =>
  text.slice(0, index) + replacement + text.slice(index + 1);

describe.each(['HS256', 'EdDSA', 'ES256'] as const)('%s', (alg) => {
  it('refuses every single-character change of a token and of a session', async () => {
    const { format, codec, token, session } = formats.get(alg)!;
    expect(await outcome(() => format.parse(token))).toBe('accepted');
    expect(await outcome(() => codec.parse(session))).toBe('accepted');
    for (const [original, parse] of [
      [token, (s: string) => format.parse(s)],
      [session, (s: string) => codec.parse(s)],
    ] as const) {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: original.length - 1 }),
          fc.constantFrom(...CHARACTERS),
          async (index, replacement) => {
            fc.pre(original[index] !== replacement);
            const result = await outcome(() => parse(edit(original, index, replacement)));
            // Refused: either not recognised at all, or recognised and invalid. Never accepted, never "expired".
            expect(['not-mine', 'token_invalid']).toContain(result);
          },
        ),
        { numRuns: 300 },
      );
    }
  });

  it('refuses every deletion and every insertion of one character', async () => {
    const { format, token } = formats.get(alg)!;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: token.length }),
        fc.constantFrom(...CHARACTERS),
        fc.boolean(),
        async (index, ch, insert) => {
          const changed = insert
            ? token.slice(0, index) + ch + token.slice(index)
            : token.slice(0, index) + token.slice(index + 1);
          fc.pre(changed !== token);
          expect(['not-mine', 'token_invalid']).toContain(await outcome(() => format.parse(changed)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

it('never throws anything but a TokenError, whatever the input', async () => {
  const { format, codec, token } = formats.get('EdDSA')!;
  const [header] = token.split('.');
  const arbitraryJwt = fc
    .tuple(fc.string(), fc.string(), fc.string())
    .map(([a, b, c]) => [a, b, c].map((part) => Buffer.from(part).toString('base64url')).join('.'));
  const withOurHeader = fc
    .tuple(fc.json(), fc.base64String())
    .map(
      ([payload, signature]) =>
        `${header}.${Buffer.from(payload).toString('base64url')}.${signature.replace(/=/g, '')}`,
    );
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.string(), fc.string({ unit: 'binary' }), arbitraryJwt, withOurHeader),
      async (input) => {
        expect(['not-mine', 'token_invalid']).toContain(await outcome(() => format.parse(input)));
        expect(['not-mine', 'token_invalid']).toContain(await outcome(() => codec.parse(input)));
        expect(typeof format.looksLike(input)).toBe('boolean');
      },
    ),
    { numRuns: 500 },
  );
});
