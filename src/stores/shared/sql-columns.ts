import type { RecordChange } from '../../core/repository.js';
import type { Grant, TokenEvent, TokenMeta, TokenMeter, TokenRecord } from '../../core/types.js';

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
  // Issue 13: metadata, enable/disable, imported keys.
  'meta',
  'enabled',
  'lookup_hash',
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
    record.meta === null ? null : JSON.stringify(record.meta),
    // 1 or 0: SQLite binds no booleans, and PostgreSQL reads '1' and '0' as booleans.
    record.enabled ? 1 : 0,
    record.lookupHash,
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
 * each driver returns JSON its own way; so do `meter` and `meta`.
 */
export function tokenFromColumnValues(
  values: readonly unknown[],
  decoded: {
    readonly grants: readonly Grant[] | null;
    readonly meter: TokenMeter | null;
    readonly meta: TokenMeta | null;
  },
): TokenRecord {
  return {
    id: values[0] as string,
    tenant: values[1] as string,
    type: values[2] as TokenRecord['type'],
    owner: values[3] as string | null,
    name: values[4] as string,
    comment: values[5] as string,
    grants: decoded.grants,
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
    meter: decoded.meter,
    meta: decoded.meta,
    // SQLite answers 1 or 0, PostgreSQL a boolean.
    enabled: values[21] === true || values[21] === 1,
    lookupHash: values[22] as string | null,
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
  // Issue 13: update in place, enable/disable, imported keys.
  ['name', 'name'],
  ['grants', 'grants'],
  ['expiresAt', 'expires_at'],
  ['meta', 'meta'],
  ['enabled', 'enabled'],
  ['lookupHash', 'lookup_hash'],
];

/**
 * @internal A change's value as the SQL stores bind it: grants and meta as
 * JSON text (null stays null), `enabled` as 1 or 0, as `tokenColumnValues`.
 */
export function changeValue(field: keyof RecordChange, change: RecordChange): unknown {
  const value = change[field];
  if ((field === 'grants' || field === 'meta') && value !== null) return JSON.stringify(value);
  if (field === 'enabled') return value ? 1 : 0;
  return value;
}
