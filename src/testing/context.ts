/** @internal What every part of the conformance suite receives. */
import type { TokenRepository } from '../core/repository.js';
import type { Fixtures } from './fixtures.js';
import type { TestRunner } from './runner.js';

/** Access to the repository and builders of the running test, and the runner to declare tests with. */
export interface ContractContext extends Pick<TestRunner, 'describe' | 'it'> {
  /** The repository of the running test (made fresh for each test). */
  readonly repo: () => TokenRepository;
  /** Builders scoped to the running test. */
  readonly fx: () => Fixtures;
  /** How many calls the race tests start at once. */
  readonly concurrency: number;
}
