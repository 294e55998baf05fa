/**
 * A verification cache in front of the PostgreSQL repository, invalidated
 * across instances with LISTEN/NOTIFY.
 */
import { isTokenError } from '../../core/errors.js';
import type { TokenRepository } from '../../core/repository.js';
import type { TokenRecord } from '../../core/types.js';
import { LookupMemory } from './cache-memory.js';
import {
  type CachedTokenRepository,
  type CacheSettings,
  cacheSettings,
  type VerificationCacheOptions,
  type VerificationCacheStats,
} from './cache-options.js';
import { isOutage } from './connection.js';
import { type Listener, startListener } from './listener.js';
import type { PostgresTokenRepository } from './repository.js';

export type { CachedTokenRepository, VerificationCacheOptions, VerificationCacheStats };

type Through = <T>(call: () => Promise<T>) => Promise<T>;

/** The calls the cache passes through untouched (none of them changes a token). */
function readsAndSideTables(
  repository: TokenRepository,
  through: Through,
): Pick<
  TokenRepository,
  | 'findByName'
  | 'list'
  | 'insertClaim'
  | 'consumeClaim'
  | 'setPolicy'
  | 'policiesFor'
  | 'policiesWithVersion'
  | 'appendEvent'
  | 'listEvents'
  | 'pruneEvents'
  | 'findByLookupHash'
  | 'runExclusive'
> {
  return {
    findByName: (tenant, owner, name) => through(() => repository.findByName(tenant, owner, name)),
    list: (query) => through(() => repository.list(query)),
    insertClaim: (claim, event) => through(() => repository.insertClaim(claim, event)),
    consumeClaim: (codeHash, now) => through(() => repository.consumeClaim(codeHash, now)),
    setPolicy: (tenant, subject, maxTtl, at) => through(() => repository.setPolicy(tenant, subject, maxTtl, at)),
    policiesFor: (tenant, user, roles) => through(() => repository.policiesFor(tenant, user, roles)),
    policiesWithVersion: (tenant, user, roles) => through(() => repository.policiesWithVersion!(tenant, user, roles)),
    appendEvent: (event) => through(() => repository.appendEvent(event)),
    listEvents: (query) => through(() => repository.listEvents(query)),
    pruneEvents: (before) => through(() => repository.pruneEvents(before)),
    // Imported keys are looked up by hash, never cached: their lookups always read the database.
    findByLookupHash: (hashes) => through(() => repository.findByLookupHash(hashes)),
    runExclusive: (name, work) => through(() => repository.runExclusive!(name, work)),
  };
}

/**
 * Wraps a PostgreSQL repository (`postgresRepository` on the same database
 * and location) so that `findById`, the lookup of every verification, is
 * answered from memory, found and not-found results alike. Every other call
 * goes through to the wrapped repository.
 *
 * Invalidation: every change the PostgreSQL repository makes to a token sends
 * the token's id with `pg_notify` inside the same transaction, so PostgreSQL
 * delivers it exactly when the change commits. Each cache LISTENs on its
 * store's channel and drops the entry when the id arrives.
 *
 * Trust: the LISTEN connection must be a session of its own (direct, or a
 * pooler in session mode). After every (re)connect the cache sends a probe
 * through the repository's pool and answers from memory only once it has
 * heard it; then a heartbeat every `heartbeatMs` must come back within
 * `probeTimeoutMs`. Behind a pooler in transaction mode the probe never comes
 * back: the cache reads through, and `whenListening()` rejects.
 *
 * The bound: a revocation (or rotation, or any change) committed through any
 * instance is honoured by an instance with this cache as soon as that
 * instance receives the notification, normally within milliseconds, and at
 * the latest `ttlMs` after it was committed, even if notifications are lost.
 * The whole cache is dropped, and every lookup reads the database, when the
 * LISTEN connection drops, when a probe or heartbeat goes unanswered, and
 * when any call through the cache fails because the database is out of reach
 * (not for an answer it gave, such as a lock timeout); so with the
 * database down, verification fails closed (`unavailable`) as soon as any of
 * these notices, and at the latest `heartbeatMs + probeTimeoutMs` after the
 * last heartbeat that came back. Without this cache, a revocation is honoured
 * at the next verification.
 *
 * `touch` (last-used time) sends no notification: it does not decide
 * verification, and announcing every use would empty every cache.
 *
 * Errors: `TokenError('invalid_request')` naming the field for a
 * `repository` without `notify`, or a `ttlMs`, `negativeTtlMs`,
 * `maxEntries`, `heartbeatMs` or `probeTimeoutMs` out of range; calls throw
 * what the wrapped repository throws.
 *
 * @example
 * ```ts
 * import { cachedRepository, postgresRepository } from 'tokenward/postgres';
 *
 * const repository = cachedRepository(postgresRepository({ pool }), { pool: listenPool, ttlMs: 5_000 });
 * await repository.whenListening(); // optional: rejects if the LISTEN connection cannot hear notifications
 * const tokens = createTokenService({ repository, pepper, directory });
 * ```
 */
export function cachedRepository(
  repository: PostgresTokenRepository,
  options: VerificationCacheOptions,
): CachedTokenRepository {
  const cache = new VerificationCache(repository, cacheSettings(repository, options));
  const { listener } = cache;
  return {
    get listening() {
      return listener.listening;
    },
    whenListening: () => listener.whenListening(),
    stats: () => cache.stats(),
    findById: (id) => cache.findById(id),
    ...cachedChanges(repository, cache),
    ...readsAndSideTables(repository, (call) => cache.through(call)),
    ...cachedMeters(repository, cache),
    async close(): Promise<void> {
      listener.close();
      cache.memory.clear();
      await repository.close?.();
    },
  };
}

/** The lookups one cache keeps, the LISTEN connection that keeps them true, and its counters. */
class VerificationCache {
  readonly memory: LookupMemory;
  readonly listener: Listener;
  private readonly counters = { hits: 0, misses: 0, notifications: 0, resets: 0 };

  constructor(
    private readonly repository: PostgresTokenRepository,
    settings: CacheSettings,
  ) {
    const { onInvalidate } = settings;
    const memory = new LookupMemory(settings.ttlMs, settings.negativeTtlMs, settings.maxEntries);
    const counters = this.counters;
    this.memory = memory;
    this.listener = startListener({
      pool: settings.pool,
      channel: settings.channel,
      send: (payload) => repository.notify(payload),
      heartbeatMs: settings.heartbeatMs,
      probeTimeoutMs: settings.probeTimeoutMs,
      onId(id) {
        counters.notifications++;
        memory.invalidate(id);
        onInvalidate?.(id);
      },
      // Anything may have changed while nobody was listening.
      onTrusted: () => memory.clear(),
      onDrop() {
        counters.resets++;
        memory.clear();
        onInvalidate?.(null);
      },
    });
  }

  stats(): VerificationCacheStats {
    return { ...this.counters, probeFailures: this.listener.probeFailures, size: this.memory.size };
  }

  findById(id: string): Promise<TokenRecord | null> {
    const { listener, memory } = this;
    const trusted = listener.trusted();
    const entry = trusted ? memory.hit(id) : undefined;
    if (entry !== undefined) {
      this.counters.hits++;
      return Promise.resolve(entry.record);
    }
    this.counters.misses++;
    const read = (): Promise<TokenRecord | null> => this.through(() => this.repository.findById(id));
    return trusted ? memory.fetch(id, read, () => listener.trusted()) : read();
  }

  /**
   * Runs a call of the wrapped repository. A failure that says the database
   * is out of reach withdraws the cache's trust at once; one the server
   * answered (a lock timeout, a conflict) shows it is there and changes nothing.
   */
  async through<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!isTokenError(error) && isOutage(error)) this.listener.suspect();
      throw error;
    }
  }

  /** Runs a change, then forgets what it changed (read your own writes), whether or not it succeeded. */
  async change<T>(call: () => Promise<T>, forget: string | (() => void)): Promise<T> {
    try {
      return await this.through(call);
    } finally {
      if (typeof forget === 'string') this.memory.invalidate(forget);
      else forget();
    }
  }
}

/**
 * Meters and sessions, passed through: the store decides every spend and
 * every session's sign-out, never this cache (so a sign-out is honoured at
 * once on every instance). After a spend the kept copy of the token takes
 * the credits the store answered; other instances' copies show older
 * credits in token info until they are read again (`ttlMs` at most), but
 * never decide anything with them.
 */
function cachedMeters(
  repository: PostgresTokenRepository,
  cache: VerificationCache,
): Required<
  Pick<TokenRepository, 'spend' | 'refillCredits' | 'findSession' | 'revokeSession' | 'pruneRevokedSessions'>
> {
  const { spend, refillCredits, findSession, revokeSession, pruneRevokedSessions } =
    repository as Required<PostgresTokenRepository>;
  return {
    async spend(id, request, now) {
      const result = await cache.through(() => spend.call(repository, id, request, now));
      if (result?.ok === true) cache.memory.spent(id, result.remaining, now);
      return result;
    },
    refillCredits: (now) => cache.through(() => refillCredits.call(repository, now)),
    findSession: (sessionId, parentId) => cache.through(() => findSession.call(repository, sessionId, parentId)),
    revokeSession: (session) => cache.through(() => revokeSession.call(repository, session)),
    pruneRevokedSessions: (before) => cache.through(() => pruneRevokedSessions.call(repository, before)),
  };
}

/**
 * The changes, passed through: what they change is forgotten locally at
 * once, without waiting for the instance's own notification.
 */
function cachedChanges(
  repository: PostgresTokenRepository,
  cache: VerificationCache,
): Pick<
  TokenRepository,
  | 'insert'
  | 'insertAtPolicyVersion'
  | 'insertMaster'
  | 'update'
  | 'revoke'
  | 'revokeOwner'
  | 'touch'
  | 'touchMany'
  | 'purgeExpired'
  | 'markExpiring'
> {
  const { memory } = cache;
  return {
    insert: (record, limits, event) => cache.change(() => repository.insert(record, limits, event), record.id),
    insertAtPolicyVersion: (record, limits, version, event) =>
      cache.change(() => repository.insertAtPolicyVersion!(record, limits, version, event), record.id),
    async insertMaster(record, event) {
      const result = await cache.through(() => repository.insertMaster(record, event));
      memory.invalidate(result.record.id);
      return result;
    },
    update: (id, expectedVersion, changed, event) =>
      cache.change(() => repository.update(id, expectedVersion, changed, event), id),
    revoke: (id, at, event) => cache.change(() => repository.revoke(id, at, event), id),
    revokeOwner: (tenant, owner, at, revokeOptions) =>
      cache.change(
        () => repository.revokeOwner(tenant, owner, at, revokeOptions),
        () => memory.invalidateWhere((record) => record?.tenant === tenant && record.owner === owner),
      ),
    async touch(id, at) {
      await cache.through(() => repository.touch(id, at));
      memory.touched(id, at);
    },
    async touchMany(uses) {
      await cache.through(() => repository.touchMany!(uses));
      for (const use of uses) memory.touched(use.id, use.at);
    },
    async purgeExpired(before) {
      const count = await cache.through(() => repository.purgeExpired(before));
      memory.purged(before);
      return count;
    },
    // Writes markers only: no token changes, so nothing cached goes stale.
    markExpiring: (query) => cache.through(() => repository.markExpiring(query)),
  };
}
