/**
 * Shared fixtures of the JWT tests: keys, a service with the JWT format, and
 * a forge that builds JWTs with any header, payload and signature, the way an
 * attacker would.
 */
import { expect } from 'vitest';
import { type StaticDirectoryData, staticDirectory } from '../../src/core/directory.js';
import { TokenError, type TokenErrorCode } from '../../src/core/errors.js';
import type { TokenFormat } from '../../src/core/format-types.js';
import type { TokenRepository } from '../../src/core/repository.js';
import { jwtFormat } from '../../src/jwt/format.js';
import {
  createKeySet,
  type GeneratedSigningKey,
  generateSigningKey,
  type KeySet,
  type KeySetOptions,
} from '../../src/jwt/index.js';
import { jwtSessionCodec } from '../../src/jwt/session.js';
import { createTokenService } from '../../src/service/index.js';
import type { TokenService } from '../../src/service/token-service.js';
import type { TokenServiceOptions } from '../../src/service/types.js';
import { memoryRepository } from '../../src/stores/memory/index.js';

export const ISSUER = 'https://auth.acme.test';
export const AUDIENCE = 'https://api.acme.test';
export const PEPPER = 'jwt-test-pepper-0123456789abcdefghijklmnopqrstuvwxyz';
export const START = Date.UTC(2026, 0, 1);

export const USERS: StaticDirectoryData = {
  acme: {
    alice: { admin: true },
    analyst: {
      roles: ['service_accounts'],
      grants: [{ scope: 'reports' }, { bucket: 'in.c-csv-import', access: 'write' }],
    },
    bob: { grants: [{ bucket: 'in.c-csv-import', access: 'read' }] },
  },
  globex: { gina: { admin: true } },
};
export const ALICE = { tenant: 'acme', user: 'alice' } as const;
export const ANALYST = { tenant: 'acme', user: 'analyst' } as const;
export const BOB = { tenant: 'acme', user: 'bob' } as const;

/** A clock the test moves by hand. */
export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function clock(start = START): Clock {
  let current = start;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

/** The code of the `TokenError` a promise rejects with; fails the test for anything else. */
export async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<TokenErrorCode> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return (error as TokenError).code;
  }
  throw new Error('expected a TokenError, but the call succeeded');
}

/** What `format.parse` does with a string: 'accepted', 'not-mine' (null) or the TokenError code. */
export async function parseOutcome(
  format: TokenFormat,
  token: string,
): Promise<'accepted' | 'not-mine' | TokenErrorCode> {
  try {
    return (await format.parse(token)) === null ? 'not-mine' : 'accepted';
  } catch (error) {
    if (error instanceof TokenError) return error.code;
    throw error;
  }
}

/** One generated key of each algorithm, made once per test file. */
export interface Keys {
  hs: GeneratedSigningKey<'HS256'>;
  ed: GeneratedSigningKey<'EdDSA'>;
  es: GeneratedSigningKey<'ES256'>;
}

export async function makeKeys(): Promise<Keys> {
  return {
    hs: await generateSigningKey('HS256', { kid: 'hs-1' }),
    ed: await generateSigningKey('EdDSA', { kid: 'ed-1' }),
    es: await generateSigningKey('ES256', { kid: 'es-1' }),
  };
}

export interface JwtHarness {
  service: TokenService;
  repository: TokenRepository;
  clock: Clock;
  keys: KeySet;
  format: TokenFormat;
  users: Record<string, Record<string, Record<string, unknown>>>;
}

/** A service with the JWT format and JWT sessions on a memory repository and a hand-moved clock. */
export async function jwtHarness(
  keyOptions: KeySetOptions,
  overrides: Omit<Partial<TokenServiceOptions>, 'sessions'> & {
    sessions?: TokenServiceOptions['sessions'] | false;
    clock?: Clock;
  } = {},
): Promise<JwtHarness> {
  const { clock: givenClock, sessions, ...rest } = overrides;
  const c = givenClock ?? clock();
  const keys = await createKeySet(keyOptions);
  const format = jwtFormat({ keys, issuer: ISSUER, audience: AUDIENCE, now: c.now });
  const users = structuredClone(USERS) as JwtHarness['users'];
  const repository = rest.repository ?? memoryRepository();
  const service = createTokenService({
    repository,
    pepper: PEPPER,
    directory: staticDirectory(users as StaticDirectoryData),
    now: c.now,
    format,
    ...(sessions === false
      ? {}
      : { sessions: sessions ?? { codec: jwtSessionCodec({ keys, issuer: ISSUER, audience: AUDIENCE, now: c.now }) } }),
    ...rest,
  });
  return { service, repository, clock: c, keys, format, users };
}

// ------------------------------------------------------------------ forging

const encoder = new TextEncoder();

export function b64url(bytes: Uint8Array | string): string {
  const data = typeof bytes === 'string' ? encoder.encode(bytes) : bytes;
  return Buffer.from(data).toString('base64url');
}

export function fromB64url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** How a forged token is signed. */
export type Signer =
  | { readonly alg: 'HS256' | 'HS384' | 'HS512'; readonly secret: Uint8Array | string }
  | { readonly alg: 'EdDSA'; readonly privateKey: CryptoKey }
  | { readonly alg: 'ES256'; readonly privateKey: CryptoKey }
  | { readonly alg: 'RS256'; readonly privateKey: CryptoKey }
  | { readonly alg: 'none' };

/** Signs `header.payload` exactly as given: no claim or header is added or checked. */
export async function forge(
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
  signer: Signer,
): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  return `${input}.${b64url(await rawSign(input, signer))}`;
}

export async function rawSign(input: string, signer: Signer): Promise<Uint8Array> {
  const data = encoder.encode(input);
  switch (signer.alg) {
    case 'none':
      return new Uint8Array(0);
    case 'HS256':
    case 'HS384':
    case 'HS512': {
      const secret = new Uint8Array(typeof signer.secret === 'string' ? encoder.encode(signer.secret) : signer.secret);
      const hash = `SHA-${signer.alg.slice(2)}`;
      const key = await crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, ['sign']);
      return new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
    }
    case 'EdDSA':
      return new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, signer.privateKey, data));
    case 'ES256':
      return new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, signer.privateKey, data));
    case 'RS256':
      return new Uint8Array(await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, signer.privateKey, data));
  }
}

/** Imports a generated key's private JWK as a CryptoKey an attacker (or a test) can sign with. */
export async function privateCryptoKey(
  key: GeneratedSigningKey<'EdDSA'> | GeneratedSigningKey<'ES256'>,
): Promise<CryptoKey> {
  const algorithm = key.alg === 'EdDSA' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
  return crypto.subtle.importKey('jwk', key.privateKey as JsonWebKey, algorithm, false, ['sign']);
}

/** A claim set as our format writes it, valid at `nowMs` for one day. */
export function tokenClaims(nowMs: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'alice',
    jti: '01KDX0000000000000000000AA',
    tenant: 'acme',
    token_type: 'personal',
    secret: 'S'.repeat(30),
    iat,
    nbf: iat,
    exp: iat + 86_400,
    ...overrides,
  };
}

/** The three parts of a compact JWT, decoded. */
export function decode(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: Uint8Array;
} {
  const [h, p, s] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature: fromB64url(s),
  };
}

/** A service with a live token of alice's, and what an attacker who holds that token knows. */
export interface Target extends JwtHarness {
  /** The token string as issued. */
  token: string;
  tokenId: string;
  /** Its decoded header and claims. */
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export async function target(
  keyOptions: KeySetOptions,
  overrides: Parameters<typeof jwtHarness>[1] = {},
): Promise<Target> {
  const h = await jwtHarness(keyOptions, overrides);
  const { token, info } = await h.service.issue({ name: 'ci', ttl: '30d' }, ALICE);
  const { header, payload } = decode(token);
  return { ...h, token, tokenId: info.id, header, claims: payload };
}

/**
 * Asserts that `token` is refused by `verify` with `code`, with a generic
 * message that echoes neither the token nor its secret, and no `cause`
 * (jose's errors carry the claims, and the claims carry the secret).
 */
export async function expectRefused(t: Target, token: string, code: TokenErrorCode): Promise<void> {
  let caught: unknown = null;
  try {
    await t.service.verify(token);
  } catch (error) {
    caught = error;
  }
  expect(caught, 'verify must refuse the token').toBeInstanceOf(TokenError);
  const error = caught as TokenError;
  expect(error.code).toBe(code);
  expect(error.message).not.toContain(token.slice(0, 20));
  expect(error.message).not.toContain(String(t.claims.secret));
  expect(error.cause).toBeUndefined();
}
