/**
 * @internal Transactions of the SQLite store, written out statement by
 * statement (`BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`) instead of through
 * better-sqlite3's `transaction()`, so that every statement goes through the
 * connection's `prepare` and a failure of any one of them, the `COMMIT`
 * included, is handled here: nothing half-written stays behind.
 */
import type Database from 'better-sqlite3';

/** Runs synchronous work under the connection's write lock. */
export interface SqliteTransactions {
  /**
   * `work` inside `BEGIN IMMEDIATE … COMMIT`, waiting for another
   * connection's write lock up to the busy timeout; rolled back if anything
   * in it throws. Inside a transaction the caller opened on a connection it
   * shared with the store, a savepoint instead.
   */
  run<R>(work: () => R): R;
  /**
   * Like `run`, but waits for the lock at most `waitMs` (0: not at all;
   * with another writer holding it, fails with `SQLITE_BUSY`). For writes
   * that must not block the event loop for long: last-used writes (0) and
   * the spends of metered verifications (`spendTimeoutMs`).
   */
  runWaitingAtMost<R>(waitMs: number, work: () => R): R;
}

type Prepare = (sql: string) => Database.Statement;

export function sqliteTransactions(db: Database.Database, prepare: Prepare, busyTimeoutMs: number): SqliteTransactions {
  const sql = {
    begin: prepare('BEGIN IMMEDIATE'),
    commit: prepare('COMMIT'),
    rollback: prepare('ROLLBACK'),
    savepoint: prepare('SAVEPOINT tokenward'),
    release: prepare('RELEASE tokenward'),
    rollbackTo: prepare('ROLLBACK TO tokenward'),
  };
  // Not prepared once: SQLite applies this pragma when the statement is compiled, not when it runs.
  const setBusyTimeout = (ms: number): void => {
    db.pragma(`busy_timeout = ${ms}`);
  };

  const undo = (nested: boolean): void => {
    // A failed statement may have ended the transaction already (SQLite rolls back on some I/O errors).
    if (!db.inTransaction) return;
    try {
      if (nested) {
        sql.rollbackTo.run();
        sql.release.run();
      } else sql.rollback.run();
    } catch {
      // The connection is failing: the error that got us here is the one to report.
    }
  };

  const run = <R>(work: () => R): R => {
    const nested = db.inTransaction;
    (nested ? sql.savepoint : sql.begin).run();
    try {
      const result = work();
      (nested ? sql.release : sql.commit).run();
      return result;
    } catch (error) {
      undo(nested);
      throw error;
    }
  };

  const restoreWait = (): void => {
    try {
      setBusyTimeout(busyTimeoutMs);
    } catch {
      // Once more: left at a shorter wait, every later write would fail sooner than it should.
      setBusyTimeout(busyTimeoutMs);
    }
  };

  return {
    run,
    runWaitingAtMost(waitMs, work) {
      try {
        setBusyTimeout(waitMs);
        return run(work);
      } finally {
        restoreWait();
      }
    },
  };
}
