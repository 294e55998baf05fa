import { isTokenError, TokenError } from '../core/errors.js';
import { spendRequest } from '../core/metering-input.js';
import type { Principal } from '../core/principal-types.js';
import type { Duration } from '../core/types.js';
import {
  findVerificationEntry,
  MAX_SECRET_LENGTH,
  type VerificationTokenConfig,
  verificationPrincipal,
} from '../core/verification-tokens.js';
import type { VerifyOptions } from '../service/types.js';
import { isB64Token } from './extract.js';
import { isMetered, meterRefusal, readAnswer, unavailable } from './remote-answer.js';
import { BoundedCache, tokenDigest } from './remote-cache.js';
import { type RemoteVerifierSettings, remoteVerifierSettings } from './remote-verifier-options.js';

/** Options of `createRemoteVerifier`. */
export interface RemoteVerifierOptions {
  /** The platform's RFC 7662 introspection endpoint: an `http` or `https` URL without a user name or password. */
  readonly url: string | URL;
  /** This service's own token at the platform (an administrative or verification token there; RFC 6750 characters). */
  readonly token: string;
  /**
   * How long a live answer is reused (default `'30s'`). A token revoked at
   * the platform keeps working here for at most this long; `0` disables the
   * positive cache. Never past the token's own expiry.
   */
  readonly cacheTtl?: Duration;
  /** How long a "not active" answer is reused (default `'10s'`; `0` disables). */
  readonly negativeCacheTtl?: Duration;
  /** Most live answers kept (default 10 000); the least recently used go first. */
  readonly maxEntries?: number;
  /** Most "not active" answers kept (default: `maxEntries`), apart so junk cannot evict live entries. */
  readonly maxNegativeEntries?: number;
  /** How long to wait for the platform (default `'5s'`, at most `'1h'`); then the verification fails as `unavailable`. */
  readonly timeout?: Duration;
  /**
   * This service's own static verification tokens (Database Lab Engine's
   * engine token): checked locally in constant time, before and without
   * the platform, so they keep working when the platform is down.
   */
  readonly localVerificationTokens?: readonly (string | VerificationTokenConfig)[];
  /**
   * Ask the platform about other tokens at all (default true). False: only
   * local verification tokens work, so at least one must be given.
   */
  readonly enablePersonalTokens?: boolean;
  /** Tenant of local verification tokens that name none (default `default`). */
  readonly defaultTenant?: string;
  /**
   * Cheap test run before the platform is asked (default: any string of
   * RFC 6750 token characters up to 4096 long). Strings it refuses fail as
   * `token_invalid` without a request.
   */
  readonly accept?: (token: string) => boolean;
  /**
   * The `fetch` to use (default `globalThis.fetch`). It is called with
   * `redirect: 'manual'`, which every runtime accepts (workerd refuses
   * `'error'`); any redirect it reports fails as `unavailable`.
   */
  readonly fetch?: typeof fetch;
  /** Clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** Counters of a remote verifier, for monitoring. */
export interface RemoteVerifierStats {
  /** Live answers held. */
  readonly positiveEntries: number;
  /** "Not active" answers held. */
  readonly negativeEntries: number;
  /** Requests sent to the platform so far. */
  readonly requests: number;
  /** Verifications answered from the cache so far. */
  readonly hits: number;
}

/** A verifier that asks a central platform; use it where a `TokenService` would verify. */
export interface RemoteVerifier {
  /** Verifies a token: a principal, or a `TokenError` (`unavailable` when the platform cannot answer). */
  verify(token: string, options?: VerifyOptions): Promise<Principal>;
  /** Drops every cached answer (for example after a revocation announced by the platform). */
  clear(): void;
  stats(): RemoteVerifierStats;
}

/** The biggest answer read from the platform, in characters. */
const MAX_ANSWER_CHARS = 64 * 1024;

/** A redirect under `redirect: 'manual'`: browsers hide it as an opaque-redirect response (status 0). */
function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status <= 399);
}

/** The default `accept`: any string of RFC 6750 token characters up to 4096 long. */
function acceptsB64Token(token: string): boolean {
  return token.length <= MAX_SECRET_LENGTH && isB64Token(token);
}

function invalidToken(): TokenError {
  return new TokenError('token_invalid', 'the token is invalid');
}

/** The form of an introspection request: the token, and what a metered token is to spend (tokenward's extensions). */
function requestForm(token: string, options: VerifyOptions | undefined): string {
  const form = new URLSearchParams({ token });
  if (options?.cost !== undefined) form.set('cost', String(options.cost));
  const { ratelimit } = options ?? {};
  if (ratelimit !== undefined) form.set('ratelimit', typeof ratelimit === 'string' ? ratelimit : ratelimit.join(' '));
  return form.toString();
}

/**
 * One introspection request for `token`: the principal of a live token,
 * null for "not active".
 *
 * @throws {TokenError} `rate_limited` or `usage_exceeded` when the platform
 *   answers 429 for a metered token; `unavailable` for anything else but a
 *   readable 200 answer.
 */
async function askPlatform(
  settings: RemoteVerifierSettings,
  token: string,
  options: VerifyOptions | undefined,
): Promise<Principal | null> {
  const doFetch = settings.fetch ?? globalThis.fetch.bind(globalThis);
  let raw: string;
  try {
    const response = await doFetch(settings.url, {
      method: 'POST',
      headers: {
        authorization: settings.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: requestForm(token, options),
      signal: AbortSignal.timeout(settings.timeout),
      // 'manual', not 'error': workerd refuses 'error'. A redirect is never
      // followed; whoever answers with one does not get to pick who decides.
      redirect: 'manual',
    });
    if (isRedirect(response)) {
      await response.body?.cancel();
      throw unavailable('the token platform answered with a redirect, which is not followed');
    }
    if (response.status === 429) throw await meterRefusal(response);
    if (response.status !== 200) {
      await response.body?.cancel();
      throw unavailable('the token platform refused the introspection request');
    }
    raw = await response.text();
  } catch (cause) {
    if (isTokenError(cause)) throw cause;
    throw unavailable('the token platform is unreachable', cause);
  }
  if (raw.length > MAX_ANSWER_CHARS) throw unavailable('the token platform answered something unreadable');
  return readAnswer(raw, settings.now());
}

/**
 * The platform's answers, cached under the token's digest in two bounded
 * LRU caches, with concurrent checks of one token sharing one request.
 */
class PlatformAnswers {
  private readonly positive: BoundedCache;
  private readonly negative: BoundedCache;
  private readonly inFlight = new Map<string, Promise<Principal | null>>();
  private requests = 0;
  private hits = 0;

  constructor(private readonly settings: RemoteVerifierSettings) {
    this.positive = new BoundedCache(settings.maxEntries);
    this.negative = new BoundedCache(settings.maxNegativeEntries);
  }

  async lookup(token: string, key: string, options: VerifyOptions | undefined): Promise<Principal | null> {
    const at = this.settings.now();
    const cached = this.positive.get(key, at) ?? this.negative.get(key, at);
    if (cached !== undefined) {
      this.hits++;
      return cached.principal;
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      const shared = await pending;
      // A metered token's answer spent for one request only: this one asks (and spends) for itself.
      if (shared === null || !isMetered(shared)) return shared;
      return this.ask(token, options);
    }
    const request = this.ask(token, options).then((principal) => this.keep(key, principal));
    this.inFlight.set(key, request);
    try {
      return await request;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private ask(token: string, options: VerifyOptions | undefined): Promise<Principal | null> {
    this.requests++;
    return askPlatform(this.settings, token, options);
  }

  /**
   * Caches an answer: "not active" for `negativeCacheTtl`, a live one for
   * `cacheTtl` but never past its expiry, a metered one never (each use
   * must spend at the platform).
   */
  private keep(key: string, principal: Principal | null): Principal | null {
    const { cacheTtl, negativeCacheTtl } = this.settings;
    const answeredAt = this.settings.now();
    if (principal === null) {
      if (negativeCacheTtl > 0) this.negative.set(key, { principal, until: answeredAt + negativeCacheTtl });
    } else if (cacheTtl > 0 && !isMetered(principal)) {
      const expiresAt = principal.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
      this.positive.set(key, { principal, until: Math.min(answeredAt + cacheTtl, expiresAt) });
    }
    return principal;
  }

  clear(): void {
    this.positive.clear();
    this.negative.clear();
  }

  stats(): RemoteVerifierStats {
    const { positive, negative, requests, hits } = this;
    return { positiveEntries: positive.size, negativeEntries: negative.size, requests, hits };
  }
}

/**
 * A verifier for a service that checks tokens against a central platform's
 * RFC 7662 introspection endpoint (Database Lab Engine's `dblab_token_check`
 * model). It returns principals like `TokenService.verify`, so it plugs into
 * `tokenAuth` and the Fastify plugin unchanged.
 *
 * - Answers are cached under a SHA-256 of the token (the token itself is
 *   never kept), in two bounded LRU caches: live answers for `cacheTtl`,
 *   "not active" answers for `negativeCacheTtl`; a live entry never outlives
 *   the token's `exp`. Concurrent checks of one token share one request.
 * - Metered tokens (the platform's answer has `remaining` or `ratelimits`)
 *   are never cached, nor shared between concurrent checks: each check
 *   asks the platform and spends there, with `options.cost` and
 *   `options.ratelimit`. The platform's 429 is `rate_limited` or
 *   `usage_exceeded` with `details.retryAfter` (docs/limits.md).
 * - It fails closed: a refused connection, a timeout, a redirect (never
 *   followed: any 3xx or opaque-redirect answer), another non-200 status
 *   or an unreadable answer is `TokenError('unavailable')`, never a pass,
 *   and is not cached.
 * - Local verification tokens are checked first, in constant time, and keep
 *   working with the platform down or with `enablePersonalTokens: false`.
 *
 * @throws TokenError `invalid_request` naming the option (`details.field`)
 *   for any bad option: a missing or non-http(s) `url`, a `url` with a user
 *   name or password, a `token` that is not an RFC 6750 token, a bad
 *   duration or count, a local verification token that is not a secret of
 *   16-4096 characters (or `{ secret, tenant?, name? }`), an unknown option,
 *   or `enablePersonalTokens: false` without local verification tokens
 *   (nothing could pass).
 *
 * @example
 * ```ts
 * import { createRemoteVerifier } from 'tokenward';
 * import { tokenAuth } from 'tokenward/express';
 *
 * const verifier = createRemoteVerifier({
 *   url: 'https://platform.example.com/oauth/introspect',
 *   token: process.env.PLATFORM_TOKEN!,
 *   cacheTtl: '30s',
 *   localVerificationTokens: [process.env.ENGINE_TOKEN!],
 * });
 * app.use('/api', tokenAuth(verifier));
 * ```
 */
export function createRemoteVerifier(options: RemoteVerifierOptions): RemoteVerifier {
  const settings = remoteVerifierSettings(options);
  const { localTokens, enablePersonalTokens, now } = settings;
  const accept = settings.accept ?? acceptsB64Token;
  const answers = new PlatformAnswers(settings);
  return {
    async verify(token: string, verifyOptions?: VerifyOptions): Promise<Principal> {
      if (typeof token !== 'string' || token === '') throw invalidToken();
      const key = tokenDigest(token);
      const local = findVerificationEntry(localTokens, key);
      let principal: Principal;
      if (local !== undefined) {
        principal = verificationPrincipal(local);
      } else {
        if (!enablePersonalTokens || !accept(token)) throw invalidToken();
        if (verifyOptions !== undefined) spendRequest(verifyOptions.cost, verifyOptions.ratelimit);
        const found = await answers.lookup(token, key, verifyOptions);
        if (found === null) throw invalidToken();
        const expiresAt = found.expiresAt?.getTime();
        if (expiresAt !== undefined && expiresAt <= now())
          throw new TokenError('token_expired', 'the token has expired');
        principal = found;
      }
      if (verifyOptions?.tenant !== undefined && verifyOptions.tenant !== principal.tenant) throw invalidToken();
      return principal;
    },
    clear: () => answers.clear(),
    stats: () => answers.stats(),
  };
}
