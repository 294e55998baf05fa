/**
 * @internal Clients the PostgreSQL store checks out of a pool, guarded for as
 * long as the store holds them.
 *
 * `pg` emits a connection's failure (a server killed mid-transaction, a
 * dropped network) as an `'error'` event on the client. A pool listens on its
 * idle clients only; a client checked out with `pool.connect()` has no
 * listener at all, and Node turns an `'error'` event nobody listens to into
 * an uncaught exception that ends the process. So every client the store
 * holds gets its own listener from the moment it is checked out until it is
 * released, and a client that failed is released as broken, so that the pool
 * destroys it instead of handing it to the next caller.
 */
import type { Pool, PoolClient } from 'pg';

/** A client checked out of a pool, with an error listener attached. */
export interface HeldClient {
  readonly client: PoolClient;
  /** The error the connection reported while it was held, if any. */
  readonly failure: Error | undefined;
  /**
   * Gives the client back to its pool. Pass an error (or anything truthy) to
   * have it destroyed; a client whose connection failed is destroyed anyway.
   * Safe to call twice.
   */
  release(broken?: unknown): void;
}

/**
 * True when `error` leaves the held connection in an unknown state, so that
 * no ROLLBACK should be sent on it (it would wait as long again) and it must
 * be destroyed: the connection failed, or pg's client-side `query_timeout`
 * gave up on an answer the server may still send.
 */
export function unusable(held: HeldClient, error: unknown): boolean {
  return held.failure !== undefined || (error instanceof Error && error.message === 'Query read timeout');
}

/**
 * True when `error` says PostgreSQL could not be reached or went away (no
 * answer from the server, or an answer of class 08 connection exception,
 * 53 insufficient resources, 57P operator intervention such as a shutdown,
 * 58 system error or XX internal error), as opposed to a statement the
 * server refused while working normally (a lock timeout, a unique
 * violation).
 */
export function isOutage(error: unknown): boolean {
  const { code, severity } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    severity?: unknown;
  };
  // Only errors the server sent carry a severity; socket errors, refused connections and the driver's own
  // timeouts do not.
  if (typeof code !== 'string' || typeof severity !== 'string') return true;
  return /^(08|53|57P|58|XX)/.test(code);
}

/** Whatever was thrown, as an `Error` (pg's `release` takes errors only). */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

// A destroyed client may still report the end of its socket: nobody needs to hear it.
function ignore(): void {}

/**
 * Checks a client out of `pool` and listens for its errors until it is
 * released. `onFailure` (if given) hears the first error, for holders that
 * wait on the connection rather than on a query (the LISTEN connection).
 */
export async function checkOut(pool: Pick<Pool, 'connect'>, onFailure?: (error: Error) => void): Promise<HeldClient> {
  const client = await pool.connect();
  let failure: Error | undefined;
  let released = false;
  const onError = (error: Error): void => {
    if (failure !== undefined) return;
    failure = error;
    onFailure?.(error);
  };
  client.on('error', onError);
  return {
    client,
    get failure() {
      return failure;
    },
    release(broken?: unknown): void {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      const reason = failure ?? (broken ? asError(broken) : undefined);
      if (reason !== undefined) client.on('error', ignore);
      client.release(reason);
    },
  };
}
