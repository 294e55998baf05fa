import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { TokenError } from '../core/errors.js';
import { optionsObject } from '../core/options.js';
import { type JwtAlgorithm, KID_PATTERN } from './keys.js';

/** A generated HS256 key: a random secret as text. */
export interface GeneratedHmacKey {
  readonly kid: string;
  readonly alg: 'HS256';
  /** 43 base64url characters (256 random bits), used as its UTF-8 bytes. */
  readonly secret: string;
}

/** A generated key pair as JWKs. */
export interface GeneratedKeyPair<A extends 'EdDSA' | 'ES256' = 'EdDSA' | 'ES256'> {
  readonly kid: string;
  readonly alg: A;
  readonly privateKey: JWK;
  readonly publicKey: JWK;
}

/** A freshly generated signing key, in a form that can be stored in a secret store as JSON. */
export type GeneratedSigningKey<A extends JwtAlgorithm = JwtAlgorithm> = A extends 'HS256'
  ? GeneratedHmacKey
  : A extends 'EdDSA' | 'ES256'
    ? GeneratedKeyPair<A>
    : never;

/** Options of `generateSigningKey`. */
export interface GenerateSigningKeyOptions {
  /** The key id (default: the RFC 7638 thumbprint for key pairs, 16 random characters for HS256). */
  readonly kid?: string;
}

/**
 * Generates a signing key for `createKeySet`:
 * - `HS256`: a 256-bit random secret as 43 base64url characters (used as its UTF-8 bytes);
 * - `EdDSA`: an Ed25519 key pair as JWKs;
 * - `ES256`: a P-256 key pair as JWKs.
 *
 * The result is plain JSON: keep it in a secret store and load it at start-up.
 * The private parts never leave it unless you put them somewhere.
 *
 * @example
 * ```ts
 * import { createKeySet, generateSigningKey } from 'tokenward/jwt';
 * const signing = await generateSigningKey('EdDSA', { kid: '2026-11' });
 * const keys = await createKeySet({ signing });
 * ```
 */
export async function generateSigningKey<A extends JwtAlgorithm>(
  alg: A,
  options: GenerateSigningKeyOptions = {},
): Promise<GeneratedSigningKey<A>> {
  const { kid: givenKid } = optionsObject(options, 'options', ['kid']);
  // The key must be usable as given: createKeySet would refuse any other kid later, far from here.
  if (givenKid !== undefined && (typeof givenKid !== 'string' || !KID_PATTERN.test(givenKid))) {
    throw new TokenError('invalid_request', 'kid must be 1-64 letters, digits or ._~:-', { field: 'kid' });
  }
  if (alg === 'HS256') {
    const secret = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
    const kid = (givenKid as string | undefined) ?? base64url.encode(crypto.getRandomValues(new Uint8Array(12)));
    return { kid, alg: 'HS256', secret } as GeneratedSigningKey<A>;
  }
  if (alg !== 'EdDSA' && alg !== 'ES256') {
    throw new TokenError('invalid_request', 'alg must be HS256, EdDSA or ES256', { field: 'alg' });
  }
  const pair = await generateKeyPair(
    alg,
    alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true },
  );
  const privateKey = await exportJWK(pair.privateKey);
  const publicKey = await exportJWK(pair.publicKey);
  const kid = (givenKid as string | undefined) ?? (await calculateJwkThumbprint(publicKey, 'sha256'));
  return { kid, alg, privateKey, publicKey } as GeneratedSigningKey<A>;
}
