/**
 * @internal `verify`: a token string to a principal, or a `TokenError`.
 *
 * The hot path (issue 12). Each step returns its answer directly when it
 * has it at hand and a promise only when it really waits: the format's
 * parse, the repository lookup (`findByIdSync` first, the memory store
 * answers there) and the directory. When every step answers directly the
 * principal is made without a single `await`, and the call costs one
 * settled promise; a step that waits switches the rest of the call to
 * promise chaining, with the same checks in the same order either way.
 * test/core/verify.fast-path.test.ts holds the two equal by fast-check.
 *
 * A new per-record check (a disabled token, credits) goes into
 * `checkStored` (synchronous) or after it, chained the same way when it
 * needs storage: the fast path then still holds for stores that answer
 * directly.
 */
import { effectiveGrants } from '../core/authority.js';
import { isTokenError, TokenError } from '../core/errors.js';
import type { ParsedToken, SessionClaims } from '../core/format-types.js';
import { createPrincipal } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import { claimsAgree, earlierExpiry } from '../core/records.js';
import type { TokenRepository } from '../core/repository.js';
import type { DirectoryUser, TokenRecord } from '../core/types.js';
import { findVerificationEntry, verificationPrincipal } from '../core/verification-tokens.js';
import { currentOwner } from './authority.js';
import { type ServiceContext, tokenInvalid } from './context.js';
import { MAX_TOKEN_LENGTH } from './options.js';
import type { VerifyOptions } from './types.js';

type Answer<T> = T | Promise<T>;

/** See `TokenService.verify`. */
export function verify(context: ServiceContext, token: string, options?: VerifyOptions): Promise<Principal> {
  try {
    const answer = verifyString(context, token);
    if (answer instanceof Promise) {
      return answer.then(
        (principal) => inTenant(principal, options),
        (error: unknown) => Promise.reject(failClosed(error)),
      );
    }
    return Promise.resolve(inTenant(answer, options));
  } catch (error) {
    return Promise.reject(failClosed(error));
  }
}

/** A storage, directory or format failure: whatever went wrong, the answer is never "valid". */
function failClosed(error: unknown): TokenError {
  if (isTokenError(error)) return error;
  return new TokenError('unavailable', 'token verification is unavailable', { cause: error });
}

function inTenant(principal: Principal, options: VerifyOptions | undefined): Principal {
  if (options?.tenant !== undefined && principal.tenant !== options.tenant) throw tokenInvalid();
  return principal;
}

function verifyString(context: ServiceContext, token: string): Answer<Principal> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw tokenInvalid();
  const at = context.now();
  const { sessions, enablePersonalTokens } = context.settings;
  if (sessions?.codec.looksLike(token)) {
    if (!enablePersonalTokens) throw tokenInvalid();
    return verifySession(context, token, at);
  }
  const parsing = context.format.parse(token);
  if (parsing instanceof Promise) return parsing.then((parsed) => verifyParsed(context, token, parsed, at));
  return verifyParsed(context, token, parsing, at);
}

function verifyParsed(
  context: ServiceContext,
  token: string,
  parsed: ParsedToken | null,
  at: number,
): Answer<Principal> {
  if (parsed === null) return verifyStatic(context, token);
  if (!context.settings.enablePersonalTokens) throw tokenInvalid();
  const found = findRecord(context.repository, parsed.id);
  if (found instanceof Promise) return found.then((record) => verifyStored(context, parsed, record, at));
  return verifyStored(context, parsed, found, at);
}

/** The stored token: from `findByIdSync` when the store answers there, else from `findById`. */
function findRecord(repository: TokenRepository, id: string): Answer<TokenRecord | null> {
  const known = repository.findByIdSync?.(id);
  return known === undefined ? repository.findById(id) : known;
}

function verifyStored(
  context: ServiceContext,
  parsed: ParsedToken,
  record: TokenRecord | null,
  at: number,
): Answer<Principal> {
  if (record === null || record.type !== parsed.type || !secretMatches(context, record, parsed.secret, at)) {
    throw tokenInvalid();
  }
  // A string that says another tenant or owner than its record is forged or re-signed (issue 8).
  if (parsed.claims !== undefined && !claimsAgree(record, parsed.claims)) throw tokenInvalid();
  const stringExpiresAt = parsed.claims?.expiresAt;
  const looking = currentOwner(context, record);
  if (looking instanceof Promise) {
    return looking.then((owner) => verifiedPrincipal(context, record, owner, at, stringExpiresAt));
  }
  return verifiedPrincipal(context, record, looking, at, stringExpiresAt);
}

function verifiedPrincipal(
  context: ServiceContext,
  record: TokenRecord,
  owner: DirectoryUser | null,
  at: number,
  stringExpiresAt: number | undefined,
): Principal {
  const principal = principalFor(context, record, owner, at, undefined, stringExpiresAt);
  context.uses.note(record, at);
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

/**
 * The per-record checks of a token whose secret matched: not revoked, not
 * expired (the stricter of the record's expiry and the string's own, a
 * JWT's `exp`). Returns the expiry that governs. Synchronous: the fast path
 * holds as long as these are.
 */
function checkStored(record: TokenRecord, at: number, stringExpiresAt?: number): number | null {
  if (record.revokedAt !== null) throw new TokenError('token_revoked', 'the token has been revoked');
  const expiresAt = earlierExpiry(record.expiresAt, stringExpiresAt ?? null);
  if (expiresAt !== null && expiresAt <= at) throw new TokenError('token_expired', 'the token has expired');
  return expiresAt;
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
  const expiresAt = checkStored(record, at, stringExpiresAt);
  const principal = {
    tokenId: record.id,
    type: record.type,
    tenant: record.tenant,
    owner: record.owner,
    name: record.name,
    grants: effectiveGrants(record, owner),
    ownerIsAdmin: owner?.admin === true,
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
  };
  return createPrincipal(session === undefined ? principal : { ...principal, session }, context.brand);
}

/** A session token from `exchange`: valid while its parent is live and not rotated since. */
async function verifySession(context: ServiceContext, token: string, at: number): Promise<Principal> {
  const claims: SessionClaims | null = await context.settings.sessions!.codec.parse(token);
  if (claims === null) throw tokenInvalid();
  if (claims.expiresAt <= at) throw new TokenError('token_expired', 'the session has expired');
  const parent = await findRecord(context.repository, claims.parentId);
  if (parent === null || parent.tenant !== claims.tenant) throw tokenInvalid();
  // A rotation of the parent ends every session made from the old secret.
  if (parent.rotatedAt !== claims.parentRotatedAt) throw new TokenError('token_revoked', 'the session has ended');
  const owner = await currentOwner(context, parent);
  return principalFor(context, parent, owner, at, { id: claims.sessionId, expiresAt: new Date(claims.expiresAt) });
}
