/**
 * `tokenward/testing`: the conformance suite every `TokenRepository` must
 * pass, exported so third-party stores can run it too.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import { functionOption, integerOption, optionsObject, required } from '../options.js';
import type { TokenRepository } from '../repository.js';
import type { ContractContext } from './context.js';
import { createFixtures, type Fixtures } from './fixtures.js';
import { changesContract } from './suites/changes.js';
import { claimsContract } from './suites/claims.js';
import { crowdedContract } from './suites/crowded.js';
import { eventsContract } from './suites/events.js';
import { insertContract } from './suites/insert.js';
import { isolationContract } from './suites/isolation.js';
import { lookupContract } from './suites/lookup.js';
import { policiesContract } from './suites/policies.js';
import { racesContract } from './suites/races.js';
import { textContract } from './suites/text.js';

/** Options of `describeRepositoryContract`. */
export interface RepositoryContractOptions {
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
}

/**
 * Declares the conformance tests of the `TokenRepository` contract as
 * vitest `describe`/`it` blocks: every operation, every atomic guarantee
 * (per-owner cap, one master per user, compare-and-set updates, single-use
 * claims) under real concurrent calls, paging, tenant isolation, and that
 * records handed out are not live views of storage.
 *
 * `makeRepository` is called before every test and must return a repository
 * over empty storage (a fresh file, schema or database): some checks, such
 * as the counts returned by `purgeExpired` and `pruneEvents`, are global.
 * Call it at the top level of a test file; vitest must be installed (it is
 * an optional peer dependency of this entry point).
 *
 * @example
 * ```ts
 * // test/my-store.contract.test.ts
 * import { describeRepositoryContract } from 'tokenward/testing';
 * import { myRepository } from '../src/my-store.js';
 *
 * describeRepositoryContract('my store', async () => myRepository(await freshDatabase()), {
 *   teardown: async (repository) => { await repository.close?.(); },
 * });
 * ```
 */
export function describeRepositoryContract(
  name: string,
  makeRepository: () => TokenRepository | Promise<TokenRepository>,
  options: RepositoryContractOptions = {},
): void {
  const given = optionsObject(options, 'options', ['concurrency', 'teardown']);
  functionOption(required(makeRepository, 'makeRepository'), 'makeRepository');
  const concurrency = integerOption(given.concurrency, 'concurrency', { min: 2, max: 10_000 }, 20);
  functionOption(given.teardown, 'teardown');
  describe(`TokenRepository contract: ${name}`, () => {
    let repository: TokenRepository | null = null;
    let fixtures: Fixtures | null = null;
    beforeEach(async () => {
      fixtures = createFixtures();
      repository = await makeRepository();
    });
    afterEach(async () => {
      const current = repository;
      repository = null;
      if (current === null) return;
      if (options.teardown) await options.teardown(current);
      else await current.close?.();
    });
    const context: ContractContext = {
      repo: () => {
        if (repository === null) throw new Error('the repository is only available inside a test');
        return repository;
      },
      fx: () => {
        if (fixtures === null) throw new Error('fixtures are only available inside a test');
        return fixtures;
      },
      concurrency,
    };
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
  });
}
