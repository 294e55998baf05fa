/**
 * @internal Immutable copies of what the memory repository stores. Records
 * are copied field by field (so a caller's later changes to its own object
 * cannot reach storage, and every stored record has the same shape) and
 * frozen, so the repository can hand out the stored object itself.
 */
import { frozenGrantList } from '../../core/grants.js';
import type {
  ClaimRecord,
  DurationPolicy,
  Grant,
  TokenEvent,
  TokenMeta,
  TokenMeter,
  TokenRecord,
} from '../../core/types.js';

/** A frozen copy of a list of grants (or null). */
export function frozenGrants(grants: readonly Grant[] | null): readonly Grant[] | null {
  return grants === null ? null : frozenGrantList(grants);
}

/** A frozen deep copy of a token's metadata (plain JSON data), or null. */
export function frozenMeta(meta: TokenMeta | null): TokenMeta | null {
  return meta === null ? null : deepFreeze(structuredClone(meta));
}

/**
 * A frozen copy of `record`. `grants` and `meta` are passed separately so
 * that a change which keeps them can reuse the already frozen values
 * (`meta` defaults to the record's own, which must then be frozen already).
 */
export function frozenRecord(
  record: TokenRecord,
  grants: readonly Grant[] | null,
  meta: TokenMeta | null = record.meta,
): TokenRecord {
  return Object.freeze({
    id: record.id,
    tenant: record.tenant,
    type: record.type,
    owner: record.owner,
    name: record.name,
    comment: record.comment,
    grants,
    secretHash: record.secretHash,
    pepperVersion: record.pepperVersion,
    previousSecretHash: record.previousSecretHash,
    previousPepperVersion: record.previousPepperVersion,
    previousExpiresAt: record.previousExpiresAt,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    rotatedAt: record.rotatedAt,
    lastUsedAt: record.lastUsedAt,
    createdBy: record.createdBy,
    version: record.version,
    // Absent from records of stores written before meters: no meter.
    meter: record.meter == null ? null : frozenMeter(record.meter),
    meta,
    enabled: record.enabled,
    lookupHash: record.lookupHash,
  });
}

/** Meters made by `frozenMeter`: deeply frozen, so they are shared rather than copied again. */
const FROZEN_METERS = new WeakSet<TokenMeter>();

/** A frozen deep copy of a meter (one made here is shared: a spend replaces the meter, never changes it). */
export function frozenMeter(meter: TokenMeter): TokenMeter {
  if (FROZEN_METERS.has(meter)) return meter;
  const copy: TokenMeter = Object.freeze({
    ratelimits: Object.freeze(
      meter.ratelimits.map((limit) =>
        Object.freeze({ name: limit.name, limit: limit.limit, duration: limit.duration }),
      ),
    ),
    remaining: meter.remaining,
    refill:
      meter.refill === null ? null : Object.freeze({ interval: meter.refill.interval, amount: meter.refill.amount }),
    lastRefillAt: meter.lastRefillAt,
  });
  FROZEN_METERS.add(copy);
  return copy;
}

/** `value` frozen, with every object inside it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** A frozen deep copy of an event (its `detail` is plain JSON data). */
export function frozenEvent(event: TokenEvent): TokenEvent {
  return Object.freeze({
    id: event.id,
    tokenId: event.tokenId,
    tenant: event.tenant,
    type: event.type,
    actor: event.actor,
    operation: event.operation,
    detail: event.detail === null ? null : deepFreeze(structuredClone(event.detail)),
    at: event.at,
  });
}

/** A frozen copy of a claim. */
export function frozenClaim(claim: ClaimRecord): ClaimRecord {
  return Object.freeze({
    codeHash: claim.codeHash,
    tokenId: claim.tokenId,
    tenant: claim.tenant,
    createdAt: claim.createdAt,
    expiresAt: claim.expiresAt,
    createdBy: claim.createdBy,
  });
}

/** A frozen copy of a policy. */
export function frozenPolicy(policy: DurationPolicy): DurationPolicy {
  return Object.freeze({
    tenant: policy.tenant,
    subject: Object.freeze({ kind: policy.subject.kind, name: policy.subject.name }),
    maxTtl: policy.maxTtl,
    updatedAt: policy.updatedAt,
  });
}
