/**
 * @internal `verify`: a token string to a principal, or a `TokenError`.
 * The hot path: it awaits only what is really asynchronous (the repository
 * lookup; the format and directory only when they return promises),
 * because every await is a trip through the microtask queue.
 */
import { effectiveGrants } from '../core/authority.js';
import { isTokenError, TokenError } from '../core/errors.js';
import type { SessionClaims } from '../core/format-types.js';
import { keyDigest, legacyPrefixOf, lookupCandidates } from '../core/imported-keys.js';
import { createPrincipal, type PrincipalFields } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import { claimsAgree, earlierExpiry } from '../core/records.js';
import type { DirectoryUser, TokenRecord } from '../core/types.js';
import { findVerificationEntry, verificationPrincipal } from '../core/verification-tokens.js';
import { currentOwner } from './authority.js';
import { type ServiceContext, tokenInvalid } from './context.js';
import { callHook } from './hooks.js';
import { rehashIfImported } from './imported.js';
import { MAX_TOKEN_LENGTH } from './options.js';
import type { VerifyOptions } from './types.js';

/** See `TokenService.verify`. */
export async function verify(context: ServiceContext, token: string, options?: VerifyOptions): Promise<Principal> {
  // The stored token the string names, for `onVerificationFailed` (never the string itself).
  let named: string | null = null;
  try {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw tokenInvalid();
    const at = context.now();
    const { sessions, enablePersonalTokens } = context.settings;
    let principal: Principal;
    if (sessions?.codec.looksLike(token)) {
      if (!enablePersonalTokens) throw tokenInvalid();
      principal = await verifySession(context, token, at);
    } else {
      const parsing = context.format.parse(token);
      const parsed = parsing instanceof Promise ? await parsing : parsing;
      if (parsed === null) {
        // Not a tokenward string: an imported key if it has a legacy prefix, else a verification token.
        principal =
          legacyPrefixOf(token, context.settings.legacyPrefixes) === undefined
            ? verifyStatic(context, token)
            : await verifyImported(context, token, at);
      } else {
        if (!enablePersonalTokens) throw tokenInvalid();
        named = parsed.id;
        const record = await context.repository.findById(parsed.id);
        if (record === null || record.type !== parsed.type || !secretMatches(context, record, parsed.secret, at)) {
          throw tokenInvalid();
        }
        // A string that says another tenant or owner than its record is forged or re-signed (issue 8).
        if (parsed.claims !== undefined && !claimsAgree(record, parsed.claims)) throw tokenInvalid();
        const looking = currentOwner(context, record);
        const owner = looking instanceof Promise ? await looking : looking;
        principal = principalFor(context, record, owner, at, undefined, parsed.claims?.expiresAt);
        context.uses.note(record, at);
      }
    }
    if (options?.tenant !== undefined && principal.tenant !== options.tenant) throw tokenInvalid();
    return principal;
  } catch (error) {
    // A storage, directory or format failure: whatever went wrong, the answer is never "valid".
    const failure = isTokenError(error)
      ? error
      : new TokenError('unavailable', 'token verification is unavailable', { cause: error });
    void callHook(context, 'onVerificationFailed', () => ({
      code: failure.code,
      tokenId: named,
      at: new Date(context.now()),
    }));
    throw failure;
  }
}

/**
 * A key imported from another system (issue 13): found by an indexed lookup
 * of its hash, valid while that hash is its current secret's (or its
 * previous one's, during a rotation's grace period); re-hashed to the keyed
 * HMAC at its first successful verification.
 */
async function verifyImported(context: ServiceContext, token: string, at: number): Promise<Principal> {
  if (!context.settings.enablePersonalTokens) throw tokenInvalid();
  const digest = keyDigest(token);
  const candidates = lookupCandidates(digest, context.peppers);
  const record = await context.repository.findByLookupHash(candidates);
  const matched = record?.lookupHash;
  if (record === null || matched === null || matched === undefined || !candidates.includes(matched)) {
    throw tokenInvalid();
  }
  const current = record.secretHash === matched;
  const graced =
    record.previousSecretHash === matched && record.previousExpiresAt !== null && record.previousExpiresAt > at;
  if (!current && !graced) throw tokenInvalid();
  const owner = await currentOwner(context, record);
  const principal = principalFor(context, record, owner, at);
  context.uses.note(record, at);
  if (current) await rehashIfImported(context, record, digest);
  return principal;
}

/** A static verification token from configuration, compared with every entry so timing does not tell which. */
function verifyStatic(context: ServiceContext, token: string): Principal {
  const { personalTokensOnly, verificationTokens } = context.settings;
  if (personalTokensOnly || verificationTokens.length === 0) throw tokenInvalid();
  const { peppers } = context;
  const match = findVerificationEntry(verificationTokens, peppers.hash(token, peppers.current)!);
  if (match === undefined) throw tokenInvalid();
  return verificationPrincipal(match, context.brand);
}

/** The current secret, or the previous one during its rotation grace period. */
function secretMatches(context: ServiceContext, record: TokenRecord, secret: string, at: number): boolean {
  const { peppers } = context;
  if (peppers.matches(secret, record.pepperVersion, record.secretHash)) return true;
  return (
    record.previousSecretHash !== null &&
    record.previousPepperVersion !== null &&
    record.previousExpiresAt !== null &&
    record.previousExpiresAt > at &&
    peppers.matches(secret, record.previousPepperVersion, record.previousSecretHash)
  );
}

/** The principal of a live stored token, with its owner's privileges as they are now. */
function principalFor(
  context: ServiceContext,
  record: TokenRecord,
  owner: DirectoryUser | null,
  at: number,
  session?: { readonly id: string; readonly expiresAt: Date },
  stringExpiresAt?: number,
): Principal {
  if (record.revokedAt !== null) throw new TokenError('token_revoked', 'the token has been revoked');
  // The stricter of the record's expiry and the string's own (a JWT's `exp`) governs.
  const expiresAt = earlierExpiry(record.expiresAt, stringExpiresAt ?? null);
  if (expiresAt !== null && expiresAt <= at) throw new TokenError('token_expired', 'the token has expired');
  if (!record.enabled) throw new TokenError('token_disabled', 'the token is disabled');
  const fields: PrincipalFields = {
    tokenId: record.id,
    type: record.type,
    tenant: record.tenant,
    owner: record.owner,
    name: record.name,
    grants: effectiveGrants(record, owner),
    ownerIsAdmin: owner?.admin === true,
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
    meta: record.meta,
  };
  return createPrincipal(session === undefined ? fields : { ...fields, session }, context.brand);
}

/** A session token from `exchange`: valid while its parent is live and not rotated since. */
async function verifySession(context: ServiceContext, token: string, at: number): Promise<Principal> {
  const claims: SessionClaims | null = await context.settings.sessions!.codec.parse(token);
  if (claims === null) throw tokenInvalid();
  if (claims.expiresAt <= at) throw new TokenError('token_expired', 'the session has expired');
  const parent = await context.repository.findById(claims.parentId);
  if (parent === null || parent.tenant !== claims.tenant) throw tokenInvalid();
  // A rotation of the parent ends every session made from the old secret.
  if (parent.rotatedAt !== claims.parentRotatedAt) throw new TokenError('token_revoked', 'the session has ended');
  const owner = await currentOwner(context, parent);
  return principalFor(context, parent, owner, at, { id: claims.sessionId, expiresAt: new Date(claims.expiresAt) });
}
