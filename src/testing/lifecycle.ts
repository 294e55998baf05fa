/**
 * @internal What both conformance suites share: their options, checked
 * (`runner`, `concurrency`, `teardown`, `faults`), and a store and fixtures
 * made fresh before each test and torn down after it.
 */
import { functionOption, integerOption, optionsObject, required } from '../core/options.js';
import type { DriverFaults } from './faults.js';
import { runnerOption, type TestRunner } from './runner.js';

/** A store of either suite: it may have a `close`. */
interface Closable {
  close?(): Promise<void>;
}

/** The options of a suite, checked. */
export interface SuiteSettings<S> {
  readonly runner: TestRunner;
  readonly concurrency: number;
  /** `teardown`, else the store's own `close`. */
  readonly close: (store: S) => Promise<void>;
  readonly faults: ((faults: DriverFaults) => S | Promise<S>) | undefined;
}

/**
 * Checks a suite's factory (named `makeField`) and options.
 *
 * @throws {TokenError} `invalid_request` naming the bad one.
 */
export function suiteSettings<S extends Closable>(
  make: unknown,
  makeField: string,
  options: unknown,
): SuiteSettings<S> {
  const given = optionsObject(options, 'options', ['runner', 'concurrency', 'teardown', 'faults']);
  functionOption(required(make, makeField), makeField);
  const runner = runnerOption(required(given.runner, 'runner'));
  const teardown = functionOption<(store: S) => Promise<void>>(given.teardown, 'teardown');
  return {
    runner,
    concurrency: integerOption(given.concurrency, 'concurrency', { min: 2, max: 10_000 }, 20),
    close: async (store) => (teardown ? teardown(store) : store.close?.()),
    faults: functionOption<(faults: DriverFaults) => S | Promise<S>>(given.faults, 'faults'),
  };
}

/** Declares the hooks that make a store and fixtures before each test and close the store after it. */
export function perTest<S, F>(
  settings: Pick<SuiteSettings<S>, 'runner' | 'close'>,
  make: () => S | Promise<S>,
  fixtures: () => F,
  what: string,
): { readonly store: () => S; readonly fx: () => F } {
  let store: S | null = null;
  let current: F | null = null;
  settings.runner.beforeEach(async () => {
    current = fixtures();
    store = await make();
  });
  settings.runner.afterEach(async () => {
    const done = store;
    store = null;
    if (done !== null) await settings.close(done);
  });
  return {
    store: () => {
      if (store === null) throw new Error(`the ${what} is only available inside a test`);
      return store;
    },
    fx: () => {
      if (current === null) throw new Error('fixtures are only available inside a test');
      return current;
    },
  };
}
