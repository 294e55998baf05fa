/**
 * @internal Mapping between SQLite rows and domain records. Columns are
 * selected under their record names, so a row needs only its JSON columns
 * parsed to become a record: that keeps `findById` close to a raw `SELECT`.
 */

import type { ClaimRecord, DurationPolicy, Grant, TokenEvent, TokenMeta, TokenRecord } from '../../core/types.js';
import { TOKEN_COLUMN_NAMES, tokenColumnValues } from '../shared/sql-columns.js';

/** The token columns, selected under the names of `TokenRecord`'s fields. */
export const TOKEN_COLUMNS = `id, tenant, type, owner, name, comment, grants,
  secret_hash AS secretHash, pepper_version AS pepperVersion,
  previous_secret_hash AS previousSecretHash, previous_pepper_version AS previousPepperVersion,
  previous_expires_at AS previousExpiresAt, created_at AS createdAt, expires_at AS expiresAt,
  revoked_at AS revokedAt, rotated_at AS rotatedAt, last_used_at AS lastUsedAt,
  created_by AS createdBy, version,
  meta, enabled, lookup_hash AS lookupHash`;

/** A token row as selected with `TOKEN_COLUMNS`: grants and meta still JSON text, `enabled` 1 or 0. */
export type TokenRow = Omit<TokenRecord, 'grants' | 'meta' | 'enabled'> & {
  grants: string | null;
  meta: string | null;
  enabled: number;
};

/** Turns a selected row into a record (the row object is fresh, so it is reused). */
export function toRecord(row: TokenRow): TokenRecord {
  const record = row as unknown as { grants: readonly Grant[] | null; meta: TokenMeta | null; enabled: boolean };
  record.grants = row.grants === null ? null : (JSON.parse(row.grants) as Grant[]);
  record.meta = row.meta === null ? null : (JSON.parse(row.meta) as TokenMeta);
  record.enabled = row.enabled === 1;
  return record as unknown as TokenRecord;
}

/** The parameters of a token insert, in `INSERT_TOKEN` column order. */
export const tokenParams: (record: TokenRecord) => unknown[] = tokenColumnValues;

/** Inserts one token; parameters from `tokenParams`. */
export const INSERT_TOKEN = `INSERT INTO tokenward_tokens (${TOKEN_COLUMN_NAMES.join(', ')})
  VALUES (${TOKEN_COLUMN_NAMES.map(() => '?').join(', ')})`;

/** The event columns, selected under the names of `TokenEvent`'s fields. */
export const EVENT_COLUMNS = 'id, token_id AS tokenId, tenant, type, actor, operation, detail, at';

/** Turns a selected event row into an event. */
export function toEvent(row: Omit<TokenEvent, 'detail'> & { detail: string | null }): TokenEvent {
  return { ...row, detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>) };
}

/** Inserts one event; parameters from `eventColumnValues`. */
export const INSERT_EVENT =
  'INSERT INTO tokenward_events (id, token_id, tenant, type, actor, operation, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

/** The claim columns, selected under the names of `ClaimRecord`'s fields. */
export const CLAIM_COLUMNS =
  'code_hash AS codeHash, token_id AS tokenId, tenant, created_at AS createdAt, expires_at AS expiresAt, created_by AS createdBy';

/** The parameters of a claim insert. */
export function claimParams(claim: ClaimRecord): unknown[] {
  return [claim.codeHash, claim.tokenId, claim.tenant, claim.createdAt, claim.expiresAt, claim.createdBy];
}

/** A policy row as selected. */
export interface PolicyRow {
  readonly tenant: string;
  readonly kind: 'user' | 'role';
  readonly name: string;
  readonly maxTtl: number;
  readonly updatedAt: number;
}

/** Turns a selected policy row into a policy. */
export function toPolicy(row: PolicyRow): DurationPolicy {
  return {
    tenant: row.tenant,
    subject: { kind: row.kind, name: row.name },
    maxTtl: row.maxTtl,
    updatedAt: row.updatedAt,
  };
}
