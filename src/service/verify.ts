/**
 * @internal `verify`: a token string to a principal, or a `TokenError`.
 * The hot path: it awaits only what is really asynchronous (the repository
 * lookup; the format and directory only when they return promises),
 * because every await is a trip through the microtask queue. A token with
 * a meter (rate limits, usage credits) also spends from it, after every
 * other check has passed (src/service/metering.ts); a token without one
 * pays one field check for the feature.
 */
import { effectiveGrants } from '../core/authority.js';
import { isTokenError, TokenError } from '../core/errors.js';
import type { SessionClaims } from '../core/format-types.js';
import type { SpendRequest } from '../core/metering.js';
import { creditsAt } from '../core/metering.js';
import { createPrincipal, type PrincipalFields } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import { claimsAgree, earlierExpiry } from '../core/records.js';
import type { DirectoryUser, TokenRecord } from '../core/types.js';
import { findVerificationEntry, verificationPrincipal } from '../core/verification-tokens.js';
import { currentOwner } from './authority.js';
import { type ServiceContext, tokenInvalid } from './context.js';
import { type MeterFields, meterFields, requestedSpend, spendFor } from './metering.js';
import { MAX_TOKEN_LENGTH } from './options.js';
import type { VerifyOptions } from './types.js';

/** A session's part of its principal. */
type SessionFields = PrincipalFields['session'];

/** See `TokenService.verify`. */
export async function verify(context: ServiceContext, token: string, options?: VerifyOptions): Promise<Principal> {
  try {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw tokenInvalid();
    // Checked whatever the token turns out to be: a bad cost is the caller's error, not the token's.
    const spend = options === undefined ? undefined : requestedSpend(options);
    const at = context.now();
    const { sessions, enablePersonalTokens } = context.settings;
    let principal: Principal;
    if (sessions?.codec.looksLike(token)) {
      if (!enablePersonalTokens) throw tokenInvalid();
      principal = await verifySession(context, token, at, options, spend);
    } else {
      const parsing = context.format.parse(token);
      const parsed = parsing instanceof Promise ? await parsing : parsing;
      if (parsed === null) {
        principal = verifyStatic(context, token);
      } else {
        if (!enablePersonalTokens) throw tokenInvalid();
        const record = await context.repository.findById(parsed.id);
        if (record === null || record.type !== parsed.type || !secretMatches(context, record, parsed.secret, at)) {
          throw tokenInvalid();
        }
        // A string that says another tenant or owner than its record is forged or re-signed (issue 8).
        if (parsed.claims !== undefined && !claimsAgree(record, parsed.claims)) throw tokenInvalid();
        const looking = currentOwner(context, record);
        const owner = looking instanceof Promise ? await looking : looking;
        const expiresAt = liveUntil(record, at, parsed.claims?.expiresAt);
        principal =
          record.meter == null
            ? principalFor(context, record, owner, expiresAt)
            : await meteredPrincipal(context, record, owner, expiresAt, at, options, spend);
        context.uses.note(record, at);
      }
    }
    if (options?.tenant !== undefined && principal.tenant !== options.tenant) throw tokenInvalid();
    return principal;
  } catch (error) {
    if (isTokenError(error)) throw error;
    // A storage, directory or format failure: whatever went wrong, the answer is never "valid".
    throw new TokenError('unavailable', 'token verification is unavailable', { cause: error });
  }
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
 * When a stored token stops being accepted: the stricter of the record's
 * expiry and the string's own (a JWT's `exp`), or null for never.
 *
 * @throws {TokenError} `token_revoked`, `token_expired`.
 */
function liveUntil(record: TokenRecord, at: number, stringExpiresAt?: number): number | null {
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
  expiresAt: number | null,
  session?: SessionFields,
  meter?: MeterFields,
): Principal {
  const fields: PrincipalFields = {
    tokenId: record.id,
    type: record.type,
    tenant: record.tenant,
    owner: record.owner,
    name: record.name,
    grants: effectiveGrants(record, owner),
    ownerIsAdmin: owner?.admin === true,
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
  };
  const withSession = session === undefined ? fields : { ...fields, session };
  return createPrincipal(meter === undefined ? withSession : { ...withSession, ...meter }, context.brand);
}

/**
 * The principal of a live token with a meter, once this verification has
 * spent from it: last, after the tenant asked for is checked too, so a
 * refused verification never costs anything.
 */
async function meteredPrincipal(
  context: ServiceContext,
  record: TokenRecord,
  owner: DirectoryUser | null,
  expiresAt: number | null,
  at: number,
  options: VerifyOptions | undefined,
  spend: SpendRequest | null | undefined,
  session?: SessionFields,
): Promise<Principal> {
  const meter = record.meter!;
  if (options?.tenant !== undefined && record.tenant !== options.tenant) throw tokenInvalid();
  const request = spend === undefined ? requestedSpend(undefined) : spend;
  const fields =
    request === null
      ? meterFields(meter, creditsAt(meter, at).remaining)
      : await spendFor(context, record, meter, request, at);
  return principalFor(context, record, owner, expiresAt, session, fields);
}

/**
 * A session token from `exchange`: valid while it is not signed out and its
 * parent is live and not rotated since. One lookup reads both (the store's
 * `findSession`); a metered parent pays for each use of its sessions.
 */
async function verifySession(
  context: ServiceContext,
  token: string,
  at: number,
  options: VerifyOptions | undefined,
  spend: SpendRequest | null | undefined,
): Promise<Principal> {
  const claims: SessionClaims | null = await context.settings.sessions!.codec.parse(token);
  if (claims === null) throw tokenInvalid();
  if (claims.expiresAt <= at) throw new TokenError('token_expired', 'the session has expired');
  const { parent, revoked } = await context.repository.findSession!(claims.sessionId, claims.parentId);
  if (parent === null || parent.tenant !== claims.tenant) throw tokenInvalid();
  if (revoked) throw new TokenError('token_revoked', 'the session has been signed out');
  // A rotation of the parent ends every session made from the old secret.
  if (parent.rotatedAt !== claims.parentRotatedAt) throw new TokenError('token_revoked', 'the session has ended');
  const owner = await currentOwner(context, parent);
  const expiresAt = liveUntil(parent, at);
  const session = { id: claims.sessionId, expiresAt: new Date(claims.expiresAt) };
  return parent.meter == null
    ? principalFor(context, parent, owner, expiresAt, session)
    : meteredPrincipal(context, parent, owner, expiresAt, at, options, spend, session);
}
