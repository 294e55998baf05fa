/**
 * @internal The PostgreSQL store's side tables: pending claims, duration
 * policies and the event history. None of them takes part in verification,
 * and each call is one statement.
 */
import { TokenError } from '../../core/errors.js';
import type { EventQuery, TokenRepository } from '../../core/repository.js';
import type { ClaimRecord, DurationPolicy, PolicySubject, TokenEvent } from '../../core/types.js';
import { checkPageLimit, decodeOptionalCursor, eventKey, pageOf } from '../shared/paging.js';
import { eventColumnValues } from '../shared/sql-columns.js';
import {
  type ClaimRow,
  claimFromRow,
  EVENT_COLUMNS,
  type EventRow,
  eventFromRow,
  type PolicyRow,
  placeholders,
  policyFromRow,
} from './rows.js';
import type { PgStore } from './store.js';

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

// The driver's message and detail name the duplicate key, which may be a
// hash: the conflict is reported without them.
export function conflictFrom(error: unknown, message: string): never {
  if (isUniqueViolation(error)) throw new TokenError('conflict', message);
  throw error;
}

/** The calls on claims, policies and events. */
export type SideTableCalls = Pick<
  TokenRepository,
  | 'insertClaim'
  | 'consumeClaim'
  | 'setPolicy'
  | 'policiesFor'
  | 'policiesWithVersion'
  | 'appendEvent'
  | 'listEvents'
  | 'pruneEvents'
>;

/**
 * The side-table calls of one store. A claim's event is written by the
 * statement that inserts it (the store's `eventCte`).
 */
export function sideTableCalls(store: PgStore): SideTableCalls {
  return { ...claimAndPolicyCalls(store), ...eventCalls(store) };
}

function claimAndPolicyCalls(store: PgStore): Omit<SideTableCalls, EventCall> {
  const { t, query, eventCte, policiesStatement, versionedPoliciesStatement } = store;
  return {
    async insertClaim(claim: ClaimRecord, event?: TokenEvent): Promise<void> {
      const params: unknown[] = [
        claim.codeHash,
        claim.tokenId,
        claim.tenant,
        claim.createdAt,
        claim.expiresAt,
        claim.createdBy,
      ];
      const cte = `WITH r AS (INSERT INTO ${t.claims} (code_hash, token_id, tenant, created_at, expires_at, created_by)
          VALUES ($1, $2, $3, $4, $5, $6) RETURNING code_hash)${eventCte(event, 'r', params)}`;
      await query(`${cte} SELECT 1 FROM r`, params).catch((error) => conflictFrom(error, 'This claim exists already.'));
    },

    async consumeClaim(codeHash: string, now: number): Promise<ClaimRecord | null> {
      const { rows } = await query<ClaimRow>(
        `DELETE FROM ${t.claims} WHERE code_hash = $1 AND expires_at > $2
          RETURNING code_hash, token_id, tenant, created_at, expires_at, created_by`,
        [codeHash, now],
      );
      const row = rows[0];
      return row === undefined ? null : claimFromRow(row);
    },

    async setPolicy(tenant: string, subject: PolicySubject, maxTtl: number | null, at: number): Promise<void> {
      if (maxTtl === null) {
        await query(`DELETE FROM ${t.policies} WHERE tenant = $1 AND kind = $2 AND name = $3`, [
          tenant,
          subject.kind,
          subject.name,
        ]);
        return;
      }
      await query(
        `INSERT INTO ${t.policies} (tenant, kind, name, max_ttl, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant, kind, name) DO UPDATE SET max_ttl = EXCLUDED.max_ttl, updated_at = EXCLUDED.updated_at`,
        [tenant, subject.kind, subject.name, maxTtl, at],
      );
    },

    async policiesFor(tenant: string, user: string, roles: readonly string[]): Promise<DurationPolicy[]> {
      const { rows } = await policiesStatement.run<PolicyRow>([tenant, user, [...new Set(roles)]]);
      return rows.map(policyFromRow);
    },

    async policiesWithVersion(tenant: string, user: string, roles: readonly string[]) {
      const { rows } = await versionedPoliciesStatement.run<PolicyRow & { version: string }>([
        tenant,
        user,
        [...new Set(roles)],
      ]);
      // The LEFT JOIN always answers one row; its kind is null when no policy applies.
      const policies = rows.filter((row) => row.kind !== null).map(policyFromRow);
      return { policies, version: Number(rows[0]!.version) };
    },
  };
}

type EventCall = 'appendEvent' | 'listEvents' | 'pruneEvents';

function eventCalls({ t, query }: PgStore): Pick<SideTableCalls, EventCall> {
  return {
    async appendEvent(event: TokenEvent): Promise<void> {
      const values = eventColumnValues(event);
      await query(
        `INSERT INTO ${t.events} (${EVENT_COLUMNS.join(', ')}) VALUES (${placeholders(1, values.length)})`,
        values,
      ).catch((error) => conflictFrom(error, 'An event with this id exists already.'));
    },

    async listEvents(q: EventQuery) {
      checkPageLimit(q.limit);
      const cursor = decodeOptionalCursor(q.cursor);
      const params: unknown[] = [q.tokenId];
      let after = '';
      if (cursor !== null) {
        params.push(cursor.time, cursor.id);
        after = ' AND (at, id) < ($2, $3)';
      }
      params.push(q.limit + 1);
      const { rows } = await query<EventRow>(
        `SELECT ${EVENT_COLUMNS.join(', ')} FROM ${t.events} WHERE token_id = $1${after}
          ORDER BY at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      return pageOf(rows.map(eventFromRow), q.limit, eventKey);
    },

    async pruneEvents(before: number): Promise<number> {
      const { rowCount } = await query(`DELETE FROM ${t.events} WHERE at < $1`, [before]);
      return rowCount ?? 0;
    },
  };
}
