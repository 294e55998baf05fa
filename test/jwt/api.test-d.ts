import type { JWK } from 'jose';
import { describe, expectTypeOf, it } from 'vitest';
import type { SessionCodec, TokenFormat } from '../../src/core/format-types.js';
import {
  createKeySet,
  type GeneratedHmacKey,
  type GeneratedKeyPair,
  generateSigningKey,
  type JwksDocument,
  type JwtAlgorithm,
  jwks,
  jwtFormat,
  jwtSessionCodec,
  type KeySet,
  type KeySetOptions,
  type SigningKeyInput,
} from '../../src/jwt/index.js';

describe('tokenward/jwt types', () => {
  it('generates keys whose type follows the algorithm, usable as signing keys', () => {
    expectTypeOf(generateSigningKey<'HS256'>).returns.resolves.toEqualTypeOf<GeneratedHmacKey>();
    expectTypeOf(generateSigningKey<'EdDSA'>).returns.resolves.toEqualTypeOf<GeneratedKeyPair<'EdDSA'>>();
    expectTypeOf<GeneratedKeyPair<'ES256'>['privateKey']>().toEqualTypeOf<JWK>();
    expectTypeOf<GeneratedHmacKey>().toMatchTypeOf<SigningKeyInput>();
    expectTypeOf<GeneratedKeyPair>().toMatchTypeOf<SigningKeyInput>();
  });

  it('builds key sets, formats and codecs that plug into the service options', () => {
    expectTypeOf(createKeySet).parameter(0).toEqualTypeOf<KeySetOptions>();
    expectTypeOf(createKeySet).returns.resolves.toEqualTypeOf<KeySet>();
    expectTypeOf(jwtFormat).returns.toEqualTypeOf<TokenFormat>();
    expectTypeOf(jwtSessionCodec).returns.toEqualTypeOf<SessionCodec>();
    expectTypeOf(jwks).returns.toEqualTypeOf<JwksDocument>();
    expectTypeOf<KeySet['signing']['alg']>().toEqualTypeOf<JwtAlgorithm>();
  });

  it('refuses a verification key that carries a private key, and an unknown algorithm', () => {
    const withPrivate: KeySetOptions['verification'] = [
      // @ts-expect-error verification keys are public keys or HMAC secrets
      { kid: 'b', alg: 'EdDSA', privateKey: {} },
    ];
    // @ts-expect-error only HS256, EdDSA and ES256
    const rsa: SigningKeyInput = { kid: 'a', alg: 'RS256', secret: 's' };
    expectTypeOf(withPrivate).toEqualTypeOf<KeySetOptions['verification']>();
    expectTypeOf(rsa).toEqualTypeOf<SigningKeyInput>();
  });
});
