/**
 * A verification cache in front of the PostgreSQL repository, invalidated
 * across instances with LISTEN/NOTIFY.
 */
import type { Notification, Pool, PoolClient } from 'pg';
import type { TokenRepository } from '../repository.js';
import type { TokenRecord } from '../types.js';
import type { PostgresLocation } from './names.js';
import { cacheSettings } from './options.js';

/** Options of `cachedRepository`. */
export interface VerificationCacheOptions extends PostgresLocation {
  /**
   * Where the cache takes the one connection it keeps for `LISTEN`. It holds
   * that connection for its whole life (give it a pool of its own with
   * `max: 1` if the main pool is tight); `close()` gives it back.
   */
  readonly pool: Pick<Pool, 'connect'>;
  /**
   * How long a found token may be answered from memory, in milliseconds: the
   * upper bound on how late a revocation is honoured when notifications are
   * lost. 1 to 3 600 000.
   */
  readonly ttlMs: number;
  /** How long "no such token" may be answered from memory (default `min(ttlMs, 1000)`). */
  readonly negativeTtlMs?: number;
  /** Most tokens kept; the least recently used go first (default 10 000). */
  readonly maxEntries?: number;
  /**
   * Called with a token id when a notification arrives for it (from any
   * instance, this one included), and with `null` when the whole cache is
   * dropped because the LISTEN connection was lost. For metrics and tests.
   */
  readonly onInvalidate?: (id: string | null) => void;
}

/** Counters of a verification cache. */
export interface VerificationCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Notifications received (from this and other instances). */
  readonly notifications: number;
  /** Times the whole cache was dropped because the LISTEN connection was lost. */
  readonly resets: number;
  readonly size: number;
}

/** A `TokenRepository` whose `findById` is answered from memory where it safely can. */
export interface CachedTokenRepository extends TokenRepository {
  /** True while the LISTEN connection is up. While false, every lookup reads the database. */
  readonly listening: boolean;
  /** Resolves once the LISTEN connection is up (the cache serves nothing before that). */
  whenListening(): Promise<void>;
  stats(): VerificationCacheStats;
  /** Stops listening and gives the LISTEN connection back; the wrapped repository is closed too. */
  close(): Promise<void>;
}

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

const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * Wraps a repository (normally `postgresRepository` on the same database and
 * location) so that `findById`, the lookup of every verification, is answered
 * from memory, found and not-found results alike. Every other call goes
 * through to the wrapped repository.
 *
 * Invalidation: every change the PostgreSQL repository makes to a token sends
 * the token's id with `pg_notify` inside the same transaction, so PostgreSQL
 * delivers it exactly when the change commits. Each cache LISTENs on its
 * store's channel and drops the entry when the id arrives.
 *
 * The bound: a revocation (or rotation, or any change) committed through any
 * instance is honoured by an instance with this cache as soon as that
 * instance receives the notification, normally within milliseconds, and at
 * the latest `ttlMs` after it was committed, even if notifications are lost.
 * When the LISTEN connection drops, the whole cache is dropped and every
 * lookup reads the database until it is listening again; so with the
 * database down, verification fails closed as soon as the drop is noticed
 * (and answers from memory for at most `ttlMs` before that). Without this
 * cache, a revocation is honoured at the next verification.
 *
 * `touch` (last-used time) sends no notification: it does not decide
 * verification, and announcing every use would empty every cache.
 *
 * @example
 * ```ts
 * import { cachedRepository, postgresRepository } from 'tokenward/postgres';
 *
 * const repository = cachedRepository(postgresRepository({ pool }), { pool, ttlMs: 5_000 });
 * const tokens = createTokenService({ repository, pepper, directory });
 * ```
 */
export function cachedRepository(
  repository: TokenRepository,
  options: VerificationCacheOptions,
): CachedTokenRepository {
  const { pool, channel, ttlMs, negativeTtlMs, maxEntries, onInvalidate } = cacheSettings(repository, options);

  // Map iteration order is insertion order: re-inserting on a hit keeps the
  // least recently used entry first, where eviction takes it.
  const entries = new Map<string, Entry>();
  const flights = new Map<string, Flight>();
  let listening = false;
  let closed = false;
  let client: PoolClient | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let reconnectDelay = 100;
  let listeningWaiters: (() => void)[] = [];
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
    entries.set(id, { record, until: performance.now() + (record === null ? negativeTtlMs : ttlMs) });
    if (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
  }

  // Our listeners on the LISTEN connection, so they can be taken off before
  // the connection goes back to the pool (another user of the pool must not
  // inherit them).
  let detach: (() => void) | null = null;

  function lost(broken: PoolClient, error: Error | undefined): void {
    if (client !== broken) return;
    client = null;
    listening = false;
    detach?.();
    detach = null;
    // The pool destroys a client released with an error; a late error event from it must not crash the process.
    broken.on('error', () => {});
    counters.resets++;
    clearAll();
    onInvalidate?.(null);
    broken.release(error ?? new Error('LISTEN connection ended'));
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== null) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect();
    }, reconnectDelay);
    reconnectTimer.unref?.();
    reconnectDelay = Math.min(reconnectDelay * 2, MAX_RECONNECT_DELAY_MS);
  }

  async function connect(): Promise<void> {
    if (closed) return;
    let fresh: PoolClient;
    try {
      fresh = await pool.connect();
    } catch {
      scheduleReconnect();
      return;
    }
    if (closed) {
      fresh.release();
      return;
    }
    client = fresh;
    const onError = (error: Error): void => lost(fresh, error);
    const onEnd = (): void => lost(fresh, undefined);
    const onNotification = (message: Notification): void => {
      if (message.channel !== channel || message.payload === undefined) return;
      counters.notifications++;
      invalidate(message.payload);
      onInvalidate?.(message.payload);
    };
    fresh.on('error', onError);
    fresh.on('end', onEnd);
    fresh.on('notification', onNotification);
    detach = () => {
      fresh.removeListener('error', onError);
      fresh.removeListener('end', onEnd);
      fresh.removeListener('notification', onNotification);
    };
    try {
      await fresh.query(`LISTEN "${channel}"`);
    } catch (error) {
      lost(fresh, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (client !== fresh) return;
    // Anything may have changed while we were not listening.
    clearAll();
    listening = true;
    reconnectDelay = 100;
    const waiters = listeningWaiters;
    listeningWaiters = [];
    for (const wake of waiters) wake();
  }

  void connect();

  async function findById(id: string): Promise<TokenRecord | null> {
    if (!listening) {
      counters.misses++;
      return repository.findById(id);
    }
    const entry = entries.get(id);
    if (entry !== undefined) {
      if (entry.until > performance.now()) {
        counters.hits++;
        entries.delete(id);
        entries.set(id, entry);
        return entry.record;
      }
      entries.delete(id);
    }
    counters.misses++;
    const running = flights.get(id);
    if (running !== undefined) return running.promise;
    const flight: Flight = {
      stale: false,
      promise: repository.findById(id).then(
        (found) => {
          const record = found === null ? null : frozen(found);
          if (flights.get(id) === flight) flights.delete(id);
          if (!flight.stale && listening) store(id, record);
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
      return listening;
    },
    whenListening(): Promise<void> {
      if (listening) return Promise.resolve();
      return new Promise((resolve) => listeningWaiters.push(resolve));
    },
    stats(): VerificationCacheStats {
      return { ...counters, size: entries.size };
    },
    findById,
    // Changes made through this instance are dropped locally at once (read
    // your own writes), without waiting for our own notification.
    async insert(record, limits, event) {
      try {
        await repository.insert(record, limits, event);
      } finally {
        invalidate(record.id);
      }
    },
    async insertMaster(record, event) {
      const result = await repository.insertMaster(record, event);
      invalidate(result.record.id);
      return result;
    },
    findByName: (tenant, owner, name) => repository.findByName(tenant, owner, name),
    list: (query) => repository.list(query),
    async update(id, expectedVersion, change, event) {
      try {
        return await repository.update(id, expectedVersion, change, event);
      } finally {
        invalidate(id);
      }
    },
    async revoke(id, at, event) {
      try {
        return await repository.revoke(id, at, event);
      } finally {
        invalidate(id);
      }
    },
    async revokeOwner(tenant, owner, at, revokeOptions) {
      try {
        return await repository.revokeOwner(tenant, owner, at, revokeOptions);
      } finally {
        for (const [id, entry] of entries) {
          if (entry.record?.tenant === tenant && entry.record.owner === owner) invalidate(id);
        }
        for (const flight of flights.values()) flight.stale = true;
        flights.clear();
      }
    },
    async touch(id, at) {
      await repository.touch(id, at);
      const entry = entries.get(id);
      const record = entry?.record;
      if (entry !== undefined && record && (record.lastUsedAt === null || record.lastUsedAt < at)) {
        entries.set(id, { record: Object.freeze({ ...record, lastUsedAt: at }), until: entry.until });
      }
    },
    async purgeExpired(before) {
      const count = await repository.purgeExpired(before);
      for (const [id, entry] of entries) {
        const expiresAt = entry.record?.expiresAt;
        if (expiresAt != null && expiresAt < before) entries.delete(id);
      }
      return count;
    },
    insertClaim: (claim, event) => repository.insertClaim(claim, event),
    consumeClaim: (codeHash, now) => repository.consumeClaim(codeHash, now),
    setPolicy: (tenant, subject, maxTtl, at) => repository.setPolicy(tenant, subject, maxTtl, at),
    policiesFor: (tenant, user, roles) => repository.policiesFor(tenant, user, roles),
    appendEvent: (event) => repository.appendEvent(event),
    listEvents: (query) => repository.listEvents(query),
    pruneEvents: (before) => repository.pruneEvents(before),
    async close(): Promise<void> {
      closed = true;
      listening = false;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const current = client;
      client = null;
      entries.clear();
      flights.clear();
      if (current !== null) {
        try {
          await current.query(`UNLISTEN "${channel}"`);
          detach?.();
          current.release();
        } catch (error) {
          detach?.();
          current.on('error', () => {});
          current.release(error instanceof Error ? error : new Error(String(error)));
        }
        detach = null;
      }
      await repository.close?.();
    },
  };
}
