import { exportJWK, importJWK, importPKCS8, importSPKI, type JWK } from 'jose';
import { isTokenError, TokenError } from '../core/errors.js';
import { listSnapshot, optionsObject } from '../core/options.js';

/** The signature algorithms tokenward signs and accepts. Nothing else is ever accepted. */
export type JwtAlgorithm = 'HS256' | 'EdDSA' | 'ES256';

/** Every supported algorithm, in a stable order. */
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'EdDSA', 'ES256'];

/**
 * A shared HMAC key. `secret` is used as bytes: a string counts as its UTF-8
 * bytes. At least 32 bytes (the size of the SHA-256 output, RFC 7518 §3.2).
 */
export interface HmacKeyInput {
  readonly kid: string;
  readonly alg: 'HS256';
  readonly secret: string | Uint8Array;
}

/** A key pair that signs (Ed25519 for `EdDSA`, P-256 for `ES256`). */
export interface AsymmetricSigningKeyInput {
  readonly kid: string;
  readonly alg: 'EdDSA' | 'ES256';
  /** A private JWK, a PKCS#8 PEM string, or a private `CryptoKey`. */
  readonly privateKey: JWK | string | CryptoKey;
  /**
   * The matching public key (JWK, SPKI PEM or `CryptoKey`). Optional when
   * `privateKey` is a JWK, since the public half is part of it.
   */
  readonly publicKey?: JWK | string | CryptoKey;
}

/** A public key that only verifies (a retired or not-yet-used signing key). */
export interface PublicKeyInput {
  readonly kid: string;
  readonly alg: 'EdDSA' | 'ES256';
  /** A public JWK, an SPKI PEM string, or a public `CryptoKey` (extractable, for the JWKS). */
  readonly publicKey: JWK | string | CryptoKey;
}

/** The key new tokens are signed with. */
export type SigningKeyInput = HmacKeyInput | AsymmetricSigningKeyInput;

/** A key that is accepted for verification only. */
export type VerificationKeyInput = HmacKeyInput | PublicKeyInput;

/** Options of `createKeySet`. */
export interface KeySetOptions {
  /** Signs every new token; also accepted for verification. */
  readonly signing: SigningKeyInput;
  /**
   * Further keys accepted for verification: the previous signing key while
   * tokens it signed are still alive, or the next one published ahead of use.
   */
  readonly verification?: readonly VerificationKeyInput[];
}

/** The public description of one key of a key set (no key material). */
export interface KeyDescription {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
}

/**
 * A set of signing and verification keys, ready to use. Its key material is
 * held privately: the object itself only describes the keys.
 */
export interface KeySet {
  /** The key that signs new tokens. */
  readonly signing: KeyDescription;
  /** Every key accepted for verification, the signing key first. */
  readonly verification: readonly KeyDescription[];
}

/** @internal One usable verification key. */
export interface VerificationEntry {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  readonly key: CryptoKey;
  /** The public JWK for the JWKS document; null for HMAC keys, which are never published. */
  readonly publicJwk: JWK | null;
}

/** @internal The key material behind a `KeySet`. */
export interface KeyMaterial {
  readonly signingKid: string;
  readonly signingAlg: JwtAlgorithm;
  readonly signingKey: CryptoKey;
  /** Looked up by the untrusted `kid` header: a `Map`, so no prototype keys can match. */
  readonly byKid: ReadonlyMap<string, VerificationEntry>;
  readonly algorithms: readonly JwtAlgorithm[];
}

const material = new WeakMap<KeySet, KeyMaterial>();

/**
 * Key ids we accept in configuration. Tokens may carry any `kid`: those are
 * only ever compared against this set's map, never used as a path or query.
 */
export const KID_PATTERN: RegExp = /^[A-Za-z0-9._~:-]{1,64}$/;

/** Longest `kid` header we even look up. */
export const MAX_KID_LENGTH = 64;

const MIN_HMAC_BYTES = 32;

// The members of each kind of key input: anything else (a `secret` on a key pair) is a mistake.
const HMAC_KEYS = ['kid', 'alg', 'secret'] as const;
const SIGNING_PAIR_KEYS = ['kid', 'alg', 'privateKey', 'publicKey'] as const;
const PUBLIC_KEYS = ['kid', 'alg', 'publicKey'] as const;
const encoder = new TextEncoder();

function configError(field: string, what: string): TokenError {
  return new TokenError('invalid_request', `${field} ${what}`, { field });
}

const PUBLIC_MEMBERS: Readonly<Record<'EdDSA' | 'ES256', readonly string[]>> = {
  EdDSA: ['kty', 'crv', 'x'],
  ES256: ['kty', 'crv', 'x', 'y'],
};
const EXPECTED_CURVE: Readonly<Record<'EdDSA' | 'ES256', { kty: string; crv: string }>> = {
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  ES256: { kty: 'EC', crv: 'P-256' },
};

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;
}

function isJwk(value: unknown): value is JWK {
  return typeof value === 'object' && value !== null && !isCryptoKey(value) && !(value instanceof Uint8Array);
}

/** Only the public members of an OKP or EC key, whatever else the input held. */
function publicPart(jwk: JWK, alg: 'EdDSA' | 'ES256', field: string): JWK {
  const expected = EXPECTED_CURVE[alg];
  if (jwk.kty !== expected.kty || jwk.crv !== expected.crv) {
    throw configError(field, `must be a ${expected.kty} ${expected.crv} key for ${alg}`);
  }
  const out: Record<string, unknown> = {};
  for (const member of PUBLIC_MEMBERS[alg]) {
    const value = (jwk as Record<string, unknown>)[member];
    if (typeof value !== 'string' || value.length === 0) throw configError(field, `is missing its "${member}" member`);
    out[member] = value;
  }
  return out as JWK;
}

async function importAsymmetric(
  input: JWK | string | CryptoKey,
  alg: 'EdDSA' | 'ES256',
  kind: 'private' | 'public',
  field: string,
): Promise<CryptoKey> {
  let key: CryptoKey;
  try {
    if (isCryptoKey(input)) key = input;
    else if (typeof input === 'string')
      key = kind === 'private' ? await importPKCS8(input, alg) : await importSPKI(input, alg, { extractable: true });
    else if (isJwk(input)) {
      const jwk = kind === 'public' ? publicPart(input, alg, field) : input;
      if (kind === 'private' && typeof jwk.d !== 'string') throw configError(field, 'must be a private key');
      const imported = await importJWK({ ...jwk, ext: kind === 'public' }, alg);
      if (imported instanceof Uint8Array) throw configError(field, `must be an ${alg} key`);
      key = imported;
    } else throw configError(field, 'must be a JWK, a PEM string or a CryptoKey');
  } catch (error) {
    if (isTokenError(error)) throw error;
    // The cause may describe the key bytes; keep only our own message.
    throw configError(field, `is not a usable ${alg} ${kind} key`);
  }
  if (key.type !== kind) throw configError(field, `must be a ${kind} key`);
  const algorithm = key.algorithm as { name: string; namedCurve?: string };
  const matches =
    alg === 'EdDSA' ? algorithm.name === 'Ed25519' : algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256';
  if (!matches) throw configError(field, `must be an ${alg === 'EdDSA' ? 'Ed25519' : 'ECDSA P-256'} key`);
  return key;
}

async function importHmac(secret: string | Uint8Array, field: string): Promise<CryptoKey> {
  const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
  if (!(bytes instanceof Uint8Array)) throw configError(field, 'must be a string or a Uint8Array');
  if (bytes.length < MIN_HMAC_BYTES) throw configError(field, `must be at least ${MIN_HMAC_BYTES} bytes`);
  // Imported once, non-extractable: jose would otherwise import raw bytes on every call.
  return crypto.subtle.importKey('raw', bytes.slice(), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

const SIGNING_PARAMS: Readonly<Record<'EdDSA' | 'ES256', AlgorithmIdentifier | EcdsaParams>> = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
};

/** Refuses a private and public key that do not belong together, before any token is signed with them. */
async function assertPair(
  privateKey: CryptoKey,
  publicKey: CryptoKey,
  alg: 'EdDSA' | 'ES256',
  field: string,
): Promise<void> {
  const probe = encoder.encode('tokenward key pair check');
  const params = SIGNING_PARAMS[alg];
  let ok = false;
  try {
    const signature = await crypto.subtle.sign(params, privateKey, probe);
    ok = await crypto.subtle.verify(params, publicKey, signature, probe);
  } catch {
    ok = false;
  }
  if (!ok) throw configError(field, 'does not match the private key');
}

async function exportPublic(key: CryptoKey, alg: 'EdDSA' | 'ES256', field: string): Promise<JWK> {
  if (!key.extractable) throw configError(field, 'must be extractable so that it can be published in the JWKS');
  return publicPart(await exportJWK(key), alg, field);
}

function checkKid(kid: unknown, field: string, seen: Set<string>): string {
  if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
    throw configError(field, 'must be 1-64 letters, digits or ._~:-');
  }
  if (seen.has(kid)) throw configError(field, 'repeats a kid already in the key set');
  seen.add(kid);
  return kid;
}

function checkAlg(alg: unknown, field: string): JwtAlgorithm {
  if (!JWT_ALGORITHMS.includes(alg as JwtAlgorithm)) throw configError(field, 'must be HS256, EdDSA or ES256');
  return alg as JwtAlgorithm;
}

/** What an asymmetric key may be given as (checked by `importAsymmetric`). */
type AsymmetricKeySource = JWK | string | CryptoKey;

/**
 * A key input read once (own keys only) with the keys its algorithm allows:
 * every later step uses this copy, never the app's object again.
 */
function keySnapshot(
  input: unknown,
  field: string,
  seen: Set<string>,
  pair: boolean,
): { kid: string; alg: JwtAlgorithm; given: Record<string, unknown> } {
  if (typeof input !== 'object' || input === null) throw configError(field, 'must be a key');
  const given = optionsObject(input, field, [...new Set([...HMAC_KEYS, ...SIGNING_PAIR_KEYS])]);
  const kid = checkKid(given.kid, `${field}.kid`, seen);
  const alg = checkAlg(given.alg, `${field}.alg`);
  if (!pair && alg !== 'HS256' && given.privateKey !== undefined)
    throw configError(`${field}.privateKey`, 'must not be given: verification keys are public');
  const allowed: readonly string[] = alg === 'HS256' ? HMAC_KEYS : pair ? SIGNING_PAIR_KEYS : PUBLIC_KEYS;
  for (const key of Object.keys(given)) {
    if (!allowed.includes(key)) throw configError(`${field}.${key}`, 'is not a known option');
  }
  return { kid, alg, given };
}

async function signingEntry(
  input: SigningKeyInput,
  seen: Set<string>,
): Promise<{ entry: VerificationEntry; signingKey: CryptoKey }> {
  const { kid, alg, given } = keySnapshot(input, 'signing', seen, true);
  if (alg === 'HS256') {
    const key = await importHmac(given.secret as string | Uint8Array, 'signing.secret');
    return { entry: { kid, alg, key, publicJwk: null }, signingKey: key };
  }
  const privateKey = await importAsymmetric(
    given.privateKey as AsymmetricKeySource,
    alg,
    'private',
    'signing.privateKey',
  );
  let publicSource = given.publicKey as AsymmetricKeySource | undefined;
  if (publicSource === undefined) {
    if (!isJwk(given.privateKey)) throw configError('signing.publicKey', 'is required unless privateKey is a JWK');
    publicSource = publicPart(given.privateKey, alg, 'signing.privateKey');
  }
  const publicKey = await importAsymmetric(publicSource, alg, 'public', 'signing.publicKey');
  await assertPair(privateKey, publicKey, alg, 'signing.publicKey');
  const publicJwk = await exportPublic(publicKey, alg, 'signing.publicKey');
  return { entry: { kid, alg, key: publicKey, publicJwk }, signingKey: privateKey };
}

async function verificationEntry(input: unknown, index: number, seen: Set<string>): Promise<VerificationEntry> {
  const field = `verification[${index}]`;
  const { kid, alg, given } = keySnapshot(input, field, seen, false);
  if (alg === 'HS256') {
    return { kid, alg, key: await importHmac(given.secret as string | Uint8Array, `${field}.secret`), publicJwk: null };
  }
  const key = await importAsymmetric(given.publicKey as AsymmetricKeySource, alg, 'public', `${field}.publicKey`);
  return { kid, alg, key, publicJwk: await exportPublic(key, alg, `${field}.publicKey`) };
}

/**
 * Builds a key set: one key that signs new tokens and any number of keys that
 * are still (or already) accepted for verification, each with its own `kid`
 * and algorithm. A token is checked only with the key its `kid` names, and
 * only under that key's algorithm.
 *
 * Invalid configuration (a short HMAC secret, a kid used twice, a public key
 * that does not match its private key) is refused with
 * `TokenError('invalid_request')` naming the field.
 *
 * @example
 * ```ts
 * import { createKeySet, generateSigningKey } from 'tokenward/jwt';
 * const next = await generateSigningKey('EdDSA');
 * const keys = await createKeySet({ signing: next, verification: [previousPublicKey] });
 * ```
 */
export async function createKeySet(options: KeySetOptions): Promise<KeySet> {
  // Each option, list element and key field read once (own keys only).
  const given = optionsObject(options, 'options', ['signing', 'verification']);
  const seen = new Set<string>();
  const { entry, signingKey } = await signingEntry(given.signing as SigningKeyInput, seen);
  const extra =
    given.verification === undefined
      ? []
      : listSnapshot(given.verification, 'verification', 'must be an array of keys');
  const entries = [entry];
  for (const [index, input] of extra.entries()) entries.push(await verificationEntry(input, index, seen));

  const byKid = new Map(entries.map((e) => [e.kid, e] as const));
  const keySet: KeySet = Object.freeze({
    signing: Object.freeze({ kid: entry.kid, alg: entry.alg }),
    verification: Object.freeze(entries.map((e) => Object.freeze({ kid: e.kid, alg: e.alg }))),
  });
  material.set(keySet, {
    signingKid: entry.kid,
    signingAlg: entry.alg,
    signingKey,
    byKid,
    algorithms: JWT_ALGORITHMS.filter((alg) => entries.some((e) => e.alg === alg)),
  });
  return keySet;
}

/** @internal The key material of a key set made by `createKeySet`. */
export function keyMaterial(keySet: KeySet, field = 'keys'): KeyMaterial {
  const found = typeof keySet === 'object' && keySet !== null ? material.get(keySet) : undefined;
  if (found === undefined) throw configError(field, 'must be a key set made by createKeySet');
  return found;
}

/** A JSON Web Key Set document (RFC 7517 §5). */
export interface JwksDocument {
  readonly keys: readonly JWK[];
}

/**
 * The public JWKS document of a key set: every EdDSA and ES256 key accepted
 * for verification, with `kid`, `alg` and `use: "sig"`. Only public members
 * are ever included; HS256 keys are shared secrets and never appear. Serve it
 * (for example at `/.well-known/jwks.json`) so other services can check
 * signatures; they still need the issuing service to learn about revocation.
 *
 * @example
 * ```ts
 * import { jwks } from 'tokenward/jwt';
 * app.get('/.well-known/jwks.json', (_req, res) => res.json(jwks(keys)));
 * ```
 */
export function jwks(keySet: KeySet): JwksDocument {
  const { byKid } = keyMaterial(keySet);
  const keys: JWK[] = [];
  for (const entry of byKid.values()) {
    if (entry.publicJwk !== null) keys.push({ ...entry.publicJwk, kid: entry.kid, alg: entry.alg, use: 'sig' });
  }
  return { keys };
}
