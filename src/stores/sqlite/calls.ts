/**
 * @internal The SQLite repository's calls, by concern. Each change runs as
 * one `BEGIN IMMEDIATE` transaction (checks and writes under one write
 * lock); reads run outside any transaction.
 */
import type Database from 'better-sqlite3';
import { TokenError } from '../../core/errors.js';
import type {
  EventQuery,
  InsertLimits,
  ListQuery,
  RecordChange,
  TokenRepository,
  TokenUse,
} from '../../core/repository.js';
import type { ClaimRecord, DurationPolicy, PolicySubject, TokenEvent, TokenRecord } from '../../core/types.js';
import { checkPageLimit, decodeOptionalCursor, eventKey, expiryKey, pageOf, tokenKey } from '../shared/paging.js';
import { CHANGE_COLUMNS, changeValue, eventColumnValues } from '../shared/sql-columns.js';
import { listStatement } from './list.js';
import {
  claimParams,
  type PolicyRow,
  TOKEN_COLUMNS,
  type TokenRow,
  toEvent,
  tokenParams,
  toPolicy,
  toRecord,
} from './rows.js';
import { preparer, prepareStatements, type Statements, tokenStatementCache } from './statements.js';
import { sqliteTransactions } from './transaction.js';

/** What every call of one repository works with. */
export interface SqliteCalls {
  readonly sql: Statements;
  /** Prepares a statement of this connection (numbers as JavaScript numbers). */
  readonly prepare: (text: string) => Database.Statement;
  /** A statement returning token rows whose text depends on the call, prepared once per text. */
  readonly cached: ReturnType<typeof tokenStatementCache>;
  /** `work` as one `BEGIN IMMEDIATE` transaction: checks and writes under one write lock. */
  readonly locked: <A extends unknown[], R>(work: (...args: A) => R) => (...args: A) => R;
  /** `work` as one transaction that waits for the write lock at most `waitMs`. */
  readonly lockedBriefly: <R>(waitMs: number, work: () => R) => R;
  /** Last-used writes: one transaction per batch, failing at once if another writer holds the lock. */
  readonly touchAll: (uses: readonly TokenUse[]) => void;
  readonly writeEvent: (event: TokenEvent | undefined) => void;
}

export function sqliteCalls(db: Database.Database, busyTimeoutMs: number): SqliteCalls {
  const prepare = preparer(db);
  const sql = prepareStatements(prepare);
  const transactions = sqliteTransactions(db, prepare, busyTimeoutMs);
  return {
    sql,
    prepare,
    cached: tokenStatementCache(prepare),
    locked:
      (work) =>
      (...args) =>
        transactions.run(() => work(...args)),
    lockedBriefly: (waitMs, work) => transactions.runWaitingAtMost(waitMs, work),
    touchAll: (uses) =>
      transactions.runWaitingAtMost(0, () => {
        for (const use of uses) sql.touch.run(use.at, use.id, use.at);
      }),
    writeEvent: (event) => {
      if (event !== undefined) sql.insertEvent.run(eventColumnValues(event));
    },
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function idTaken(): TokenError {
  return new TokenError('conflict', 'A token with this id exists already.');
}

type InsertCalls = Pick<TokenRepository, 'insert' | 'insertMaster' | 'insertClaim'>;

export function insertCalls({ sql, locked, writeEvent }: SqliteCalls): InsertCalls {
  const insertTx = locked((record: TokenRecord, limits: InsertLimits, event: TokenEvent | undefined) => {
    if (sql.exists.get(record.id) !== undefined) throw idTaken();
    if (sql.liveName.get(record.tenant, record.owner, record.name, limits.now) !== undefined) {
      throw new TokenError('conflict', 'A live token with this name exists already.');
    }
    const cap = limits.maxLivePerOwner;
    if (cap !== undefined && record.owner !== null) {
      const { count } = sql.liveCount.get(record.tenant, record.owner, limits.now) as { count: number };
      if (count >= cap) throw new TokenError('limit_exceeded', 'The owner has too many active tokens.', { limit: cap });
    }
    sql.insertToken.run(tokenParams(record));
    writeEvent(event);
  });
  const insertMasterTx = locked((record: TokenRecord, event: TokenEvent | undefined) => {
    const existing = sql.liveMaster.get(record.tenant, record.owner, record.createdAt) as TokenRow | undefined;
    if (existing !== undefined) return { created: false, record: toRecord(existing) };
    if (sql.exists.get(record.id) !== undefined) throw idTaken();
    sql.insertToken.run(tokenParams(record));
    writeEvent(event);
    return { created: true, record: toRecord(sql.findById.get(record.id) as TokenRow) };
  });
  const insertClaimTx = locked((claim: ClaimRecord, event: TokenEvent | undefined) => {
    try {
      sql.insertClaim.run(claimParams(claim));
    } catch (error) {
      if (isUniqueViolation(error)) throw new TokenError('conflict', 'This claim exists already.');
      throw error;
    }
    writeEvent(event);
  });
  return {
    async insert(record, limits, event) {
      try {
        insertTx(record, limits, event);
      } catch (error) {
        // An imported key's lookup hash taken, or (rare after the explicit id
        // check) an id inserted by a connection that does not use tokenward's checks.
        if (isUniqueViolation(error))
          throw new TokenError('conflict', 'A token with this id or lookup hash exists already.');
        throw error;
      }
    },
    insertMaster: async (record, event) => insertMasterTx(record, event),
    insertClaim: async (claim, event) => insertClaimTx(claim, event),
  };
}

type ChangeCalls = Pick<TokenRepository, 'update' | 'revoke' | 'revokeOwner' | 'touch' | 'touchMany' | 'purgeExpired'>;

export function changeCalls({ sql, cached, locked, touchAll, writeEvent }: SqliteCalls): ChangeCalls {
  const updateTx = locked((id: string, version: number, change: RecordChange, event: TokenEvent | undefined) => {
    if (change.name !== undefined && sql.nameHeld.get(id, version, change.name) !== undefined) {
      throw new TokenError('conflict', 'Another token of the owner has this name.');
    }
    const fields = CHANGE_COLUMNS.filter(([field]) => change[field] !== undefined);
    const statement = cached(`update:${fields.map(([field]) => field).join(',')}`, () => {
      const sets = [...fields.map(([, column]) => `${column} = ?`), 'version = version + 1'];
      return `UPDATE tokenward_tokens SET ${sets.join(', ')} WHERE id = ? AND version = ? AND revoked_at IS NULL
          RETURNING ${TOKEN_COLUMNS}`;
    });
    const values = fields.map(([field]) => changeValue(field, change));
    let row: TokenRow | undefined;
    try {
      row = statement.get(...values, id, version) as TokenRow | undefined;
    } catch (error) {
      // The only unique column a change can write is the lookup hash of an imported key.
      if (isUniqueViolation(error)) throw new TokenError('conflict', 'Another token has this lookup hash.');
      throw error;
    }
    if (row === undefined) return null;
    writeEvent(event);
    return toRecord(row);
  });
  const revokeTx = locked((id: string, at: number, event: TokenEvent | undefined) => {
    const row = sql.revoke.get(at, id) as TokenRow | undefined;
    if (row === undefined) return null;
    writeEvent(event);
    return toRecord(row);
  });
  const revokeOwnerTx = locked(
    (
      tenant: string,
      owner: string,
      at: number,
      includeMaster: boolean,
      event?: (record: TokenRecord) => TokenEvent,
    ) => {
      const rows = sql.revokeOwner.all(at, tenant, owner, includeMaster ? 1 : 0) as TokenRow[];
      if (event !== undefined) for (const row of rows) writeEvent(event(toRecord(row)));
      return rows.length;
    },
  );
  const purgeTx = locked((before: number) => {
    sql.purgeWarnings.run(before);
    sql.purgeClaims.run(before);
    return sql.purgeTokens.run(before).changes;
  });
  return {
    update: async (id, expectedVersion, change, event) => updateTx(id, expectedVersion, change, event),
    revoke: async (id, at, event) => revokeTx(id, at, event),
    revokeOwner: async (tenant, owner, at, options) =>
      revokeOwnerTx(tenant, owner, at, options.includeMaster, options.event),
    touch: async (id, at) => touchAll([{ id, at }]),
    touchMany: async (uses) => touchAll(uses),
    purgeExpired: async (before) => purgeTx(before),
  };
}

type LookupCalls = Pick<TokenRepository, 'findById' | 'findByName' | 'list' | 'findByLookupHash'>;

export function lookupCalls({ sql, cached }: SqliteCalls): LookupCalls {
  return {
    async findById(id) {
      const row = sql.findById.get(id) as TokenRow | undefined;
      return row === undefined ? null : toRecord(row);
    },

    async findByName(tenant, owner, name) {
      const row = sql.byName.get(tenant, owner, name) as TokenRow | undefined;
      return row === undefined ? null : toRecord(row);
    },

    async findByLookupHash(hashes) {
      const row = sql.byLookupHash.get(JSON.stringify(hashes)) as TokenRow | undefined;
      return row === undefined ? null : toRecord(row);
    },

    async list(query: ListQuery) {
      checkPageLimit(query.limit);
      const { text, params } = listStatement(query);
      const rows = cached(text, () => text).all(...params) as TokenRow[];
      return pageOf(rows.map(toRecord), query.limit, query.expiringBy === undefined ? tokenKey : expiryKey);
    },
  };
}

type SideTableCalls = Pick<
  TokenRepository,
  'consumeClaim' | 'setPolicy' | 'policiesFor' | 'appendEvent' | 'listEvents' | 'pruneEvents'
>;

export function sideTableCalls({ sql, writeEvent }: SqliteCalls): SideTableCalls {
  return {
    async consumeClaim(codeHash, now) {
      return (sql.consumeClaim.get(codeHash, now) as ClaimRecord | undefined) ?? null;
    },

    async setPolicy(tenant: string, subject: PolicySubject, maxTtl: number | null, at: number) {
      if (maxTtl === null) sql.deletePolicy.run(tenant, subject.kind, subject.name);
      else sql.upsertPolicy.run(tenant, subject.kind, subject.name, maxTtl, at);
    },

    async policiesFor(tenant, user, roles): Promise<DurationPolicy[]> {
      return (sql.policiesFor.all(tenant, user, JSON.stringify(roles)) as PolicyRow[]).map(toPolicy);
    },

    async appendEvent(event) {
      writeEvent(event);
    },

    async listEvents(query: EventQuery) {
      checkPageLimit(query.limit);
      const cursor = decodeOptionalCursor(query.cursor);
      const rows = (
        cursor === null
          ? sql.eventsFirst.all(query.tokenId, query.limit + 1)
          : sql.eventsAfter.all(query.tokenId, cursor.time, cursor.id, query.limit + 1)
      ) as Parameters<typeof toEvent>[0][];
      return pageOf(rows.map(toEvent), query.limit, eventKey);
    },

    async pruneEvents(before) {
      return sql.pruneEvents.run(before).changes;
    },
  };
}
