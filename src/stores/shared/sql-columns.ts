import type { TokenRecord } from '../../core/types.js';

/**
 * @internal The columns of the SQL stores' tokens table, in the order
 * `tokenColumnValues` gives their values. Shared by `tokenward/sqlite` and
 * `tokenward/postgres`, so the two cannot drift apart.
 */
export const TOKEN_COLUMN_NAMES = [
  'id',
  'tenant',
  'type',
  'owner',
  'name',
  'comment',
  'grants',
  'secret_hash',
  'pepper_version',
  'previous_secret_hash',
  'previous_pepper_version',
  'previous_expires_at',
  'created_at',
  'expires_at',
  'revoked_at',
  'rotated_at',
  'last_used_at',
  'created_by',
  'version',
] as const;

/** @internal A record's values for `TOKEN_COLUMN_NAMES`, in order; grants as JSON text. */
export function tokenColumnValues(record: TokenRecord): unknown[] {
  return [
    record.id,
    record.tenant,
    record.type,
    record.owner,
    record.name,
    record.comment,
    record.grants === null ? null : JSON.stringify(record.grants),
    record.secretHash,
    record.pepperVersion,
    record.previousSecretHash,
    record.previousPepperVersion,
    record.previousExpiresAt,
    record.createdAt,
    record.expiresAt,
    record.revokedAt,
    record.rotatedAt,
    record.lastUsedAt,
    record.createdBy,
    record.version,
  ];
}
