/**
 * @internal The options of issue 13, checked once at construction like the
 * others: legacy prefixes of imported keys, hooks, the logger, the tracer
 * and the expiry-warning thresholds.
 */
import { parseDuration } from '../core/duration.js';
import { invalid } from '../core/errors.js';
import { checkLegacyOverlap, legacyPrefixesOption, legacyPrefixOf } from '../core/imported-keys.js';
import { isPlainObject } from '../core/input.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import { optionsObject, withMethods } from '../core/options.js';
import type { TokenTracer } from '../core/tracing.js';
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
  if (!Array.isArray(value) || value.length > 10)
    throw invalid('expiryWarnings', 'must be a list of up to 10 durations');
  const thresholds = value.map((duration: unknown, index) => parseDuration(duration, `expiryWarnings[${index}]`));
  if (new Set(thresholds).size !== thresholds.length) throw invalid('expiryWarnings', 'must not repeat a duration');
  return Object.freeze(thresholds.sort((a, b) => a - b));
}

/** A verification token that a legacy prefix would send to the imported-key lookup is refused. */
function checkVerificationTokens(entries: unknown, prefixes: readonly string[]): void {
  if (prefixes.length === 0 || !Array.isArray(entries)) return;
  entries.forEach((entry: unknown, index) => {
    const secret = isPlainObject(entry) ? entry.secret : entry;
    if (typeof secret === 'string' && legacyPrefixOf(secret, prefixes) !== undefined) {
      throw invalid(`verificationTokens[${index}]`, 'must not start with one of legacyPrefixes');
    }
  });
}

/** The service's own strings a legacy prefix must not overlap: `<prefix>_` and each verification token. */
function reservedStarts(prefix: string, entries: unknown): { text: string; what: string }[] {
  const reserved = [{ text: `${prefix}_`, what: `the token prefix ${prefix}_` }];
  if (Array.isArray(entries)) {
    entries.forEach((entry: unknown, index) => {
      const secret = isPlainObject(entry) ? entry.secret : entry;
      if (typeof secret === 'string') reserved.push({ text: secret, what: `verificationTokens[${index}]` });
    });
  }
  return reserved;
}

/**
 * Checks the options of issue 13 (`given` is the whole options object,
 * already checked for unknown keys; `prefix` the checked token prefix).
 */
export function lifecycleSettings(given: Record<string, unknown>, prefix: string): LifecycleSettings {
  const legacyPrefixes = legacyPrefixesOption(given.legacyPrefixes, 'legacyPrefixes');
  checkVerificationTokens(given.verificationTokens, legacyPrefixes);
  checkLegacyOverlap(legacyPrefixes, reservedStarts(prefix, given.verificationTokens), 'legacyPrefixes');
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
