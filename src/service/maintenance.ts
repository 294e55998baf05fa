/**
 * @internal Maintenance: deleting what the retention settings no longer
 * keep, announcing tokens about to expire, and running all of it by itself
 * (issue 13; Keboola deletes expired tokens automatically).
 *
 * A pass runs the tasks of `MAINTENANCE_TASKS` in order, each on its own:
 * one that fails is logged and reported, and the others still run. On a
 * store with `runExclusive` (PostgreSQL) one instance of a cluster runs
 * each pass; the others skip it. One service never runs two passes at once.
 */
import { parseDuration } from '../core/duration.js';
import { invalid } from '../core/errors.js';
import { expectKeys, flag } from '../core/input.js';
import { failureCode, safeLog } from '../core/logger.js';
import { functionOption } from '../core/options.js';
import { guarded, type ServiceContext } from './context.js';
import { sendExpiryWarnings } from './expiry-warnings.js';
import { refillCredits } from './metering.js';
import type { MaintenanceHandle, MaintenanceOptions, MaintenanceReport } from './types.js';

// Async functions, so a store that throws before it returns its promise still gives a rejection
// (outside review, issue 12), never an exception thrown at the caller.

/** See `TokenService.purgeExpired`. */
export async function purgeExpired(context: ServiceContext): Promise<number> {
  return guarded(context.repository.purgeExpired(context.now() - context.settings.purgeAfter));
}

/** See `TokenService.pruneEvents`. */
export async function pruneEvents(context: ServiceContext): Promise<number> {
  return guarded(context.repository.pruneEvents(context.now() - context.settings.eventRetention));
}

/** How long after a signed-out session's expiry its record is kept: one hour, for clocks that differ. */
export const SIGN_OUT_MARGIN_MS = 3_600_000;

/** See `TokenService.pruneRevokedSessions`. */
export async function pruneRevokedSessions(context: ServiceContext): Promise<number> {
  const { repository } = context;
  if (repository.pruneRevokedSessions === undefined) return 0;
  // An hour's margin: an instance whose clock runs behind still refuses a signed-out session it thinks alive.
  return guarded(repository.pruneRevokedSessions(context.now() - SIGN_OUT_MARGIN_MS));
}

/** One job of a maintenance pass. */
export interface MaintenanceTask {
  /** Its name in reports and logs. */
  readonly name: string;
  /** Does the job once and answers how many things it handled; throws to report a failure. */
  run(context: ServiceContext): Promise<number>;
}

/**
 * The registry: every task a pass runs, in order. A capability with state
 * to clean up adds its task here: usage credits refilled in bulk and the
 * sign-outs of expired sessions (issue 13, docs/limits.md) are two such.
 */
export const MAINTENANCE_TASKS: readonly MaintenanceTask[] = [
  { name: 'purgeExpired', run: purgeExpired },
  { name: 'pruneEvents', run: pruneEvents },
  { name: 'expiryWarnings', run: sendExpiryWarnings },
  { name: 'refillCredits', run: refillCredits },
  { name: 'pruneRevokedSessions', run: pruneRevokedSessions },
];

/** The lock name of a pass, per store (`runExclusive`). */
const PASS_LOCK = 'tokenward:maintenance';

/** The pass each service is running, so that two never overlap. */
const running = new WeakMap<ServiceContext, Promise<MaintenanceReport>>();

async function runTasks(context: ServiceContext): Promise<MaintenanceReport['tasks']> {
  const results: { name: string; count: number; error?: string }[] = [];
  for (const task of MAINTENANCE_TASKS) {
    try {
      results.push({ name: task.name, count: await task.run(context) });
    } catch (error) {
      const code = failureCode(error);
      safeLog(context.settings.logger, 'error', `maintenance task ${task.name} failed`, { task: task.name, code });
      results.push({ name: task.name, count: 0, error: code });
    }
  }
  return results;
}

async function pass(context: ServiceContext): Promise<MaintenanceReport> {
  const startedAt = new Date(context.now());
  const { repository } = context;
  if (repository.runExclusive === undefined) return { startedAt, skipped: false, tasks: await runTasks(context) };
  const outcome = await guarded(repository.runExclusive(PASS_LOCK, () => runTasks(context)));
  return outcome.ran ? { startedAt, skipped: false, tasks: outcome.value } : { startedAt, skipped: true, tasks: [] };
}

/** See `TokenService.runMaintenance`. */
export function runMaintenance(context: ServiceContext): Promise<MaintenanceReport> {
  const current = running.get(context);
  if (current !== undefined) return current;
  const started = pass(context).finally(() => running.delete(context));
  running.set(context, started);
  return started;
}

/** See `TokenService.startMaintenance`. */
export function startMaintenance(context: ServiceContext, options?: MaintenanceOptions): MaintenanceHandle {
  const fields = expectKeys(options, 'options', ['interval', 'runAtStart', 'onPass']);
  const interval = parseDuration(fields.interval ?? '1h', 'options.interval');
  if (interval < 1000) throw invalid('options.interval', 'must be at least 1s');
  const runAtStart = flag(fields.runAtStart, 'options.runAtStart', true);
  const onPass = functionOption<(report: MaintenanceReport) => void>(fields.onPass, 'options.onPass');
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const tick = (): void => {
    timer = null;
    inFlight = runMaintenance(context)
      .then(
        (report) => onPass?.(report),
        (error: unknown) =>
          safeLog(context.settings.logger, 'error', 'a maintenance pass failed', { code: failureCode(error) }),
      )
      .catch((error: unknown) =>
        safeLog(context.settings.logger, 'error', 'the onPass callback failed', { code: failureCode(error) }),
      )
      .finally(schedule);
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(tick, interval);
    // Maintenance never keeps a process alive (Node's timers have `unref`; others need not).
    (timer as { unref?: () => void }).unref?.();
  };
  if (runAtStart) tick();
  else schedule();
  return {
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
  };
}
