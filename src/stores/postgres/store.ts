/**
 * @internal What every call of one PostgreSQL repository works with: the
 * pool, the table names, the hot prepared statements, transactions, and the
 * pieces of SQL several calls share.
 */
import type { PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { TokenEvent, TokenRecord } from '../../core/types.js';
import { eventColumnValues } from '../shared/sql-columns.js';
import { checkOut, unusable } from './connection.js';
import { int32Hash, type TableNames } from './names.js';
import type { PostgresPool } from './repository.js';
import { EVENT_CASTS, EVENT_COLUMNS, TOKEN_SELECT, tokenFromValues } from './rows.js';
import { type HotStatement, hotStatements, type PreparedStatements } from './statements.js';

/** Runs one statement on the pool. */
export type Query = <R extends QueryResultRow>(text: string, values?: unknown[]) => Promise<QueryResult<R>>;

/** The store of one repository. */
export interface PgStore {
  readonly pool: PostgresPool;
  /** Table names and the notification channel, quoted and qualified. */
  readonly t: TableNames;
  readonly query: Query;
  /** Runs one statement whose rows start with `TOKEN_SELECT`'s columns, and answers their records. */
  readonly tokens: (text: string, values: unknown[], client?: Pick<PoolClient, 'query'>) => Promise<TokenRecord[]>;
  /** `findById` and `touch`, the verification path, and `policiesFor`, on every `issue`: prepared statements. */
  readonly findByIdStatement: HotStatement;
  readonly touchStatement: HotStatement;
  readonly policiesStatement: HotStatement;
  /** `policiesFor` with the tenant's policy version, one statement (one snapshot); one row with a null kind when none applies. */
  readonly versionedPoliciesStatement: HotStatement;
  /** Another statement of a verification path (a metered or session verification), prepared like those. */
  readonly hot: (kind: string, text: string, rowMode?: 'array') => HotStatement;
  /** Runs `work` in a transaction on a client of its own. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
  /** `, e AS (INSERT INTO events … SELECT … FROM <source>)` writing `event` only if `source` has a row. */
  eventCte(event: TokenEvent | undefined, source: string, params: unknown[]): string;
  /** The statement taking the advisory lock of one (tenant, owner) namespace, held until the transaction ends. */
  lockStatement(tenant: string, owner: string | null): string;
  /** The two keys of that lock: the store's lock space, then the namespace. */
  lockKeys(tenant: string, owner: string | null): readonly [number, number];
}

export function pgStore(pool: PostgresPool, t: TableNames, preparedStatements: PreparedStatements): PgStore {
  const statement = hotStatements(pool, preparedStatements);
  const lockSpaceKey = int32Hash(t.lockSpace);
  return {
    pool,
    t,
    query: (text, values) => pool.query(text, values),
    async tokens(text, values, client = pool) {
      // pg types an array-mode answer apart; the rows are arrays here.
      const { rows } = await client.query<unknown[]>({ text, values, rowMode: 'array' } as QueryConfig);
      return rows.map((row) => tokenFromValues(row as unknown[]));
    },
    hot: statement,
    findByIdStatement: statement('find', `SELECT ${TOKEN_SELECT} FROM ${t.tokens} WHERE id = $1`, 'array'),
    touchStatement: statement(
      'touch',
      `UPDATE ${t.tokens} SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
    ),
    policiesStatement: statement(
      'policies',
      `SELECT tenant, kind, name, max_ttl, updated_at FROM ${t.policies}
        WHERE tenant = $1 AND ((kind = 'user' AND name = $2) OR (kind = 'role' AND name = ANY($3::text[])))
        ORDER BY kind DESC, name`,
    ),
    versionedPoliciesStatement: statement(
      'versioned_policies',
      `SELECT v.version, p.tenant, p.kind, p.name, p.max_ttl, p.updated_at
        FROM (SELECT coalesce((SELECT version FROM ${t.policyVersions} WHERE tenant = $1), 0) AS version) v
        LEFT JOIN ${t.policies} p ON p.tenant = $1
          AND ((p.kind = 'user' AND p.name = $2) OR (p.kind = 'role' AND p.name = ANY($3::text[])))
        ORDER BY p.kind DESC, p.name`,
    ),
    transaction: (work) => transaction(pool, work),
    eventCte(event, source, params) {
      if (event === undefined) return '';
      const first = params.length + 1;
      params.push(...eventColumnValues(event));
      const values = EVENT_CASTS.map((cast, i) => `$${first + i}::${cast}`).join(', ');
      return `, e AS (INSERT INTO ${t.events} (${EVENT_COLUMNS.join(', ')}) SELECT ${values} FROM ${source})`;
    },
    // The two lock keys are 32-bit hashes computed here, so the statement
    // carries only integers and needs no parameters. A hash collision only
    // makes two namespaces queue on one lock; it never lets two inserts into
    // one namespace run together.
    lockKeys: (tenant, owner) => [lockSpaceKey, lockKey(tenant, owner)],
    lockStatement: (tenant, owner) => `SELECT pg_advisory_xact_lock(${lockSpaceKey}, ${lockKey(tenant, owner)})`,
  };
}

/** The second advisory-lock key of one (tenant, owner) namespace. */
function lockKey(tenant: string, owner: string | null): number {
  // U+0001 cannot appear in a tenant name, and the marker tells "no owner" from an owner named "".
  return int32Hash(owner === null ? `${tenant}\u0001` : `${tenant}\u0001\u0001${owner}`);
}

/** Runs `work` in a transaction on a client of its own, which is dropped if its connection failed. */
export async function transaction<T>(pool: PostgresPool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const held = await checkOut(pool);
  const { client } = held;
  let broken: unknown;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A failed ROLLBACK means the connection itself is gone: drop it from the pool.
    if (unusable(held, error)) broken = error;
    else {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError;
      });
    }
    throw error;
  } finally {
    held.release(broken);
  }
}

/** The condition on `owner` (`IS NULL` for none), pushing its parameter. */
export function ownerCondition(owner: string | null, params: unknown[]): string {
  if (owner === null) return 'owner IS NULL';
  params.push(owner);
  return `owner = $${params.length}`;
}
