/**
 * @internal The statements of the verification hot path (`findById`,
 * `touch`) and the policy lookup of every `issue`, prepared once per
 * connection when that is safe.
 *
 * A named prepared statement lives in one server session. Behind a pooler in
 * transaction mode (PgBouncer's `pool_mode = transaction`, older than 1.21 or
 * without `max_prepared_statements`) consecutive statements of one client run
 * in different sessions, so `pg` finds the name missing (`26000`) or already
 * taken (`42P05`). Both are raised while the statement is parsed or bound,
 * before anything runs, so a failed call can safely be sent again unnamed.
 */
import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { TokenError } from '../../core/errors.js';
import { fnv1a64 } from './names.js';

/**
 * Whether `findById`, `touch` and `policiesFor` use named prepared statements: `true`
 * always, `false` never (what a pooler in transaction mode needs), `'auto'`
 * until the first sign of such a pooler. In every mode a call that failed
 * because its session did not have the statement, or had it already, is
 * sent again once, unnamed.
 */
export type PreparedStatements = boolean | 'auto';

/** SQLSTATEs a pooler in transaction mode causes for named statements. */
const POOLED_SESSION_CODES: ReadonlySet<string> = new Set(['26000', '42P05']);

function pooledSession(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && POOLED_SESSION_CODES.has(code);
}

/** Checks the `preparedStatements` option. */
export function preparedStatementsOption(value: unknown): PreparedStatements {
  if (value === undefined) return 'auto';
  if (value === true || value === false || value === 'auto') return value;
  throw new TokenError('invalid_request', "preparedStatements must be true, false or 'auto'", {
    field: 'preparedStatements',
  });
}

/** One hot-path statement. */
export interface HotStatement {
  run<R extends QueryResultRow>(values: unknown[]): Promise<QueryResult<R>>;
}

/**
 * Makes the hot-path statements of one repository; they share the 'auto'
 * decision. `rowMode: 'array'` answers rows as arrays, which `pg` builds
 * with less work than an object per row.
 *
 * Each call's query config holds only its `values`; the text, name and
 * row mode are inherited from one object per statement and mode.
 * `pg` copies every config it is given, own property by property with
 * their descriptors, keeping its prototype, and that copy cost the
 * verification path about as much per own property as the rest of the
 * driver's call setup (issue 12, measured by bench/pg-profile.ts). A plain
 * `then` instead of an `async` wrapper spares a promise and a turn per
 * call.
 */
export function hotStatements(
  pool: Pick<Pool, 'query'>,
  mode: PreparedStatements,
): (kind: string, text: string, rowMode?: 'array') => HotStatement {
  let named = mode !== false;
  return (kind, text, rowMode) => {
    // The name hashes the text: two statements that meet under one name in one
    // session (two tokenward versions behind one pooler) are always the same statement.
    const name = `tokenward_${kind}_${fnv1a64(text)}`;
    // Not frozen: a driver that sets one of these on its copy must be able to shadow it.
    const unnamedBase = rowMode === undefined ? { text } : { text, rowMode };
    const namedBase = { ...unnamedBase, name };
    // pg types an array-mode answer apart; the caller knows which it asked for.
    const config = (base: object, values: unknown[]) => {
      const made = Object.create(base) as QueryConfig;
      made.values = values;
      return made;
    };
    return {
      run<R extends QueryResultRow>(values: unknown[]): Promise<QueryResult<R>> {
        if (!named) return pool.query<R>(config(unnamedBase, values));
        return pool.query<R>(config(namedBase, values)).catch((error: unknown) => {
          if (!pooledSession(error)) throw error;
          // 'auto' takes it as the sign of a pooler for good; `true` only for this call (the statement may
          // have been dropped by a DISCARD ALL, and pg prepares it again next time).
          if (mode === 'auto') named = false;
          return pool.query<R>(config(unnamedBase, values));
        });
      },
    };
  };
}
