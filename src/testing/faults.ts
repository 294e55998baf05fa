/**
 * The fault hook of the conformance suite: a store's driver runs every
 * statement through `DriverFaults.statement`, and the suite makes the Nth
 * one fail.
 */
import { isThenable } from '../core/thenable.js';

/**
 * What the fault section of `describeRepositoryContract` hands to the
 * store's `faults` hook. Wire it into the driver so that every statement the
 * store sends (queries, `BEGIN`/`COMMIT`/`ROLLBACK`, pragmas) runs through
 * `statement`; `withSqliteFaults` and `withPgFaults` do this for
 * better-sqlite3 and pg.
 */
export interface DriverFaults {
  /**
   * Runs one driver statement and returns what `run` returns. When the
   * suite has armed this statement, it fails with an `InjectedFault`
   * instead: thrown before `run` is called (the statement never ran), or
   * after `run` (it ran, but its answer is lost; a promise is awaited first
   * and then rejects). For a driver whose calls return promises, call it
   * from an `async` function, so that a throw becomes a rejection.
   */
  statement<T>(run: () => T): T;
}

/** The error a `DriverFaults` hook injects. Stores must treat it like any driver failure. */
export class InjectedFault extends Error {
  /** Which statement failed (1 for the first after arming) and how. */
  readonly statement: number;
  readonly when: FaultTiming;

  constructor(statement: number, when: FaultTiming) {
    super(`injected driver fault at statement ${statement} (${when} it ran)`);
    this.name = 'InjectedFault';
    this.statement = statement;
    this.when = when;
  }
}

/** `before`: the statement never reaches the database; `after`: it ran, but its answer is lost. */
export type FaultTiming = 'before' | 'after';

/** @internal The suite's side of the hook: counts statements and fails the armed one. */
export interface FaultPlan extends DriverFaults {
  /** Counts statements from now on and fails the `nth` (1-based; `Infinity` only counts). */
  arm(nth: number, when: FaultTiming): void;
  /** Stops failing; returns how many statements ran since `arm` and whether the fault fired. */
  disarm(): { readonly seen: number; readonly fired: boolean };
}

/** @internal */
export function createFaultPlan(): FaultPlan {
  let armed: { nth: number; when: FaultTiming } | null = null;
  let seen = 0;
  let fired = false;
  return {
    statement<T>(run: () => T): T {
      if (armed === null) return run();
      seen++;
      if (seen !== armed.nth) return run();
      fired = true;
      const fault = new InjectedFault(seen, armed.when);
      if (armed.when === 'before') throw fault;
      const result = run();
      if (isThenable(result)) {
        return result.then(() => {
          throw fault;
        }) as T;
      }
      throw fault;
    },
    arm(nth, when) {
      armed = { nth, when };
      seen = 0;
      fired = false;
    },
    disarm() {
      const result = { seen, fired };
      armed = null;
      seen = 0;
      fired = false;
      return result;
    },
  };
}
