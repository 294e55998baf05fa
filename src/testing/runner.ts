/**
 * The test runner the conformance suite declares its tests with. The suite
 * imports no runner: the caller passes the four functions every common one
 * has, so a store author can use their own.
 */
import { withMethods } from '../core/options.js';

/**
 * `describe`, `it`, `beforeEach` and `afterEach` of a test runner, as
 * vitest, `node:test`, Jest, Mocha and Bun all name them:
 *
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'vitest'; // or 'node:test', '@jest/globals', 'bun:test'
 * describeRepositoryContract('my store', makeStore, { runner: { describe, it, beforeEach, afterEach } });
 * ```
 *
 * Bodies and hooks take no parameters and return promises; suites are
 * declared synchronously.
 */
export interface TestRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void>): unknown;
  beforeEach(hook: () => Promise<void>): unknown;
  afterEach(hook: () => Promise<void>): unknown;
}

/** @internal The runner option, checked. @throws {TokenError} `invalid_request` naming `runner`. */
export function runnerOption(value: unknown): TestRunner {
  return withMethods<TestRunner>(
    value,
    'runner',
    ['describe', 'it', 'beforeEach', 'afterEach'],
    'a test runner: { describe, it, beforeEach, afterEach } from vitest, node:test, Jest, Mocha or Bun',
  );
}

/**
 * @internal A test that declares at run time that it does not apply (the
 * store lacks an optional method). `args` and `self` are what the runner
 * passed to the test body: vitest and `node:test` hand a context with
 * `skip`, Mocha has `this.skip`. With a runner that can do neither, the
 * test ends here and passes.
 */
export function skipTest(self: unknown, args: readonly unknown[], note: string): void {
  for (const candidate of [args[0], self]) {
    const skip = (candidate as { skip?: unknown } | null | undefined)?.skip;
    if (typeof skip === 'function') {
      skip.call(candidate, note);
      return;
    }
  }
}
