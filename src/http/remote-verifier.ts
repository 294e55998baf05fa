import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url, utf8 } from '../core/encoding.js';
import { TokenError } from '../core/errors.js';
import { parseGrants } from '../core/grants.js';
import { createPrincipal } from '../core/principal.js';
import type { Principal } from '../core/principal-types.js';
import type { Duration, Grant, GrantSet, StoredTokenType } from '../core/types.js';
import type { VerificationTokenConfig, VerifyOptions } from '../service/types.js';
import { type LocalTokenConfig, remoteVerifierSettings } from './remote-verifier-options.js';

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

interface CachedAnswer {
  /** null: the platform said "not active". */
  readonly principal: Principal | null;
  readonly until: number;
}

const STORED_TYPES: readonly string[] = ['administrative', 'personal', 'master', 'limited'];
const DEFAULT_ACCEPT = (token: string): boolean => token.length <= 4096 && /^[A-Za-z0-9\-._~+/]+=*$/.test(token);
const MAX_ANSWER_CHARS = 64 * 1024;

function unavailable(message: string, cause?: unknown): TokenError {
  return new TokenError('unavailable', message, cause === undefined ? {} : { cause });
}

/** A redirect under `redirect: 'manual'`: browsers hide it as an opaque-redirect response (status 0). */
function isRedirect(response: Response): boolean {
  return response.type === 'opaqueredirect' || (response.status >= 300 && response.status <= 399);
}

function invalidToken(): TokenError {
  return new TokenError('token_invalid', 'the token is invalid');
}

function digest(text: string): Uint8Array {
  return sha256(utf8(text));
}

/** Equal-length digests compared without an early exit, so timing says nothing about the secret. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

/** Parses one `scope` entry back into a grant; entries of foreign platforms become scope grants. */
function grantOfScope(entry: string): Grant {
  const bucket = /^bucket:(.+):(read|write)$/.exec(entry);
  if (bucket) return { bucket: bucket[1]!, access: bucket[2] as 'read' | 'write' };
  const component = /^component:(.+):(run|configure)$/.exec(entry);
  if (component) return { component: component[1]!, actions: [component[2] as 'run' | 'configure'] };
  return { scope: entry.startsWith('scope:') ? entry.slice(6) : entry };
}

function grantsOf(answer: Record<string, unknown>): GrantSet {
  if (answer.grants === 'all') return 'all';
  if (answer.grants !== undefined) return parseGrants(answer.grants, 'grants');
  if (answer.scope === 'all') return 'all';
  if (typeof answer.scope === 'string') {
    return parseGrants(
      answer.scope
        .split(' ')
        .filter((entry) => entry !== '')
        .map(grantOfScope),
      'scope',
    );
  }
  return [];
}

function text(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200;
}

/** Reads an RFC 7662 answer; anything unexpected is garbage, and garbage never passes. */
function readAnswer(raw: string, now: number): Principal | null {
  let answer: unknown;
  try {
    answer = JSON.parse(raw);
  } catch (cause) {
    throw unavailable('the token platform answered something unreadable', cause);
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
    throw unavailable('the token platform answered something unreadable');
  }
  const fields = answer as Record<string, unknown>;
  if (fields.active === false) return null;
  if (fields.active !== true) throw unavailable('the token platform answered something unreadable');
  const exp = fields.exp;
  if (
    !text(fields.jti) ||
    !text(fields.tenant) ||
    typeof fields.type !== 'string' ||
    !STORED_TYPES.includes(fields.type) ||
    (fields.sub !== undefined && !text(fields.sub)) ||
    (fields.name !== undefined && typeof fields.name !== 'string') ||
    (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp)))
  ) {
    throw unavailable('the token platform answered something unreadable');
  }
  let grants: GrantSet;
  try {
    grants = grantsOf(fields);
  } catch (cause) {
    throw unavailable('the token platform answered something unreadable', cause);
  }
  const expiresAt = typeof exp === 'number' ? exp * 1000 : null;
  // Do not take the platform's word for a token it says has already expired.
  if (expiresAt !== null && expiresAt <= now) return null;
  return createPrincipal({
    tokenId: fields.jti,
    type: fields.type as StoredTokenType,
    tenant: fields.tenant,
    owner: typeof fields.sub === 'string' ? fields.sub : null,
    name: typeof fields.name === 'string' ? fields.name : fields.jti,
    grants,
    ownerIsAdmin: fields.owner_is_admin === true,
    expiresAt: expiresAt === null ? null : new Date(expiresAt),
  });
}

/** A bounded map that forgets its least recently used entries. */
class BoundedCache {
  private readonly entries = new Map<string, CachedAnswer>();
  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): CachedAnswer | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.until <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedAnswer): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

interface LocalToken {
  readonly digest: Uint8Array;
  readonly principal: Principal;
}

function localPrincipals(configs: readonly LocalTokenConfig[]): readonly LocalToken[] {
  return configs.map(({ secret, tenant, name }) => ({
    digest: digest(secret),
    principal: createPrincipal({
      tokenId: name,
      type: 'verification',
      tenant,
      owner: null,
      name,
      grants: 'all',
      ownerIsAdmin: false,
      expiresAt: null,
    }),
  }));
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
  const { url, authorization, cacheTtl, negativeCacheTtl, timeout, enablePersonalTokens, now } = settings;
  const positive = new BoundedCache(settings.maxEntries);
  const negative = new BoundedCache(settings.maxNegativeEntries);
  const locals = localPrincipals(settings.localTokens);
  const accept = settings.accept ?? DEFAULT_ACCEPT;
  const doFetch = settings.fetch ?? globalThis.fetch.bind(globalThis);
  const inFlight = new Map<string, Promise<Principal | null>>();
  let requests = 0;
  let hits = 0;

  async function ask(token: string): Promise<Principal | null> {
    requests++;
    let raw: string;
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token }).toString(),
        signal: AbortSignal.timeout(timeout),
        // 'manual', not 'error': workerd refuses 'error'. A redirect is never
        // followed; whoever answers with one does not get to pick who decides.
        redirect: 'manual',
      });
      if (isRedirect(response)) {
        await response.body?.cancel();
        throw unavailable('the token platform answered with a redirect, which is not followed');
      }
      if (response.status !== 200) {
        await response.body?.cancel();
        throw unavailable('the token platform refused the introspection request');
      }
      raw = await response.text();
    } catch (cause) {
      if (cause instanceof TokenError) throw cause;
      throw unavailable('the token platform is unreachable', cause);
    }
    if (raw.length > MAX_ANSWER_CHARS) throw unavailable('the token platform answered something unreadable');
    return readAnswer(raw, now());
  }

  async function lookup(token: string): Promise<Principal | null> {
    const key = toBase64Url(digest(token));
    const at = now();
    const cached = positive.get(key, at) ?? negative.get(key, at);
    if (cached !== undefined) {
      hits++;
      return cached.principal;
    }
    const pending = inFlight.get(key);
    if (pending !== undefined) return pending;
    const request = ask(token).then((principal) => {
      const answeredAt = now();
      if (principal === null) {
        if (negativeCacheTtl > 0) negative.set(key, { principal, until: answeredAt + negativeCacheTtl });
      } else if (cacheTtl > 0) {
        const expiresAt = principal.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
        positive.set(key, { principal, until: Math.min(answeredAt + cacheTtl, expiresAt) });
      }
      return principal;
    });
    inFlight.set(key, request);
    try {
      return await request;
    } finally {
      inFlight.delete(key);
    }
  }

  return {
    async verify(token: string, verifyOptions?: VerifyOptions): Promise<Principal> {
      if (typeof token !== 'string' || token === '') throw invalidToken();
      const candidate = digest(token);
      let principal: Principal | null = null;
      for (const local of locals) {
        if (sameDigest(candidate, local.digest)) principal = local.principal;
      }
      if (principal === null) {
        if (!enablePersonalTokens || !accept(token)) throw invalidToken();
        principal = await lookup(token);
        if (principal === null) throw invalidToken();
        const expiresAt = principal.expiresAt?.getTime();
        if (expiresAt !== undefined && expiresAt <= now())
          throw new TokenError('token_expired', 'the token has expired');
      }
      if (verifyOptions?.tenant !== undefined && verifyOptions.tenant !== principal.tenant) throw invalidToken();
      return principal;
    },
    clear(): void {
      positive.clear();
      negative.clear();
    },
    stats(): RemoteVerifierStats {
      return { positiveEntries: positive.size, negativeEntries: negative.size, requests, hits };
    },
  };
}
