import { sha256 } from '@noble/hashes/sha2.js';
import type { JWK } from 'jose';
import { constantTimeEqual, toBase64Url, utf8 } from '../core/encoding.js';
import { invalid, TokenError } from '../core/errors.js';
import { expectKeys, identifier, isPlainObject } from '../core/input.js';
import { errorAnswer, type HttpAnswer } from './answers.js';

/**
 * @internal OAuth client authentication at the introspection endpoint
 * (RFC 7662 §2.1 lets it be any RFC 6749 §2.3 method): which method a
 * request uses, the registered clients, and secret checks. Every failure
 * is the same 401 `invalid_client`, so an unknown client and a wrong
 * secret look alike.
 */

/**
 * A confidential client that may call the introspection endpoint: usually a
 * resource server that checks the tokens it receives. Clients are
 * configuration, like verification tokens.
 */
export interface IntrospectionClient {
  /** Its `client_id`: 1-200 printable ASCII characters (RFC 6749 §A.1 VSCHAR). */
  readonly id: string;
  /**
   * Its secret, for `client_secret_basic`, `client_secret_post` and
   * `client_secret_jwt`: 32-4096 printable ASCII characters.
   */
  readonly secret?: string;
  /** Its public keys (JWK, no private members), for `private_key_jwt`. */
  readonly jwks?: readonly JWK[];
  /** The only tenant whose tokens it may ask about; absent, every tenant. */
  readonly tenant?: string;
}

/** Registered clients: a list, or a lookup by `client_id` (for clients kept in a database). */
export type IntrospectionClients =
  | readonly IntrospectionClient[]
  | ((clientId: string) => IntrospectionClient | undefined | Promise<IntrospectionClient | undefined>);

/** @internal A client lookup whose answers are checked. */
export type ClientLookup = (clientId: string) => Promise<IntrospectionClient | undefined>;

// RFC 6749 §A.1 VSCHAR, without the space: ids and secrets as printable ASCII.
const VSCHARS = /^[\x21-\x7e]+$/;
const CLIENT_KEYS: readonly string[] = ['id', 'secret', 'jwks', 'tenant'];

/** Checks one client entry; `field` names it in the error (`clients[2].secret`). */
export function checkClient(value: unknown, field: string): IntrospectionClient {
  const entry = expectKeys(value, field, CLIENT_KEYS);
  const { id, secret, jwks, tenant } = entry;
  if (typeof id !== 'string' || id.length > 200 || !VSCHARS.test(id)) {
    throw invalid(`${field}.id`, 'must be 1-200 printable ASCII characters');
  }
  if (
    secret !== undefined &&
    (typeof secret !== 'string' || secret.length < 32 || secret.length > 4096 || !VSCHARS.test(secret))
  ) {
    throw invalid(`${field}.secret`, 'must be 32-4096 printable ASCII characters');
  }
  if (jwks !== undefined) {
    if (!Array.isArray(jwks) || jwks.length === 0)
      throw invalid(`${field}.jwks`, 'must be a non-empty list of public JWKs');
    jwks.forEach((key: unknown, index) => {
      if (!isPlainObject(key) || typeof key.kty !== 'string' || 'd' in key || 'k' in key) {
        throw invalid(`${field}.jwks[${index}]`, 'must be a public JWK (no private or symmetric key material)');
      }
    });
  }
  if (secret === undefined && jwks === undefined) throw invalid(field, 'needs a secret or jwks');
  return {
    id,
    ...(secret === undefined ? {} : { secret: secret as string }),
    ...(jwks === undefined ? {} : { jwks: jwks as JWK[] }),
    ...(tenant === undefined ? {} : { tenant: identifier(tenant, `${field}.tenant`) }),
  };
}

/**
 * Validates the `clients` option at setup: a list is checked entry by entry
 * (ids unique); a lookup's answers are checked when it answers, and a bad
 * answer is a server fault (500), never a pass.
 */
export function clientsOption(value: unknown, field = 'clients'): ClientLookup | null {
  if (value === undefined) return null;
  if (typeof value === 'function') {
    const lookup = value as (clientId: string) => unknown;
    return async (clientId) => {
      const found = await lookup(clientId);
      if (found === undefined || found === null) return undefined;
      try {
        const client = checkClient(found, field);
        return client.id === clientId ? client : undefined;
      } catch {
        throw new Error('the clients lookup answered an invalid client');
      }
    };
  }
  if (!Array.isArray(value)) throw invalid(field, 'must be a list of clients or a lookup function');
  const byId = new Map<string, IntrospectionClient>();
  value.forEach((entry: unknown, index) => {
    const client = checkClient(entry, `${field}[${index}]`);
    if (byId.has(client.id)) throw invalid(`${field}[${index}].id`, 'is registered twice');
    byId.set(client.id, client);
  });
  return async (clientId) => byId.get(clientId);
}

/** @internal A client credential that does not hold (unknown client, wrong secret, bad assertion). */
export class ClientAuthFailure extends Error {
  constructor() {
    super('client authentication failed');
    this.name = 'ClientAuthFailure';
  }
}

/**
 * 401 `invalid_client` (RFC 6749 §5.2: an unknown client, a wrong secret or
 * assertion, or no client authentication at all), with the endpoint's
 * challenges, Basic among them.
 */
export function invalidClient(challenges: string): HttpAnswer {
  return errorAnswer(
    401,
    { error: 'invalid_client', message: 'client authentication failed' },
    { 'www-authenticate': challenges },
  );
}

/** What the `Authorization` header carries. */
export type HeaderCredentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer' }
  | { readonly kind: 'basic'; readonly id: string; readonly secret: string };

// RFC 7617 §2: the Basic credentials are one base64 token.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined. */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new ClientAuthFailure();
  }
}

function basicCredentials(encoded: string): { id: string; secret: string } {
  let text: string;
  try {
    const binary = atob(encoded);
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    throw new ClientAuthFailure();
  }
  const colon = text.indexOf(':');
  if (colon <= 0) throw new ClientAuthFailure();
  return { id: formDecode(text.slice(0, colon)), secret: formDecode(text.slice(colon + 1)) };
}

/**
 * Reads the `Authorization` header: a bearer token (the caller's own
 * token), HTTP Basic client credentials, or nothing this endpoint reads.
 * A repeated header is `invalid_request`; a malformed Basic value is a
 * `ClientAuthFailure`.
 */
export function headerCredentials(rawHeaders: readonly string[]): HeaderCredentials {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'authorization') values.push(rawHeaders[i + 1]!);
  }
  if (values.length > 1) throw new TokenError('invalid_request', 'the Authorization header is repeated');
  if (values.length === 0) return { kind: 'none' };
  const value = values[0]!;
  const schemeEnd = value.search(/[ \t]/);
  const scheme = (schemeEnd === -1 ? value : value.slice(0, schemeEnd)).toLowerCase();
  // An empty or malformed Bearer value is judged by the bearer extraction, with its RFC 6750 answers.
  if (scheme === 'bearer' || value === '') return { kind: 'bearer' };
  if (scheme !== 'basic') return { kind: 'none' };
  const credentials = schemeEnd === -1 ? '' : value.slice(schemeEnd).replace(/^ +/, '');
  if (!BASE64.test(credentials)) throw new ClientAuthFailure();
  return { kind: 'basic', ...basicCredentials(credentials) };
}

function digest(text: string): string {
  return toBase64Url(sha256(utf8(text)));
}

/** True when `presented` is the client's secret; digests are compared, so timing says nothing about it. */
export function secretMatches(client: IntrospectionClient, presented: string): boolean {
  if (client.secret === undefined) return false;
  return constantTimeEqual(digest(client.secret), digest(presented));
}

/** The registered client with this id and secret, or a `ClientAuthFailure`. */
export async function clientBySecret(lookup: ClientLookup, id: string, secret: string): Promise<IntrospectionClient> {
  const client = await lookup(id);
  // An unknown client costs the same digest work as a known one.
  const matches = secretMatches(client ?? { id, secret: id }, secret) && client !== undefined;
  if (!matches) throw new ClientAuthFailure();
  return client;
}
