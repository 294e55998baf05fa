/**
 * Fault wiring for the two drivers tokenward's own stores use, exported so
 * that third-party stores on the same drivers can run the fault section of
 * the conformance suite without writing their own. Neither driver is
 * imported: the wrappers only forward calls.
 */
import type { DriverFaults } from './faults.js';

// biome-ignore lint/suspicious/noExplicitAny: the wrappers forward any driver method with its own arguments.
type Method = (...args: any[]) => unknown;

/** The methods of a better-sqlite3 `Statement` that run it. */
const STATEMENT_RUNS = new Set<PropertyKey>(['run', 'get', 'all', 'iterate']);
/** The methods of a better-sqlite3 `Database` that run SQL without a prepared statement. */
const DATABASE_RUNS = new Set<PropertyKey>(['exec', 'pragma']);

/**
 * Forwards every property, binding methods to the real object (native
 * methods refuse a proxy as `this`); a method that returns the real object
 * (a fluent setter such as `safeIntegers()`) returns the proxy instead.
 */
function forward<T extends object>(target: T, wrap: (key: PropertyKey, method: Method) => Method | undefined): T {
  const proxy: T = new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      const method = value as Method;
      const wrapped = wrap(key, method);
      if (wrapped !== undefined) return wrapped;
      return (...args: unknown[]) => {
        const result: unknown = method.apply(object, args);
        return result === object ? proxy : result;
      };
    },
  });
  return proxy;
}

/**
 * A better-sqlite3 connection whose statements run through `faults`: every
 * `run`/`get`/`all`/`iterate` of a statement it prepares, and every `exec`
 * and `pragma`. Pass it to your store as its connection.
 *
 * `transaction()` is forwarded as it is: its `BEGIN` and `COMMIT` are run by
 * the driver's native code and cannot fail on purpose, so a store that
 * wants its commits tested writes them as statements (as tokenward's does).
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { describeRepositoryContract, withSqliteFaults } from 'tokenward/testing';
 *
 * describeRepositoryContract('my store', () => myStore(new Database(freshFile())), {
 *   faults: (faults) => myStore(withSqliteFaults(new Database(freshFile()), faults)),
 * });
 * ```
 */
export function withSqliteFaults<D extends object>(database: D, faults: DriverFaults): D {
  return forward(database, (key, method) => {
    if (DATABASE_RUNS.has(key)) return (...args: unknown[]) => faults.statement(() => method.apply(database, args));
    if (key !== 'prepare') return undefined;
    return (...args: unknown[]) => {
      const statement = method.apply(database, args) as object;
      return forward(statement, (run, execute) =>
        STATEMENT_RUNS.has(run)
          ? (...values: unknown[]) => faults.statement(() => execute.apply(statement, values))
          : undefined,
      );
    };
  });
}

/**
 * A pg `Pool` whose queries run through `faults`: `pool.query(…)` and the
 * `query(…)` of every client `pool.connect()` hands out, promise style.
 * Calls with a callback and submittables (cursors, streams) are forwarded
 * without faults. Pass it to your store as its pool.
 *
 * @example
 * ```ts
 * import { describeRepositoryContract, withPgFaults } from 'tokenward/testing';
 *
 * describeRepositoryContract('my store', () => myStore(pool), {
 *   faults: (faults) => myStore(withPgFaults(pool, faults)),
 * });
 * ```
 */
export function withPgFaults<P extends object>(pool: P, faults: DriverFaults): P {
  const queries = (owner: object, method: Method): Method => {
    return (...args: unknown[]) => {
      if (typeof args[args.length - 1] === 'function' || isSubmittable(args[0])) return method.apply(owner, args);
      return (async () => faults.statement(() => method.apply(owner, args) as Promise<unknown>))();
    };
  };
  return forward(pool, (key, method) => {
    if (key === 'query') return queries(pool, method);
    if (key !== 'connect') return undefined;
    return (...args: unknown[]) => {
      if (args.length > 0) return method.apply(pool, args);
      return (method.apply(pool, args) as Promise<object>).then((client) =>
        forward(client, (clientKey, clientMethod) =>
          clientKey === 'query' ? queries(client, clientMethod) : undefined,
        ),
      );
    };
  });
}

function isSubmittable(value: unknown): boolean {
  return typeof (value as { submit?: unknown } | null)?.submit === 'function';
}
