import type { RecordChange } from '../../core/repository.js';
import type { Grant, TokenEvent, TokenMeter, TokenRecord } from '../../core/types.js';

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
  'meter',
] as const;

/** @internal A record's values for `TOKEN_COLUMN_NAMES`, in order; grants and meter as JSON text. */
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
    record.meter == null ? null : JSON.stringify(record.meter),
  ];
}

/** A nullable number column as a driver returns it: a number, a `bigint` as text (PostgreSQL), or null. */
function numberOrNull(value: unknown): number | null {
  return value === null ? null : Number(value);
}

/**
 * @internal The record in a row read as an array of `TOKEN_COLUMN_NAMES`
 * values (better-sqlite3's raw mode, `pg`'s `rowMode: 'array'`): a fresh
 * object of one fixed shape, built by an object literal. Reading rows as
 * arrays spares the driver a named property per column, which costs more
 * than the index lookup itself (issue 12). `grants` comes decoded, since
 * each driver returns JSON its own way; so does `meter`.
 */
export function tokenFromColumnValues(
  values: readonly unknown[],
  grants: readonly Grant[] | null,
  meter: TokenMeter | null,
): TokenRecord {
  return {
    id: values[0] as string,
    tenant: values[1] as string,
    type: values[2] as TokenRecord['type'],
    owner: values[3] as string | null,
    name: values[4] as string,
    comment: values[5] as string,
    grants,
    secretHash: values[7] as string,
    pepperVersion: Number(values[8]),
    previousSecretHash: values[9] as string | null,
    previousPepperVersion: numberOrNull(values[10]),
    previousExpiresAt: numberOrNull(values[11]),
    createdAt: Number(values[12]),
    expiresAt: numberOrNull(values[13]),
    revokedAt: numberOrNull(values[14]),
    rotatedAt: numberOrNull(values[15]),
    lastUsedAt: numberOrNull(values[16]),
    createdBy: values[17] as string,
    version: Number(values[18]),
    meter,
  };
}

/** @internal The columns of the events table, in the order `eventColumnValues` gives their values. */
export const EVENT_COLUMN_NAMES = ['id', 'token_id', 'tenant', 'type', 'actor', 'operation', 'detail', 'at'] as const;

/** @internal An event's values for `EVENT_COLUMN_NAMES`, in order; the detail as JSON text. */
export function eventColumnValues(event: TokenEvent): unknown[] {
  return [
    event.id,
    event.tokenId,
    event.tenant,
    event.type,
    event.actor,
    event.operation,
    event.detail === null ? null : JSON.stringify(event.detail),
    event.at,
  ];
}

/** @internal The fields `update` may change and their columns, for the SET list. */
export const CHANGE_COLUMNS: readonly (readonly [keyof RecordChange, string])[] = [
  ['comment', 'comment'],
  ['secretHash', 'secret_hash'],
  ['pepperVersion', 'pepper_version'],
  ['previousSecretHash', 'previous_secret_hash'],
  ['previousPepperVersion', 'previous_pepper_version'],
  ['previousExpiresAt', 'previous_expires_at'],
  ['rotatedAt', 'rotated_at'],
];
