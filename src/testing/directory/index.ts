/**
 * @internal `describeDirectoryContract`: the conformance suite of the
 * `DirectoryStore` contract, exported from `tokenward/testing`.
 */
import type { DirectoryStore } from '../../core/directory-store.js';
import { createFaultPlan, type DriverFaults } from '../faults.js';
import { perTest, suiteSettings } from '../lifecycle.js';
import type { TestRunner } from '../runner.js';
import { auditContract } from './audit.js';
import { createDirectoryFixtures, type DirectoryContext } from './context.js';
import { directoryFaultsContract } from './faults.js';
import { listingContract } from './listing.js';
import { racesContract } from './races.js';
import { rolesContract } from './roles.js';
import { usersContract } from './users.js';

/** Options of `describeDirectoryContract`, as those of `describeRepositoryContract`. */
export interface DirectoryContractOptions {
  /** `{ describe, it, beforeEach, afterEach }` of the test runner. Required. */
  readonly runner: TestRunner;
  /** How many calls the race tests start at once (default 20; give the store that many connections). */
  readonly concurrency?: number;
  /** Called after each test with its store, instead of `store.close?.()`. */
  readonly teardown?: (store: DirectoryStore) => Promise<void>;
  /**
   * Turns on the fault section: a store whose driver runs every statement
   * through `faults.statement` (`withSqliteFaults`, `withPgFaults`). Each
   * statement of each write then fails in turn, and storage must stay as
   * before or be fully written, change and audit entry together.
   */
  readonly faults?: (faults: DriverFaults) => DirectoryStore | Promise<DirectoryStore>;
}

/**
 * Declares the conformance tests of the `DirectoryStore` contract (the
 * store-backed directory) with the given runner: users and the roles they
 * hold, roles and the rule that a held role stays, listing by name in
 * code-point order, the audit log written with every change and nothing
 * with a refused one, compare-and-set, one winner of concurrent inserts of
 * a name, roles given while removed, and, with `faults`, nothing
 * half-written when the driver fails. Assertions are `node:assert`'s.
 *
 * Every test uses tenants of its own, so `makeStore` may return a store
 * over shared storage; it is called before every test.
 *
 * @throws {TokenError} `invalid_request` naming a bad argument or option.
 * @example
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'vitest';
 * import { describeDirectoryContract } from 'tokenward/testing';
 * describeDirectoryContract('my directory', () => myDirectoryStore(), {
 *   runner: { describe, it, beforeEach, afterEach },
 * });
 * ```
 */
export function describeDirectoryContract(
  name: string,
  makeStore: () => DirectoryStore | Promise<DirectoryStore>,
  options: DirectoryContractOptions,
): void {
  const settings = suiteSettings<DirectoryStore>(makeStore, 'makeStore', options);
  const { describe, it } = settings.runner;
  describe(`DirectoryStore contract: ${name}`, () => {
    const { store, fx } = perTest(settings, makeStore, createDirectoryFixtures, 'store');
    const context: DirectoryContext = { store, fx, concurrency: settings.concurrency, describe, it };
    usersContract(context);
    rolesContract(context);
    listingContract(context);
    auditContract(context);
    racesContract(context);
    const { faults, close } = settings;
    if (faults !== undefined) {
      directoryFaultsContract({ describe, it, plan: createFaultPlan, open: async (plan) => faults(plan), close });
    }
  });
}
