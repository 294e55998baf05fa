import { invalid } from '../core/errors.js';
import { expectKeys, identifier } from '../core/input.js';
import { booleanOption, durationOption, functionOption, integerOption } from '../core/options.js';
import { MAX_SECRET_LENGTH, type VerificationEntry, verificationEntries } from '../core/verification-tokens.js';
import { B64TOKEN } from './extract.js';
import { tokenDigest } from './remote-cache.js';
import type { RemoteVerifierOptions } from './remote-verifier.js';

/**
 * @internal Validation of `createRemoteVerifier`'s options, once, when it
 * is built: every bad option is a `TokenError('invalid_request')` whose
 * `field` names it, like the service's own options. A verifier that could
 * only fail at its first request (a URL `fetch` refuses, a token that cannot
 * go into a header) is refused here instead of answering `unavailable` forever.
 */

/** `createRemoteVerifier`'s options after validation. */
export interface RemoteVerifierSettings {
  readonly url: string;
  readonly authorization: string;
  readonly cacheTtl: number;
  readonly negativeCacheTtl: number;
  readonly timeout: number;
  readonly maxEntries: number;
  readonly maxNegativeEntries: number;
  /** Local verification tokens, each kept as `tokenDigest(secret)`. */
  readonly localTokens: readonly VerificationEntry[];
  readonly enablePersonalTokens: boolean;
  readonly accept: ((token: string) => boolean) | undefined;
  readonly fetch: typeof fetch | undefined;
  readonly now: () => number;
}

const KEYS: readonly (keyof RemoteVerifierOptions)[] = [
  'url',
  'token',
  'cacheTtl',
  'negativeCacheTtl',
  'maxEntries',
  'maxNegativeEntries',
  'timeout',
  'localVerificationTokens',
  'enablePersonalTokens',
  'defaultTenant',
  'accept',
  'fetch',
  'now',
];

// Longer than any sensible wait for a token check; far below AbortSignal.timeout's 2^31-1 ms ceiling.
const MAX_TIMEOUT_MS = 3_600_000;
const COUNT = { min: 1, max: Number.MAX_SAFE_INTEGER };

function platformUrl(value: unknown): string {
  if (value === undefined) throw invalid('url', 'is required');
  const text = value instanceof URL ? value.href : typeof value === 'string' ? value : undefined;
  let url: URL | undefined;
  try {
    url = text === undefined ? undefined : new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw invalid('url', 'must be an http or https URL');
  }
  // fetch refuses such URLs, so every check would fail as `unavailable`.
  if (url.username !== '' || url.password !== '') throw invalid('url', 'must not hold a user name or password');
  return url.href;
}

function platformToken(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_SECRET_LENGTH || !B64TOKEN.test(value)) {
    throw invalid('token', 'must be a bearer token (1-4096 RFC 6750 token characters)');
  }
  return value;
}

/** A duration in ms, where `0` (only where `allowZero`) turns the cache off. */
function milliseconds(value: unknown, fallback: string, field: string, allowZero: boolean): number {
  return allowZero && value === 0 ? 0 : durationOption(value, field, fallback);
}

/** @internal Validates every option; see `RemoteVerifierOptions` for their meaning. */
export function remoteVerifierSettings(options: unknown): RemoteVerifierSettings {
  if (options === undefined) throw invalid('options', 'is required (at least { url, token })');
  const checked = expectKeys(options, 'options', KEYS);
  const url = platformUrl(checked.url);
  const authorization = `Bearer ${platformToken(checked.token)}`;
  const enablePersonalTokens = booleanOption(checked.enablePersonalTokens, 'enablePersonalTokens', true);
  const defaultTenant =
    checked.defaultTenant === undefined ? 'default' : identifier(checked.defaultTenant, 'defaultTenant');
  const locals = verificationEntries(
    checked.localVerificationTokens,
    'localVerificationTokens',
    defaultTenant,
    tokenDigest,
  );
  if (!enablePersonalTokens && locals.length === 0) {
    throw invalid('enablePersonalTokens', 'is false and there are no localVerificationTokens: no token could pass');
  }
  const timeout = milliseconds(checked.timeout, '5s', 'timeout', false);
  if (timeout > MAX_TIMEOUT_MS) throw invalid('timeout', 'must be at most 1h');
  const maxEntries = integerOption(checked.maxEntries, 'maxEntries', COUNT, 10_000);
  return {
    url,
    authorization,
    cacheTtl: milliseconds(checked.cacheTtl, '30s', 'cacheTtl', true),
    negativeCacheTtl: milliseconds(checked.negativeCacheTtl, '10s', 'negativeCacheTtl', true),
    timeout,
    maxEntries,
    maxNegativeEntries: integerOption(checked.maxNegativeEntries, 'maxNegativeEntries', COUNT, maxEntries),
    localTokens: locals,
    enablePersonalTokens,
    accept: functionOption(checked.accept, 'accept'),
    fetch: functionOption(checked.fetch, 'fetch'),
    now: functionOption<() => number>(checked.now, 'now') ?? Date.now,
  };
}
