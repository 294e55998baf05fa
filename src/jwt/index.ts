/**
 * `tokenward/jwt`: signed-JWT token strings and session tokens on jose, with
 * signing-key rotation and a public JWKS document. Runs on any runtime with
 * Web Crypto.
 *
 * @example
 * ```ts
 * import { createKeySet, generateSigningKey, jwks, jwtFormat, jwtSessionCodec } from 'tokenward/jwt';
 * ```
 *
 * @packageDocumentation
 */
export { type JwtFormatOptions, jwtFormat, MASTER_TOKEN_EXP_SECONDS, TOKEN_TYP } from './format.js';
export {
  type GeneratedHmacKey,
  type GeneratedKeyPair,
  type GeneratedSigningKey,
  type GenerateSigningKeyOptions,
  generateSigningKey,
} from './generate.js';
export {
  type AsymmetricSigningKeyInput,
  createKeySet,
  type HmacKeyInput,
  JWT_ALGORITHMS,
  type JwksDocument,
  type JwtAlgorithm,
  jwks,
  type KeyDescription,
  type KeySet,
  type KeySetOptions,
  type PublicKeyInput,
  type SigningKeyInput,
  type VerificationKeyInput,
} from './keys.js';
export { redactJwt } from './redact.js';
export { type JwtSessionCodecOptions, jwtSessionCodec, SESSION_TYP } from './session.js';
export { DEFAULT_CLOCK_TOLERANCE, MAX_CLOCK_TOLERANCE, MAX_JWT_LENGTH } from './verify.js';
