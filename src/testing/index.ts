/**
 * `tokenward/testing`: the conformance suites every `TokenRepository` and
 * every `DirectoryStore` must pass, exported so third-party stores can run
 * them too, under any test runner. ESM only (docs/storage.md): it is a development tool, loaded by
 * test files, and every runner it serves loads ES modules.
 *
 * @packageDocumentation
 */
export { type DirectoryContractOptions, describeDirectoryContract } from './directory/index.js';
export { withPgFaults, withSqliteFaults } from './drivers.js';
export { type DriverFaults, type FaultTiming, InjectedFault } from './faults.js';
export type { TestRunner } from './runner.js';

import type { TokenRepository } from '../core/repository.js';
import type { ContractContext } from './context.js';
import { createFaultPlan, type DriverFaults } from './faults.js';
import { createFixtures } from './fixtures.js';
import { perTest, suiteSettings } from './lifecycle.js';
import type { TestRunner } from './runner.js';
import { changesContract } from './suites/changes.js';
import { claimsContract } from './suites/claims.js';
import { crowdedContract } from './suites/crowded.js';
import { eventsContract } from './suites/events.js';
import { expiringContract } from './suites/expiring.js';
import { faultsContract } from './suites/faults.js';
import { fieldsContract } from './suites/fields.js';
import { insertContract } from './suites/insert.js';
import { isolationContract } from './suites/isolation.js';
import { lookupContract } from './suites/lookup.js';
import { metersContract } from './suites/meters.js';
import { policiesContract } from './suites/policies.js';
import { racesContract } from './suites/races.js';
import { sessionsContract } from './suites/sessions.js';
import { textContract } from './suites/text.js';

/** Options of `describeRepositoryContract`. */
export interface RepositoryContractOptions {
  /**
   * The runner to declare the tests with: `{ describe, it, beforeEach,
   * afterEach }` from vitest, `node:test`, Jest, Mocha or Bun. Required: the
   * suite imports no runner of its own.
   */
  readonly runner: TestRunner;
  /**
   * How many calls the race tests start at once (default 20). Keep it at 20
   * or more for a store whose calls run on several connections, and give
   * such a store at least that many connections.
   */
  readonly concurrency?: number;
  /**
   * Called after each test with that test's repository, instead of the
   * default `repository.close?.()`. Drop a schema or delete a file here.
   */
  readonly teardown?: (repository: TokenRepository) => Promise<void>;
  /**
   * Turns on the fault section: returns a repository over empty storage
   * whose driver runs every statement through `faults.statement` (see
   * `withSqliteFaults` and `withPgFaults`). For each atomic operation the
   * suite then fails each of its statements in turn, before it runs and
   * after it ran, and checks that storage is left as before or fully done
   * and that the call fails with an error the service answers with
   * `unavailable` (anything but a `TokenError` of another code). The
   * repository is torn down like the others. Leave it out for a store
   * without a driver (the memory store): its steps cannot fail half-way.
   */
  readonly faults?: (faults: DriverFaults) => TokenRepository | Promise<TokenRepository>;
}

/**
 * Declares the conformance tests of the `TokenRepository` contract with the
 * given runner's `describe`/`it` blocks: every operation, every atomic
 * guarantee (per-owner cap, one master per user, compare-and-set updates,
 * single-use claims, spends from a meter, sign-outs, unique names on
 * rename, unique lookup hashes of imported keys, expiry warnings claimed
 * once) under real concurrent calls, `meta`, `enabled`, the expiring
 * listing, the optional capabilities where the store has them (skipped
 * where it does not: `spend`, `refillCredits`, the session methods,
 * `runExclusive`, `touchSync`), paging, tenant isolation,
 * that records handed out are not live views of storage, and, with the
 * `faults` option, that a driver failing at any statement leaves nothing
 * half-written. Assertions are `node:assert`'s; a failure throws
 * `AssertionError`, which every runner reports.
 *
 * `makeRepository` is called before every test and must return a repository
 * over empty storage (a fresh file, schema or database): some checks, such
 * as the counts returned by `purgeExpired` and `pruneEvents`, are global.
 * Call it at the top level of a test file. Set the runner's test timeout to
 * a few seconds at least for a store on a network database (the race tests
 * start `concurrency` calls at once).
 *
 * @param name Shown in the suite's title: `TokenRepository contract: <name>`.
 * @param makeRepository A repository over empty storage, made before each test.
 * @param options `runner` (required), `concurrency`, `teardown`, `faults`.
 * @throws {TokenError} `invalid_request` naming `makeRepository`, `runner`,
 *   `concurrency`, `teardown`, `faults` or an unknown `options.<key>`.
 *
 * @example
 * ```ts
 * // test/my-store.contract.test.ts, under node:test (`node --test`) or vitest alike
 * import { afterEach, beforeEach, describe, it } from 'node:test';
 * import { describeRepositoryContract } from 'tokenward/testing';
 * import { myRepository } from '../src/my-store.js';
 *
 * describeRepositoryContract('my store', async () => myRepository(await freshDatabase()), {
 *   runner: { describe, it, beforeEach, afterEach },
 *   teardown: async (repository) => { await repository.close?.(); },
 *   // optional: the driver fails each statement of each atomic operation in turn
 *   faults: async (faults) => myRepository(withPgFaults(await freshPool(), faults)),
 * });
 * ```
 */
export function describeRepositoryContract(
  name: string,
  makeRepository: () => TokenRepository | Promise<TokenRepository>,
  options: RepositoryContractOptions,
): void {
  const settings = suiteSettings<TokenRepository>(makeRepository, 'makeRepository', options);
  const { describe, it } = settings.runner;
  describe(`TokenRepository contract: ${name}`, () => {
    const { store, fx } = perTest(settings, makeRepository, createFixtures, 'repository');
    const context: ContractContext = { repo: store, fx, concurrency: settings.concurrency, describe, it };
    insertContract(context);
    lookupContract(context);
    changesContract(context);
    claimsContract(context);
    policiesContract(context);
    eventsContract(context);
    isolationContract(context);
    crowdedContract(context);
    racesContract(context);
    textContract(context);
    metersContract(context);
    sessionsContract(context);
    fieldsContract(context);
    expiringContract(context);
    const { faults } = settings;
    if (faults !== undefined) {
      faultsContract({
        describe,
        it,
        plan: createFaultPlan,
        open: async (plan) => faults(plan),
        close: settings.close,
      });
    }
  });
}
