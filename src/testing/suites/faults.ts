/**
 * @internal Conformance under driver faults: for every atomic operation,
 * the store's driver fails each of the operation's statements in turn
 * (before it runs, and after it ran with its answer lost). The store must
 * then leave storage as it was or as if the operation had fully happened,
 * never in between, and report the failure as an error the service answers
 * with `unavailable`.
 */
import { isTokenError } from '../../core/errors.js';
import type { TokenRepository } from '../../core/repository.js';
import { expect } from '../expect.js';
import type { FaultPlan, FaultTiming } from '../faults.js';
import { createFixtures } from '../fixtures.js';
import { skipTest, type TestRunner } from '../runner.js';
import { FAULT_CASES, type FaultCase, observe } from './fault-cases.js';

/** How the fault section gets a repository wired to a plan, and lets go of it. */
export interface FaultContext extends Pick<TestRunner, 'describe' | 'it'> {
  readonly open: (plan: FaultPlan) => Promise<TokenRepository>;
  readonly close: (repository: TokenRepository) => Promise<void>;
  readonly plan: () => FaultPlan;
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

async function settle(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    await run();
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A failure the service turns into `unavailable`: anything but a TokenError with another code. */
function reportsOutage(error: unknown): boolean {
  return !isTokenError(error) || error.code === 'unavailable';
}

/** Runs `test` once from a fresh scope and returns the state it leaves. */
async function runOnce(
  repo: TokenRepository,
  plan: FaultPlan,
  test: FaultCase,
  fault: { nth: number; when: FaultTiming } | 'none' | 'skip',
) {
  const fx = createFixtures();
  const scenario = await test.setup(repo, fx);
  let outcome: Outcome = { ok: true };
  let seen = 0;
  let fired = false;
  if (fault !== 'skip') {
    plan.arm(fault === 'none' ? Number.POSITIVE_INFINITY : fault.nth, fault === 'none' ? 'before' : fault.when);
    outcome = await settle(scenario.run);
    ({ seen, fired } = plan.disarm());
  }
  return {
    outcome,
    seen,
    fired,
    state: await observe(repo, fx, scenario.claims ?? [], scenario.sessions, scenario.warnings),
  };
}

async function sweep(repo: TokenRepository, plan: FaultPlan, test: FaultCase): Promise<void> {
  const before = (await runOnce(repo, plan, test, 'skip')).state;
  const reference = await runOnce(repo, plan, test, 'none');
  if (!reference.outcome.ok) throw reference.outcome.error;
  expect(
    reference.seen,
    'the fault hook saw no statement: route every statement of the driver through faults.statement',
  ).toBeGreaterThan(0);
  const done = reference.state;
  for (const when of ['before', 'after'] as const) {
    for (let nth = 1; nth <= reference.seen; nth++) {
      const where = `${test.name}: statement ${nth} of ${reference.seen} failing ${when} it ran`;
      const run = await runOnce(repo, plan, test, { nth, when });
      expect(run.fired, `${where}: the store ran fewer statements than without the fault`).toBe(true);
      if (run.outcome.ok) {
        if (!test.bestEffort) expect(run.state, `${where}: reported success, so all of it must be stored`).toBe(done);
      } else {
        expect(
          reportsOutage(run.outcome.error),
          `${where}: must fail as an outage, not ${String(run.outcome.error)}`,
        ).toBe(true);
      }
      expect([before, done], `${where}: storage must be as before or fully done`).toContain(run.state);
    }
  }
}

export function faultsContract(context: FaultContext): void {
  const { describe, it } = context;
  describe('driver faults: nothing half-written, failures reported', () => {
    for (const test of FAULT_CASES) {
      it(`${test.name}: a failure at any of its statements leaves it undone or done`, async function (this: unknown, ...args: unknown[]) {
        const plan = context.plan();
        const repo = await context.open(plan);
        try {
          if (test.needs !== undefined && repo[test.needs] === undefined) {
            skipTest(this, args, `the store has no ${test.needs}`);
            return;
          }
          await sweep(repo, plan, test);
        } finally {
          plan.disarm();
          await context.close(repo);
        }
      });
    }
  });
}
