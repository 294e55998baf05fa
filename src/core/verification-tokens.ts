/**
 * @internal Static verification tokens from configuration (Database Lab
 * Engine's engine token): the service's `verificationTokens` and the remote
 * verifier's `localVerificationTokens` are one list, checked once at
 * construction, kept only as keyed hashes and matched in constant time.
 */
import { constantTimeEqual } from './encoding.js';
import { invalid } from './errors.js';
import { identifier, isPlainObject, tokenName } from './input.js';
import { listSnapshot, optionsObject } from './options.js';
import { createPrincipal } from './principal.js';
import type { Principal } from './principal-types.js';

/** A static verification token from configuration (Database Lab Engine's engine token). */
export interface VerificationTokenConfig {
  /** 16 to 4096 printable ASCII characters, without spaces at either end. */
  readonly secret: string;
  /** Tenant the token guards (default: the service's or verifier's `defaultTenant`). */
  readonly tenant?: string;
  /** Name shown as the principal's name and in its token id (default `verification`). */
  readonly name?: string;
}

/** A verification token as it is kept: the hash of its secret, never the secret. */
export interface VerificationEntry {
  readonly hash: string;
  readonly tenant: string;
  readonly name: string;
}

/** The longest verification secret, which is also the longest token string the service looks at. */
export const MAX_SECRET_LENGTH = 4096;

// Verification secrets travel in HTTP headers: printable ASCII, and no
// surrounding space, which every header parser strips (a secret read from a
// file with its trailing newline could never match).
const SECRET = /^[\x21-\x7e](?:[\x20-\x7e]{14,4094})[\x21-\x7e]$/;

/** A checked entry of the list, as read once: a bare secret or a frozen `{ secret, tenant?, name? }`. */
export type VerificationSnapshot = string | Readonly<{ secret: string; tenant?: unknown; name?: unknown }>;

/** The secret of a snapshot entry. */
export function snapshotSecret(entry: VerificationSnapshot): string {
  return typeof entry === 'string' ? entry : entry.secret;
}

function checkedSecret(secret: unknown, field: string): string {
  if (typeof secret !== 'string' || !SECRET.test(secret)) {
    throw invalid(field, `must be a secret of 16 to ${MAX_SECRET_LENGTH} printable ASCII characters`);
  }
  return secret;
}

/** One entry of the list, read once: a secret, or `{ secret, tenant?, name? }` (own keys only). */
function snapshotOf(entry: unknown, field: string): VerificationSnapshot {
  if (typeof entry === 'string') return checkedSecret(entry, field);
  if (!isPlainObject(entry)) throw invalid(field, 'must be a secret or { secret, tenant?, name? }');
  const config = optionsObject(entry, field, ['secret', 'tenant', 'name']);
  const secret = checkedSecret(config.secret, `${field}.secret`);
  // Prototype-less like the snapshot: a `tenant` planted on Object.prototype is no tenant.
  return Object.freeze(Object.assign(Object.create(null), config, { secret }));
}

/**
 * The configured list read once (`field` names the option): the list and
 * each entry and field are read a single time, into frozen copies that every
 * later check and the hash use, so a getter cannot show the checks one
 * secret and the hash another. Each secret is checked here.
 *
 * @throws {TokenError} `invalid_request` naming `field`, `field[i]` or a member of it (a getter or trap that throws: with it as `cause`).
 */
export function verificationSnapshot(value: unknown, field: string): readonly VerificationSnapshot[] {
  if (value === undefined) return [];
  const list = listSnapshot(value, field, 'must be a list of secrets or { secret, tenant?, name? } objects');
  return Object.freeze(list.map((entry, index) => snapshotOf(entry, `${field}[${index}]`)));
}

/**
 * The entries of a configured list (`field` names the option), each secret
 * kept as `hash(secret)`. A bare string (a single secret where a list
 * belongs), a missing entry (`[process.env.UNSET]`), a secret that is not
 * 16-4096 printable ASCII characters without spaces at its ends, or the
 * same secret twice is refused. The list is read once (`verificationSnapshot`).
 *
 * @throws {TokenError} `invalid_request` naming `field`, `field[i]` or a member of it.
 */
export function verificationEntries(
  value: unknown,
  field: string,
  defaultTenant: string,
  hash: (secret: string) => string,
): VerificationEntry[] {
  const seen = new Set<string>();
  return verificationSnapshot(value, field).map((entry, index): VerificationEntry => {
    const at = `${field}[${index}]`;
    const secretHash = hash(snapshotSecret(entry));
    if (seen.has(secretHash)) {
      throw invalid(typeof entry === 'string' ? at : `${at}.secret`, 'repeats a secret listed before it');
    }
    seen.add(secretHash);
    const config: { tenant?: unknown; name?: unknown } = typeof entry === 'string' ? {} : entry;
    return {
      hash: secretHash,
      tenant: config.tenant === undefined ? defaultTenant : identifier(config.tenant, `${at}.tenant`),
      name: tokenName(config.name ?? 'verification', `${at}.name`),
    };
  });
}

/**
 * The entry whose hash is `hash`, or undefined. Every entry is compared, in
 * time that does not depend on where the hashes differ, so timing tells
 * neither whether nor which one matched.
 */
export function findVerificationEntry(
  entries: readonly VerificationEntry[],
  hash: string,
): VerificationEntry | undefined {
  let match: VerificationEntry | undefined;
  for (const entry of entries) if (constantTimeEqual(entry.hash, hash)) match = entry;
  return match;
}

/**
 * The principal of a verification token: full access to its tenant, no
 * owner, no expiry, token id `verification:<name>`. `brand` marks the
 * service that made it (see `createPrincipal`).
 */
export function verificationPrincipal(entry: VerificationEntry, brand?: object): Principal {
  return createPrincipal(
    {
      tokenId: `verification:${entry.name}`,
      type: 'verification',
      tenant: entry.tenant,
      owner: null,
      name: entry.name,
      grants: 'all',
      ownerIsAdmin: false,
      expiresAt: null,
      meta: null,
    },
    brand,
  );
}
