/**
 * A verification cache in front of the PostgreSQL repository, invalidated
 * across instances with LISTEN/NOTIFY.
 */
import { TokenError } from '../errors.js';
import type { TokenRecord } from '../types.js';
import {
  type CachedTokenRepository,
  cacheSettings,
  type VerificationCacheOptions,
  type VerificationCacheStats,
} from './cache-options.js';
import { isOutage } from './connection.js';
import { startListener } from './listener.js';
import { tableNames } from './names.js';
import type { PostgresTokenRepository } from './repository.js';

export type { CachedTokenRepository, VerificationCacheOptions, VerificationCacheStats };

interface Entry {
  readonly record: TokenRecord | null;
  readonly until: number;
}

interface Flight {
  readonly promise: Promise<TokenRecord | null>;
  stale: boolean;
}

function frozen(record: TokenRecord): TokenRecord {
  if (Object.isFrozen(record)) return record;
  const grants =
    record.grants === null
      ? null
      : Object.freeze(
          record.grants.map((grant) =>
            Object.freeze(
              'actions' in grant && grant.actions
                ? { ...grant, actions: Object.freeze([...grant.actions]) }
                : { ...grant },
            ),
          ),
        );
  return Object.freeze({ ...record, grants });
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
  if (typeof (repository as Partial<PostgresTokenRepository> | undefined)?.notify !== 'function') {
    throw new TokenError('invalid_request', 'repository must be a PostgreSQL repository (with notify)', {
      field: 'repository',
    });
  }
  const settings = cacheSettings(options);
  const channel = tableNames(options).channel;
  const onInvalidate = options.onInvalidate;

  // Map iteration order is insertion order: re-inserting on a hit keeps the
  // least recently used entry first, where eviction takes it.
  const entries = new Map<string, Entry>();
  const flights = new Map<string, Flight>();
  const counters = { hits: 0, misses: 0, notifications: 0, resets: 0 };

  function invalidate(id: string): void {
    entries.delete(id);
    const flight = flights.get(id);
    if (flight !== undefined) {
      // A read that began before the change may return the old row: it must not be stored.
      flight.stale = true;
      flights.delete(id);
    }
  }

  function clearAll(): void {
    entries.clear();
    for (const flight of flights.values()) flight.stale = true;
    flights.clear();
  }

  function store(id: string, record: TokenRecord | null): void {
    entries.delete(id);
    const ttl = record === null ? settings.negativeTtlMs : settings.ttlMs;
    entries.set(id, { record, until: performance.now() + ttl });
    if (entries.size > settings.maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
  }

  const listener = startListener({
    pool: options.pool,
    channel,
    send: (payload) => repository.notify(payload),
    heartbeatMs: settings.heartbeatMs,
    probeTimeoutMs: settings.probeTimeoutMs,
    onId(id) {
      counters.notifications++;
      invalidate(id);
      onInvalidate?.(id);
    },
    // Anything may have changed while nobody was listening.
    onTrusted: clearAll,
    onDrop() {
      counters.resets++;
      clearAll();
      onInvalidate?.(null);
    },
  });

  /**
   * Runs a call of the wrapped repository. A failure that says the database
   * is out of reach withdraws the cache's trust at once; one the server
   * answered (a lock timeout, a conflict) shows it is there and changes nothing.
   */
  async function through<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TokenError) && isOutage(error)) listener.suspect();
      throw error;
    }
  }

  /** Runs a change, then drops `ids` locally (read your own writes), whether or not it succeeded. */
  async function change<T>(call: () => Promise<T>, ...ids: string[]): Promise<T> {
    try {
      return await through(call);
    } finally {
      for (const id of ids) invalidate(id);
    }
  }

  function findById(id: string): Promise<TokenRecord | null> {
    if (!listener.trusted()) {
      counters.misses++;
      return through(() => repository.findById(id));
    }
    const entry = entries.get(id);
    if (entry !== undefined) {
      if (entry.until > performance.now()) {
        counters.hits++;
        entries.delete(id);
        entries.set(id, entry);
        return Promise.resolve(entry.record);
      }
      entries.delete(id);
    }
    counters.misses++;
    const running = flights.get(id);
    if (running !== undefined) return running.promise;
    const flight: Flight = {
      stale: false,
      promise: through(() => repository.findById(id)).then(
        (found) => {
          const record = found === null ? null : frozen(found);
          if (flights.get(id) === flight) flights.delete(id);
          if (!flight.stale && listener.trusted()) store(id, record);
          return record;
        },
        (error: unknown) => {
          if (flights.get(id) === flight) flights.delete(id);
          throw error;
        },
      ),
    };
    flights.set(id, flight);
    return flight.promise;
  }

  return {
    get listening() {
      return listener.listening;
    },
    whenListening: () => listener.whenListening(),
    stats(): VerificationCacheStats {
      return { ...counters, probeFailures: listener.probeFailures, size: entries.size };
    },
    findById,
    // Changes made through this instance are dropped locally at once, without waiting for our own notification.
    insert: (record, limits, event) => change(() => repository.insert(record, limits, event), record.id),
    async insertMaster(record, event) {
      const result = await through(() => repository.insertMaster(record, event));
      invalidate(result.record.id);
      return result;
    },
    findByName: (tenant, owner, name) => through(() => repository.findByName(tenant, owner, name)),
    list: (query) => through(() => repository.list(query)),
    update: (id, expectedVersion, changed, event) =>
      change(() => repository.update(id, expectedVersion, changed, event), id),
    revoke: (id, at, event) => change(() => repository.revoke(id, at, event), id),
    async revokeOwner(tenant, owner, at, revokeOptions) {
      try {
        return await through(() => repository.revokeOwner(tenant, owner, at, revokeOptions));
      } finally {
        for (const [id, entry] of entries) {
          if (entry.record?.tenant === tenant && entry.record.owner === owner) invalidate(id);
        }
        for (const flight of flights.values()) flight.stale = true;
        flights.clear();
      }
    },
    async touch(id, at) {
      await through(() => repository.touch(id, at));
      const entry = entries.get(id);
      const record = entry?.record;
      if (entry !== undefined && record && (record.lastUsedAt === null || record.lastUsedAt < at)) {
        entries.set(id, { record: Object.freeze({ ...record, lastUsedAt: at }), until: entry.until });
      }
    },
    async purgeExpired(before) {
      const count = await through(() => repository.purgeExpired(before));
      for (const [id, entry] of entries) {
        const expiresAt = entry.record?.expiresAt;
        if (expiresAt != null && expiresAt < before) entries.delete(id);
      }
      return count;
    },
    insertClaim: (claim, event) => through(() => repository.insertClaim(claim, event)),
    consumeClaim: (codeHash, now) => through(() => repository.consumeClaim(codeHash, now)),
    setPolicy: (tenant, subject, maxTtl, at) => through(() => repository.setPolicy(tenant, subject, maxTtl, at)),
    policiesFor: (tenant, user, roles) => through(() => repository.policiesFor(tenant, user, roles)),
    appendEvent: (event) => through(() => repository.appendEvent(event)),
    listEvents: (query) => through(() => repository.listEvents(query)),
    pruneEvents: (before) => through(() => repository.pruneEvents(before)),
    async close(): Promise<void> {
      listener.close();
      entries.clear();
      flights.clear();
      await repository.close?.();
    },
  };
}
