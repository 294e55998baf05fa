/**
 * @internal The options of issue 13, checked once at construction like the
 * others: legacy prefixes of imported keys, hooks, the logger, the tracer
 * and the expiry-warning thresholds.
 */
import { parseDuration } from '../core/duration.js';
import { invalid } from '../core/errors.js';
import { checkLegacyOverlap, legacyPrefixesOption, legacyPrefixOf } from '../core/imported-keys.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import { listSnapshot, optionsObject, withMethods } from '../core/options.js';
import type { TokenTracer } from '../core/tracing.js';
import { snapshotSecret, type VerificationSnapshot } from '../core/verification-tokens.js';
import type { TokenHooks } from './types.js';

/** Every hook `hooks` may hold. */
const HOOK_NAMES = [
  'onIssued',
  'onRotated',
  'onRevoked',
  'onClaimed',
  'onUpdated',
  'onImported',
  'onVerificationFailed',
  'onExpiring',
] as const;

/** The checked options of issue 13. */
export interface LifecycleSettings {
  readonly legacyPrefixes: readonly string[];
  readonly hooks: TokenHooks;
  readonly logger: Logger;
  readonly tracer: TokenTracer | undefined;
  /** Warning thresholds in milliseconds, shortest first. */
  readonly expiryWarnings: readonly number[];
}

function hooksOption(value: unknown): TokenHooks {
  if (value === undefined) return {};
  // A snapshot: each hook is read once, a getter that throws refused naming it.
  const hooks = optionsObject(value, 'hooks', HOOK_NAMES);
  for (const name of HOOK_NAMES) {
    if (hooks[name] !== undefined && typeof hooks[name] !== 'function')
      throw invalid(`hooks.${name}`, 'must be a function');
  }
  return Object.freeze(hooks) as TokenHooks;
}

function thresholdsOption(value: unknown): readonly number[] {
  if (value === undefined) return [parseDuration('1d'), parseDuration('7d')];
  const list = listSnapshot(value, 'expiryWarnings', 'must be a list of up to 10 durations', 10);
  const thresholds = list.map((duration: unknown, index) => parseDuration(duration, `expiryWarnings[${index}]`));
  if (new Set(thresholds).size !== thresholds.length) throw invalid('expiryWarnings', 'must not repeat a duration');
  return Object.freeze(thresholds.sort((a, b) => a - b));
}

/** A verification token that a legacy prefix would send to the imported-key lookup is refused. */
function checkVerificationTokens(entries: readonly VerificationSnapshot[], prefixes: readonly string[]): void {
  if (prefixes.length === 0) return;
  entries.forEach((entry, index) => {
    if (legacyPrefixOf(snapshotSecret(entry), prefixes) !== undefined) {
      throw invalid(`verificationTokens[${index}]`, 'must not start with one of legacyPrefixes');
    }
  });
}

/** The service's own strings a legacy prefix must not overlap: `<prefix>_` and each verification token. */
function reservedStarts(prefix: string, entries: readonly VerificationSnapshot[]): { text: string; what: string }[] {
  const reserved = [{ text: `${prefix}_`, what: `the token prefix ${prefix}_` }];
  entries.forEach((entry, index) => {
    reserved.push({ text: snapshotSecret(entry), what: `verificationTokens[${index}]` });
  });
  return reserved;
}

/**
 * Checks the options of issue 13 (`given` is the snapshot of the options
 * object; `prefix` the checked token prefix; `verification` the snapshot of
 * `verificationTokens`, so its secrets are not read again here).
 */
export function lifecycleSettings(
  given: Record<string, unknown>,
  prefix: string,
  verification: readonly VerificationSnapshot[],
): LifecycleSettings {
  const legacyPrefixes = legacyPrefixesOption(given.legacyPrefixes, 'legacyPrefixes');
  checkVerificationTokens(verification, legacyPrefixes);
  checkLegacyOverlap(legacyPrefixes, reservedStarts(prefix, verification), 'legacyPrefixes');
  return {
    legacyPrefixes,
    hooks: hooksOption(given.hooks),
    logger:
      given.logger === undefined
        ? consoleLogger
        : withMethods<Logger>(given.logger, 'logger', ['warn', 'error'], 'a Logger'),
    tracer:
      given.tracer === undefined
        ? undefined
        : withMethods<TokenTracer>(given.tracer, 'tracer', ['trace'], 'a TokenTracer'),
    expiryWarnings: thresholdsOption(given.expiryWarnings),
  };
}
