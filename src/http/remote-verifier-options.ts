import { parseDuration } from '../core/duration.js';
import { expectKeys, identifier, invalid, isPlainObject, tokenName } from '../core/input.js';
import type { Duration } from '../core/types.js';
import type { RemoteVerifierOptions } from './remote-verifier.js';

/**
 * @internal Validation of `createRemoteVerifier`'s options, once, when it
 * is built: every bad option is a `TokenError('invalid_request')` whose
 * `field` names it, like the service's own options. A verifier that could
 * only fail at its first request (a URL `fetch` refuses, a token that cannot
 * go into a header) is refused here instead of answering `unavailable` forever.
 */

/** A local verification token after validation. */
export interface LocalTokenConfig {
  readonly secret: string;
  readonly tenant: string;
  readonly name: string;
}

/** `createRemoteVerifier`'s options after validation. */
export interface RemoteVerifierSettings {
  readonly url: string;
  readonly authorization: string;
  readonly cacheTtl: number;
  readonly negativeCacheTtl: number;
  readonly timeout: number;
  readonly maxEntries: number;
  readonly maxNegativeEntries: number;
  readonly localTokens: readonly LocalTokenConfig[];
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

// RFC 6750 §2.1 b64token: what may follow `Bearer ` in the Authorization header.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_SECRET_LENGTH = 4096;
const MIN_SECRET_LENGTH = 16;
// Longer than any sensible wait for a token check; far below AbortSignal.timeout's 2^31-1 ms ceiling.
const MAX_TIMEOUT_MS = 3_600_000;

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

function milliseconds(value: unknown, fallback: Duration, field: string, allowZero: boolean): number {
  if (allowZero && value === 0) return 0;
  return parseDuration(value ?? fallback, field);
}

function positiveInteger(value: unknown, fallback: number, field: string): number {
  const result = value ?? fallback;
  if (typeof result !== 'number' || !Number.isSafeInteger(result) || result < 1) {
    throw invalid(field, 'must be a positive integer');
  }
  return result;
}

function optionalFunction<T>(value: unknown, field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(field, 'must be a function');
  return value as T;
}

function localTokens(value: unknown, defaultTenant: string): LocalTokenConfig[] {
  const field = 'localVerificationTokens';
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(field, 'must be a list of secrets or { secret, tenant?, name? }');
  return value.map((entry: unknown, index) => {
    const at = `${field}[${index}]`;
    const config = typeof entry === 'string' ? { secret: entry } : entry;
    if (!isPlainObject(config)) throw invalid(at, 'must be a secret or { secret, tenant?, name? }');
    expectKeys(config, at, ['secret', 'tenant', 'name']);
    const { secret } = config;
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH) {
      throw invalid(typeof entry === 'string' ? at : `${at}.secret`, 'must be a secret of 16 to 4096 characters');
    }
    return {
      secret,
      tenant: config.tenant === undefined ? defaultTenant : identifier(config.tenant, `${at}.tenant`),
      name: config.name === undefined ? 'verification' : tokenName(config.name, `${at}.name`),
    };
  });
}

/** @internal Validates every option; see `RemoteVerifierOptions` for their meaning. */
export function remoteVerifierSettings(options: unknown): RemoteVerifierSettings {
  if (options === undefined) throw invalid('options', 'is required (at least { url, token })');
  const checked = expectKeys(options, 'options', KEYS);
  const url = platformUrl(checked.url);
  const authorization = `Bearer ${platformToken(checked.token)}`;
  const enablePersonalTokens = checked.enablePersonalTokens ?? true;
  if (typeof enablePersonalTokens !== 'boolean') throw invalid('enablePersonalTokens', 'must be true or false');
  const defaultTenant = identifier(checked.defaultTenant ?? 'default', 'defaultTenant');
  const locals = localTokens(checked.localVerificationTokens, defaultTenant);
  if (!enablePersonalTokens && locals.length === 0) {
    throw invalid('enablePersonalTokens', 'is false and there are no localVerificationTokens: no token could pass');
  }
  const timeout = milliseconds(checked.timeout, '5s', 'timeout', false);
  if (timeout > MAX_TIMEOUT_MS) throw invalid('timeout', 'must be at most 1h');
  const maxEntries = positiveInteger(checked.maxEntries, 10_000, 'maxEntries');
  return {
    url,
    authorization,
    cacheTtl: milliseconds(checked.cacheTtl, '30s', 'cacheTtl', true),
    negativeCacheTtl: milliseconds(checked.negativeCacheTtl, '10s', 'negativeCacheTtl', true),
    timeout,
    maxEntries,
    maxNegativeEntries: positiveInteger(checked.maxNegativeEntries, maxEntries, 'maxNegativeEntries'),
    localTokens: locals,
    enablePersonalTokens,
    accept: optionalFunction(checked.accept, 'accept'),
    fetch: optionalFunction(checked.fetch, 'fetch'),
    now: optionalFunction<() => number>(checked.now, 'now') ?? Date.now,
  };
}
