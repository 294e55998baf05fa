/**
 * @internal Mapping between SQLite rows and domain records. Token rows are
 * read as arrays (better-sqlite3's raw mode) and become records through one
 * object literal: that makes `findById` cheaper than a plain `SELECT *`,
 * whose driver-built row objects cost more than the lookup (issue 12).
 */

import type {
  ClaimRecord,
  DurationPolicy,
  Grant,
  TokenEvent,
  TokenMeta,
  TokenMeter,
  TokenRecord,
} from '../../core/types.js';
import { TOKEN_COLUMN_NAMES, tokenColumnValues, tokenFromColumnValues } from '../shared/sql-columns.js';

/**
 * The token columns in `TOKEN_COLUMN_NAMES` order. Statements that select
 * them run in raw mode (each row an array), see `toRecord`.
 */
export const TOKEN_COLUMNS = TOKEN_COLUMN_NAMES.join(', ');

/** A token row as selected with `TOKEN_COLUMNS` in raw mode: grants, meter and meta still JSON text, `enabled` 1 or 0. */
export type TokenRow = readonly unknown[];

/** Turns a selected row into a record. */
export function toRecord(row: TokenRow): TokenRecord {
  const grants = row[6] as string | null;
  const meter = row[19] as string | null;
  const meta = row[20] as string | null;
  return tokenFromColumnValues(row, {
    grants: grants === null ? null : (JSON.parse(grants) as Grant[]),
    meter: meter === null ? null : (JSON.parse(meter) as TokenMeter),
    meta: meta === null ? null : (JSON.parse(meta) as TokenMeta),
  });
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
