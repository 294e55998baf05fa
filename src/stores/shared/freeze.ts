/**
 * @internal Immutable copies of what the memory repository stores. Records
 * are copied field by field (so a caller's later changes to its own object
 * cannot reach storage, and every stored record has the same shape) and
 * frozen, so the repository can hand out the stored object itself.
 */
import type { ClaimRecord, DurationPolicy, Grant, TokenEvent, TokenRecord } from '../../core/types.js';

function frozenGrant(grant: Grant): Grant {
  if ('bucket' in grant) return Object.freeze({ bucket: grant.bucket, access: grant.access });
  if ('component' in grant) {
    return Object.freeze(
      grant.actions === undefined
        ? { component: grant.component }
        : { component: grant.component, actions: Object.freeze([...grant.actions]) },
    );
  }
  return Object.freeze({ scope: grant.scope });
}

/** A frozen copy of a list of grants (or null). */
export function frozenGrants(grants: readonly Grant[] | null): readonly Grant[] | null {
  return grants === null ? null : Object.freeze(grants.map(frozenGrant));
}

/**
 * A frozen copy of `record`. `grants` is passed separately so that a change
 * which keeps the grants can reuse the already frozen array.
 */
export function frozenRecord(record: TokenRecord, grants: readonly Grant[] | null): TokenRecord {
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
  });
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
