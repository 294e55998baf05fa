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
 * A new per-record check goes into `checkStored` (synchronous), as the
 * disabled flag of issue 13 does. A token with a meter (rate limits, usage
 * credits, issue 13) spends from it after every other check has passed,
 * through the store's atomic `spend` (src/service/metering.ts): it always
 * takes the promise path, while a token without one pays one field check.
 * Imported keys (a legacy prefix, looked up by hash) take the promise path
 * too.
 */
import { effectiveGrants } from '../core/authority.js';
import { isTokenError, TokenError } from '../core/errors.js';
import type { ParsedToken, SessionClaims } from '../core/format-types.js';
import { keyDigest, legacyPrefixOf, lookupCandidates } from '../core/imported-keys.js';
import type { SpendRequest } from '../core/metering.js';
import { creditsAt } from '../core/metering.js';
import { type PrincipalFields, principalOfRecord } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import { claimsAgree, earlierExpiry } from '../core/records.js';
import type { TokenRepository, VerificationRecord } from '../core/repository.js';
import { forgetParsed } from '../core/secret-block.js';
import { isThenable } from '../core/thenable.js';
import type { DirectoryUser, TokenRecord } from '../core/types.js';
import { findVerificationEntry, verificationPrincipal } from '../core/verification-tokens.js';
import { currentOwner } from './authority.js';
import { type ServiceContext, tokenInvalid } from './context.js';
import { callHook } from './hooks.js';
import { rehashIfImported } from './imported.js';
import { DEFAULT_SPEND, type MeterFields, meterFields, spendFor, verifyRequest } from './metering.js';
import { MAX_TOKEN_LENGTH } from './options.js';
import type { VerifyOptions } from './types.js';

type Answer<T> = T | Promise<T>;

/** A session's part of its principal. */
type SessionFields = PrincipalFields['session'];

/** What one call carries through its steps besides the token. */
interface Call {
  readonly at: number;
  /** The tenant the options ask for (undefined: any), read once with them. */
  readonly tenant: string | undefined;
  /** What a metered token spends (null for cost 0). */
  readonly spend: SpendRequest | null;
  /** The stored token the string names, for `onVerificationFailed` (never the string itself). */
  named: string | null;
  /** Set when the secret matched was the previous one, in its rotation grace period. */
  graced: boolean;
}

/** See `TokenService.verify`. */
export function verify(context: ServiceContext, token: string, options?: VerifyOptions): Promise<Principal> {
  try {
    // Promise.resolve hands the promise path's promise back as it is.
    return Promise.resolve(verifyNow(context, token, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * `verify` answering directly when it can (src/core/immediate-verify.ts):
 * the principal itself when every step answered directly, a promise when
 * one waits; a refusal throws its `TokenError` at once (after
 * `onVerificationFailed` has been called, as for `verify`).
 *
 * @throws {TokenError} every code `verify` rejects with.
 */
export function verifyNow(context: ServiceContext, token: string, options?: VerifyOptions): Answer<Principal> {
  let call: Call | undefined;
  try {
    // Read once, own keys only, and checked whatever the token turns out to be: a bad cost is the
    // caller's error, not the token's. Without options nothing is read or made (issue 12).
    const asked = options === undefined ? undefined : verifyRequest(options);
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) throw tokenInvalid();
    const tenant = asked?.tenant;
    call = {
      at: context.now(),
      tenant,
      spend: asked === undefined ? DEFAULT_SPEND : asked.spend,
      named: null,
      graced: false,
    };
    const answer = verifyString(context, token, call);
    if (answer instanceof Promise) {
      const pending = call;
      return answer.then(
        (principal) => {
          try {
            return inTenant(principal, tenant);
          } catch (error) {
            // A refusal for the tenant is heard by onVerificationFailed too (outside review, issue 12).
            throw failed(context, error, pending);
          }
        },
        (error: unknown) => Promise.reject(failed(context, error, pending)),
      );
    }
    return inTenant(answer, tenant);
  } catch (error) {
    throw failed(context, error, call);
  } finally {
    // Nothing the parse read for the keyed hash stays behind this call (src/core/secret-block.ts).
    forgetParsed();
  }
}

/**
 * A refusal as answered: a storage, directory or format failure is never
 * "valid" (`unavailable`); `onVerificationFailed` hears of it.
 */
function failed(context: ServiceContext, error: unknown, call: Call | undefined): TokenError {
  const failure = isTokenError(error)
    ? error
    : new TokenError('unavailable', 'token verification is unavailable', { cause: error });
  void callHook(context, 'onVerificationFailed', () => ({
    code: failure.code,
    tokenId: call?.named ?? null,
    at: new Date(context.now()),
  }));
  return failure;
}

function inTenant(principal: Principal, tenant: string | undefined): Principal {
  if (tenant !== undefined && principal.tenant !== tenant) throw tokenInvalid();
  return principal;
}

function verifyString(context: ServiceContext, token: string, call: Call): Answer<Principal> {
  const { sessions, enablePersonalTokens } = context.settings;
  if (sessions?.codec.looksLike(token)) {
    if (!enablePersonalTokens) throw tokenInvalid();
    return verifySession(context, token, call);
  }
  const parsing = context.format.parse(token);
  // A thenable of any kind is awaited (src/core/thenable.ts); Promise.resolve hands a native one back as it is.
  if (isThenable(parsing)) return Promise.resolve(parsing).then((parsed) => verifyParsed(context, token, parsed, call));
  return verifyParsed(context, token, parsing, call);
}

function verifyParsed(
  context: ServiceContext,
  token: string,
  parsed: ParsedToken | null,
  call: Call,
): Answer<Principal> {
  if (parsed === null) {
    // Not a tokenward string: an imported key if it has a legacy prefix, else a verification token.
    return legacyPrefixOf(token, context.settings.legacyPrefixes) === undefined
      ? verifyStatic(context, token)
      : verifyImported(context, token, call);
  }
  if (!context.settings.enablePersonalTokens) throw tokenInvalid();
  call.named = parsed.id;
  const found = findRecord(context.repository, parsed.id);
  if (isThenable(found)) return Promise.resolve(found).then((record) => verifyStored(context, parsed, record, call));
  return verifyStored(context, parsed, found, call);
}

/**
 * The stored token: from `findByIdSync` when the store answers there (asked
 * for its verification form, whose hash may be words), else from `findById`.
 */
function findRecord(repository: TokenRepository, id: string): Answer<VerificationRecord | null> {
  const known = repository.findByIdSync?.(id, 'verification');
  return known === undefined ? repository.findById(id) : known;
}

function verifyStored(
  context: ServiceContext,
  parsed: ParsedToken,
  record: VerificationRecord | null,
  call: Call,
): Answer<Principal> {
  const matched = record === null ? null : secretMatches(context, record, parsed.secret, call.at);
  if (record === null || record.type !== parsed.type || matched === null) throw tokenInvalid();
  call.graced = matched === 'previous';
  // A string that says another tenant or owner than its record is forged or re-signed (issue 8).
  if (parsed.claims !== undefined && !claimsAgree(record, parsed.claims)) throw tokenInvalid();
  const stringExpiresAt = parsed.claims?.expiresAt;
  const looking = currentOwner(context, record);
  if (looking instanceof Promise) {
    return looking.then((owner) => verifiedPrincipal(context, record, owner, call, stringExpiresAt));
  }
  return verifiedPrincipal(context, record, looking, call, stringExpiresAt);
}

/**
 * The principal of a stored token whose secret matched, once its per-record
 * checks pass; its use is noted only when it is accepted. A metered token
 * leaves the fast path here: its spend is the store's atomic call.
 */
function verifiedPrincipal(
  context: ServiceContext,
  record: TokenRecord,
  owner: DirectoryUser | null,
  call: Call,
  stringExpiresAt: number | undefined,
): Answer<Principal> {
  // Before anything is noted or spent: a token refused for another tenant leaves no trace of use
  // (outside review, issue 12; `inTenant` answers alike for the paths without a record).
  if (call.tenant !== undefined && record.tenant !== call.tenant) throw tokenInvalid();
  // A secret in its grace period is being retired: its principal ends when the grace does.
  const ends = call.graced ? earlierExpiry(record.previousExpiresAt, stringExpiresAt ?? null) : stringExpiresAt;
  const expiresAt = checkStored(record, call.at, ends ?? undefined);
  if (record.meter != null) {
    return meteredPrincipal(context, record, owner, expiresAt, call).then((principal) => {
      context.uses.note(record, call.at);
      return principal;
    });
  }
  const principal = principalFor(context, record, owner, expiresAt, call.graced);
  context.uses.note(record, call.at);
  return principal;
}

/**
 * A key imported from another system (issue 13): found by an indexed lookup
 * of its hash, valid while that hash is its current secret's (or its
 * previous one's, during a rotation's grace period); then checked and
 * metered as any stored token, and re-hashed to the keyed HMAC at its
 * first successful verification.
 */
async function verifyImported(context: ServiceContext, token: string, call: Call): Promise<Principal> {
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
    record.previousSecretHash === matched && record.previousExpiresAt !== null && record.previousExpiresAt > call.at;
  if (!current && !graced) throw tokenInvalid();
  call.graced = !current;
  const owner = await currentOwner(context, record);
  const principal = await verifiedPrincipal(context, record, owner, call, undefined);
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

/** Which secret `secret` is: the current one, the previous one during its rotation grace period, or neither (null). */
function secretMatches(
  context: ServiceContext,
  record: VerificationRecord,
  secret: string,
  at: number,
): 'current' | 'previous' | null {
  const { peppers } = context;
  const words = record.secretWords;
  const current =
    words === undefined
      ? peppers.matches(secret, record.pepperVersion, record.secretHash)
      : peppers.matchesWords(secret, record.pepperVersion, words, record.secretWordsAt!);
  if (current) return 'current';
  const previous =
    record.previousSecretHash !== null &&
    record.previousPepperVersion !== null &&
    record.previousExpiresAt !== null &&
    record.previousExpiresAt > at &&
    peppers.matches(secret, record.previousPepperVersion, record.previousSecretHash);
  return previous ? 'previous' : null;
}

/**
 * The per-record checks of a token whose secret matched: not revoked, not
 * expired (the stricter of the record's expiry and the string's own, a
 * JWT's `exp`), not disabled. Returns the expiry that governs, or null for
 * never. Synchronous: the fast path holds as long as these are.
 *
 * @throws {TokenError} `token_revoked`, `token_expired`, `token_disabled`.
 */
function checkStored(record: TokenRecord, at: number, stringExpiresAt?: number): number | null {
  if (record.revokedAt !== null) throw new TokenError('token_revoked', 'the token has been revoked');
  const expiresAt = earlierExpiry(record.expiresAt, stringExpiresAt ?? null);
  if (expiresAt !== null && expiresAt <= at) throw new TokenError('token_expired', 'the token has expired');
  if (!record.enabled) throw new TokenError('token_disabled', 'the token is disabled');
  return expiresAt;
}

/**
 * The principal of a live stored token, with its owner's privileges as they
 * are now, stamped with the secret it was verified with (`graced`: the
 * previous one; a session's is its parent's secret, whose rotation ends it).
 */
function principalFor(
  context: ServiceContext,
  record: TokenRecord,
  owner: DirectoryUser | null,
  expiresAt: number | null,
  graced: boolean,
  session?: SessionFields,
  meter?: MeterFields,
): Principal {
  const grants = effectiveGrants(record, owner);
  const ends = expiresAt === null ? null : new Date(expiresAt);
  const optional = session === undefined ? meter : { ...meter, session };
  return principalOfRecord(record, context.brand, graced, grants, owner?.admin === true, ends, optional);
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
  call: Call,
  session?: SessionFields,
): Promise<Principal> {
  const meter = record.meter!;
  const { at, tenant, spend: request } = call;
  if (tenant !== undefined && record.tenant !== tenant) throw tokenInvalid();
  const fields =
    request === null
      ? meterFields(meter, creditsAt(meter, at).remaining)
      : await spendFor(context, record, meter, request, at);
  return principalFor(context, record, owner, expiresAt, call.graced, session, fields);
}

/**
 * A session token from `exchange`: valid while it is not signed out and its
 * parent is live, enabled and not rotated since. One lookup reads both (the
 * store's `findSession`); a metered parent pays for each use of its sessions.
 */
async function verifySession(context: ServiceContext, token: string, call: Call): Promise<Principal> {
  const claims: SessionClaims | null = await context.settings.sessions!.codec.parse(token);
  if (claims === null) throw tokenInvalid();
  if (claims.expiresAt <= call.at) throw new TokenError('token_expired', 'the session has expired');
  const { parent, revoked } = await context.repository.findSession!(claims.sessionId, claims.parentId);
  if (parent === null || parent.tenant !== claims.tenant) throw tokenInvalid();
  if (revoked) throw new TokenError('token_revoked', 'the session has been signed out');
  // A rotation of the parent ends every session made from the old secret.
  if (parent.rotatedAt !== claims.parentRotatedAt) throw new TokenError('token_revoked', 'the session has ended');
  const owner = await currentOwner(context, parent);
  const expiresAt = checkStored(parent, call.at);
  const session = { id: claims.sessionId, expiresAt: new Date(claims.expiresAt) };
  return parent.meter == null
    ? principalFor(context, parent, owner, expiresAt, false, session)
    : meteredPrincipal(context, parent, owner, expiresAt, call, session);
}
