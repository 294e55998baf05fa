/**
 * @internal Rows of the PostgreSQL store and the domain records they hold.
 * `bigint` columns arrive from `pg` as strings; they are epoch milliseconds
 * (well inside the safe-integer range) and are parsed back to numbers here.
 * Token rows are read as arrays (`rowMode: 'array'`), which `pg` builds
 * with less work than an object per row (issue 12).
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
import {
  EVENT_COLUMN_NAMES,
  TOKEN_COLUMN_NAMES,
  tokenColumnValues,
  tokenFromColumnValues,
} from '../shared/sql-columns.js';

/** Columns of the tokens table, in the order `tokenValues` produces them. */
export const TOKEN_COLUMNS = TOKEN_COLUMN_NAMES;

/** `id, tenant, …` for SELECT and RETURNING lists. */
export const TOKEN_SELECT = TOKEN_COLUMNS.join(', ');

/** The record in a row read with `rowMode: 'array'` (`TOKEN_COLUMNS` in order; `pg` has decoded the jsonb of grants, meter and meta). */
export function tokenFromValues(values: readonly unknown[]): TokenRecord {
  return tokenFromColumnValues(values, {
    grants: values[6] as Grant[] | null,
    meter: values[19] as TokenMeter | null,
    meta: values[20] as TokenMeta | null,
  });
}

/** Parameter values for `TOKEN_COLUMNS`, in order. */
export const tokenValues: (record: TokenRecord) => unknown[] = tokenColumnValues;

// Parameters of a SELECT list need explicit types (they have no column to infer them from).
export const TOKEN_CASTS = [
  'text', // id
  'text', // tenant
  'text', // type
  'text', // owner
  'text', // name
  'text', // comment
  'jsonb', // grants
  'text', // secret_hash
  'integer', // pepper_version
  'text', // previous_secret_hash
  'integer', // previous_pepper_version
  'bigint', // previous_expires_at
  'bigint', // created_at
  'bigint', // expires_at
  'bigint', // revoked_at
  'bigint', // rotated_at
  'bigint', // last_used_at
  'text', // created_by
  'integer', // version
  'jsonb', // meter
  'jsonb', // meta
  'boolean', // enabled
  'text', // lookup_hash
] as const;
export const EVENT_CASTS = ['text', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'bigint'] as const;

/** Columns of the events table, in the order `eventColumnValues` produces them. */
export const EVENT_COLUMNS = EVENT_COLUMN_NAMES;

/** A row of the events table as `pg` returns it. */
export interface EventRow {
  id: string;
  token_id: string;
  tenant: string;
  type: TokenEvent['type'];
  actor: string;
  operation: string;
  detail: Record<string, unknown> | null;
  at: string;
}

export function eventFromRow(row: EventRow): TokenEvent {
  return {
    id: row.id,
    tokenId: row.token_id,
    tenant: row.tenant,
    type: row.type,
    actor: row.actor,
    operation: row.operation,
    detail: row.detail,
    at: Number(row.at),
  };
}

/** A row of the claims table as `pg` returns it. */
export interface ClaimRow {
  code_hash: string;
  token_id: string;
  tenant: string;
  created_at: string;
  expires_at: string;
  created_by: string;
}

export function claimFromRow(row: ClaimRow): ClaimRecord {
  return {
    codeHash: row.code_hash,
    tokenId: row.token_id,
    tenant: row.tenant,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    createdBy: row.created_by,
  };
}

/** A row of the policies table as `pg` returns it. */
export interface PolicyRow {
  tenant: string;
  kind: 'user' | 'role';
  name: string;
  max_ttl: string;
  updated_at: string;
}

export function policyFromRow(row: PolicyRow): DurationPolicy {
  return {
    tenant: row.tenant,
    subject: { kind: row.kind, name: row.name },
    maxTtl: Number(row.max_ttl),
    updatedAt: Number(row.updated_at),
  };
}

/** `$<from>, $<from+1>, …` for `count` parameters. */
export function placeholders(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}
