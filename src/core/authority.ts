import { isAdminUser, ownUserField } from './directory.js';
import { TokenError } from './errors.js';
import { grantSetCovers, intersectGrantSets, readOnlyGrants } from './grants.js';
import { creditsAt } from './metering.js';
import type { DirectoryUser, Grant, GrantSet, RateLimit, Refill, TokenRecord } from './types.js';

/**
 * @internal A credential's authority and the subset test between two of
 * them: the rule "authority only narrows" (issue 8; SPEC §2) is that a call
 * made through a token never hands out, reveals or changes a credential
 * whose authority is not within the token's own.
 */

/**
 * Management powers beyond grants:
 * - `issue`: creates tokens (master tokens only, SPEC §2);
 * - `admin`: acts FOR USER, issues administrative tokens, sets policies
 *   (the master token of a tenant admin);
 * - `tenant`: reaches tokens of the whole tenant (administrative tokens,
 *   and the master token of a tenant admin).
 */
export type Power = 'issue' | 'admin' | 'tenant';

/** What one stored credential may do at one instant. */
export interface Authority {
  readonly tenant: string;
  /** The user whose live privileges it follows; null for a token without owner. */
  readonly owner: string | null;
  /** Effective grants now (the owner's live privileges, narrowed by the token's grants). */
  readonly grants: GrantSet;
  /**
   * The token's own narrowing as stored (null: none). Two tokens of one
   * owner follow the same live privileges, so they are also compared by
   * these: a token narrowed today must not obtain one that grows with its
   * owner's privileges tomorrow.
   */
  readonly narrowing: readonly Grant[] | null;
  /** Epoch milliseconds; null means no expiry (unbounded). */
  readonly expiresAt: number | null;
  readonly powers: readonly Power[];
  /**
   * What restrains its use (docs/limits.md): its rate limits, its credits
   * left now and their refill; null for an unmetered token, which nothing
   * restrains.
   */
  readonly meter: MeterBound | null;
}

/** A metered token's restraints, for comparing two tokens (see `meterWithin`). */
export interface MeterBound {
  readonly ratelimits: readonly RateLimit[];
  /** Credits left now (a due refill counted); null for unlimited use. */
  readonly remaining: number | null;
  readonly refill: Refill | null;
}

/**
 * A user's own grants: everything for admins (SPEC §2), otherwise the
 * directory's list as `readOnlyGrants` holds it: copied once, read by
 * index, so every later step (a limited token's intersection, the
 * principal) reads the same grants the one way (outside review, issue 12).
 *
 * @throws {TokenError} `unavailable` when the directory's `grants` is
 *   neither `'all'` nor an array of grant objects (a `Set`, an object, a
 *   list with a hole): the directory is broken, so nothing is granted.
 */
export function userGrants(user: DirectoryUser): GrantSet {
  if (isAdminUser(user)) return 'all';
  const grants = ownUserField(user, 'grants') ?? [];
  try {
    // `'all'` (a user's full access) comes back as it is; anything but an array is refused there.
    return readOnlyGrants(grants);
  } catch (error) {
    throw new TokenError('unavailable', "the directory answered a user's grants that are not a grant list", {
      cause: error,
    });
  }
}

/**
 * What a stored token may do now, given its owner as the directory answers
 * (null: gone or inactive, which leaves an owned token nothing): master and
 * ownerless tokens their own grants (everything unless narrowed), personal
 * and limited tokens the owner's privileges narrowed by their grants.
 */
export function effectiveGrants(record: TokenRecord, owner: DirectoryUser | null): GrantSet {
  if (record.owner === null) return record.grants ?? 'all';
  if (owner === null) return [];
  if (record.type === 'master') return 'all';
  const own = userGrants(owner);
  return record.grants === null ? own : intersectGrantSets(record.grants, own);
}

/** The management powers of a stored token (see `Power`). */
export function powersOf(record: TokenRecord, owner: DirectoryUser | null): readonly Power[] {
  if (record.type === 'administrative') return ['tenant'];
  if (record.type !== 'master' || owner === null) return [];
  return isAdminUser(owner) ? ['issue', 'admin', 'tenant'] : ['issue'];
}

/**
 * The authority of a stored token at `now` (see `effectiveGrants`,
 * `powersOf`; `now` counts a refill of credits that has come due).
 */
export function authorityOf(record: TokenRecord, owner: DirectoryUser | null, now = 0): Authority {
  const meter = record.meter ?? null;
  return {
    tenant: record.tenant,
    owner: record.owner,
    grants: effectiveGrants(record, owner),
    narrowing: record.grants,
    expiresAt: record.expiresAt,
    powers: powersOf(record, owner),
    meter:
      meter === null
        ? null
        : { ratelimits: meter.ratelimits, remaining: creditsAt(meter, now).remaining, refill: meter.refill },
  };
}

/**
 * True when a token restrained by `inner` is restrained at least as much as
 * one restrained by `outer`: nothing restrains `outer` (null), or `inner`
 * has no more credits left and no more generous refill where `outer` has
 * credits, and for each of `outer`'s rate limits a limit of the same name
 * (routes spend limits by name) that holds no more at once and refills no
 * faster. A metered token never reaches an unmetered one.
 */
export function meterWithin(inner: MeterBound | null, outer: MeterBound | null): boolean {
  if (outer === null) return true;
  if (inner === null) return false;
  if (outer.remaining !== null) {
    if (inner.remaining === null || inner.remaining > outer.remaining) return false;
    const { refill } = inner;
    const cap = outer.refill;
    if (refill !== null && (cap === null || refill.amount > cap.amount || refill.interval < cap.interval)) return false;
  }
  return outer.ratelimits.every((limit) =>
    inner.ratelimits.some(
      // limit/duration no higher: cross-multiplied, below 2^53 within the bounds ratelimit accepts.
      (own) =>
        own.name === limit.name && own.limit <= limit.limit && own.limit * limit.duration <= limit.limit * own.duration,
    ),
  );
}

/** True when a token with no expiry or a later one outlives `inner`'s. */
function outlives(outer: number | null, inner: number | null): boolean {
  if (outer === null) return true;
  return inner !== null && inner <= outer;
}

/**
 * True when `inner` is within `outer`: same tenant, grants a subset (and,
 * for two tokens of one owner, narrowing a subset too), expiry no later
 * (none = unbounded), no power `outer` lacks, and restrained by its meter
 * at least as much (`meterWithin`).
 */
export function within(inner: Authority, outer: Authority): boolean {
  if (inner.tenant !== outer.tenant) return false;
  if (!grantSetCovers(outer.grants, inner.grants)) return false;
  if (inner.owner !== null && inner.owner === outer.owner) {
    const outerNarrowing: GrantSet = outer.narrowing ?? 'all';
    if (!grantSetCovers(outerNarrowing, inner.narrowing ?? 'all')) return false;
  }
  if (!outlives(outer.expiresAt, inner.expiresAt)) return false;
  if (!meterWithin(inner.meter, outer.meter)) return false;
  return inner.powers.every((power) => outer.powers.includes(power));
}
