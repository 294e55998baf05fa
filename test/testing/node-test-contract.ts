/**
 * The conformance suite under node:test, as a store author without vitest
 * runs it: `node --import tsx --test test/testing/node-test-contract.ts`.
 * `TOKENWARD_BROKEN_STORE=1` runs it against a store that loses names, to
 * show that failures are reported (test/testing/runners.test.ts runs both).
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TokenRepository } from '../../src/core/repository.js';
import { memoryRepository } from '../../src/stores/memory/index.js';
import { describeRepositoryContract } from '../../src/testing/index.js';

function brokenStore(): TokenRepository {
  const store = memoryRepository();
  return { ...store, findByName: async () => null };
}

const broken = process.env.TOKENWARD_BROKEN_STORE === '1';

describeRepositoryContract(broken ? 'a store that loses names' : 'memory', broken ? brokenStore : memoryRepository, {
  runner: { describe, it, beforeEach, afterEach },
});
