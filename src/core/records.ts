import type { ParsedClaims } from './format-types.js';
import { creditsAt } from './metering.js';
import type { TokenEvent, TokenEventInfo, TokenInfo, TokenMeter, TokenRecord, TokenStatus } from './types.js';

/** True when the token is neither revoked nor expired at `now`. */
export function isLive(record: TokenRecord, now: number): boolean {
  return record.revokedAt === null && (record.expiresAt === null || record.expiresAt > now);
}

/** The token's state at `now`; revocation wins over expiry. */
export function statusOf(record: TokenRecord, now: number): TokenStatus {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt <= now) return 'expired';
  return 'active';
}

function date(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/** The public view of a record: never its hashes. */
export function toInfo(record: TokenRecord, now: number): TokenInfo {
  return {
    id: record.id,
    tenant: record.tenant,
    type: record.type,
    owner: record.owner,
    name: record.name,
    comment: record.comment,
    grants: record.grants,
    status: statusOf(record, now),
    createdAt: new Date(record.createdAt),
    expiresAt: date(record.expiresAt),
    revokedAt: date(record.revokedAt),
    rotatedAt: date(record.rotatedAt),
    lastUsedAt: date(record.lastUsedAt),
    createdBy: record.createdBy,
    meta: record.meta,
    enabled: record.enabled,
    ...meterInfo(record.meter ?? null, now),
  };
}

const UNMETERED = { ratelimits: Object.freeze([]), remaining: null, refill: null } as const;

/** The public view of a meter at `now`: credits with any refill that has come due. */
function meterInfo(meter: TokenMeter | null, now: number): Pick<TokenInfo, 'ratelimits' | 'remaining' | 'refill'> {
  if (meter === null) return UNMETERED;
  const credits = creditsAt(meter, now);
  const { refill } = meter;
  return {
    ratelimits: meter.ratelimits,
    remaining: credits.remaining,
    refill: refill === null ? null : { ...refill, lastRefillAt: new Date(credits.lastRefillAt ?? 0) },
  };
}

/** The public view of an event: its time as a `Date`. */
export function toEventInfo(event: TokenEvent): TokenEventInfo {
  return { ...event, at: new Date(event.at) };
}

/** The earlier of two expiries, where null means "none". */
export function earlierExpiry(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}

/** True when what a token string claims (tenant, owner) is what its record says. */
export function claimsAgree(record: TokenRecord, claims: ParsedClaims): boolean {
  return claims.tenant === record.tenant && claims.owner === record.owner;
}

/**
 * The `rotatedAt` of a secret replacing the record's current one (epoch
 * ms): `now`, but always at least 1 ms after the current secret's stamp
 * (its `rotatedAt`, else `createdAt`). The principals, sessions and claim
 * codes of a secret are tied to it by this stamp (src/service/authority.ts,
 * src/service/sharer.ts), so it must name one secret exactly: two
 * rotations within one millisecond, or after the clock stepped back, still
 * get different stamps. The stamp may therefore run a few ms ahead of the
 * clock when rotations come faster than the clock moves (outside review 3).
 */
export function nextRotation(record: TokenRecord, now: number): number {
  return Math.max(now, record.createdAt + 1, (record.rotatedAt ?? 0) + 1);
}
