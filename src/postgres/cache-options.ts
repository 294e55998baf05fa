/**
 * Options, counters and the interface of the verification cache
 * (`cachedRepository`), and the checks of its options.
 */
import type { Pool } from 'pg';
import { TokenError } from '../errors.js';
import type { TokenRepository } from '../repository.js';
import type { PostgresLocation } from './names.js';

/** Options of `cachedRepository`. */
export interface VerificationCacheOptions extends PostgresLocation {
  /**
   * Where the cache takes the one connection it keeps for `LISTEN`. It holds
   * that connection for its whole life and destroys it on `close()`. The
   * connection must be a session of its own: a direct connection to
   * PostgreSQL, or a pooler in session mode, never a pooler in transaction
   * mode (the cache checks this with a probe and serves nothing from memory
   * until the probe comes back). A pool of its own with `max: 1` keeps it out
   * of the way of the main pool; if it is the repository's own pool, give it
   * room for one more connection, which the probe is sent through.
   */
  readonly pool: Pick<Pool, 'connect'>;
  /**
   * How long a found token may be answered from memory, in milliseconds: the
   * upper bound on how late a revocation is honoured when notifications are
   * lost. An integer from 1 to 3 600 000.
   */
  readonly ttlMs: number;
  /** How long "no such token" may be answered from memory (default `min(ttlMs, 1000)`; 1 to 3 600 000). */
  readonly negativeTtlMs?: number;
  /** Most tokens kept; the least recently used go first (default 10 000; 1 to 10 000 000). */
  readonly maxEntries?: number;
  /**
   * How often, in milliseconds, the LISTEN connection proves it is alive by
   * hearing a notification it sent itself (default 1000; 10 to 600 000).
   * With `probeTimeoutMs` it bounds how long a silently lost server (a
   * network partition, PostgreSQL gone behind a pooler that keeps the client
   * connection open) can go unnoticed: at most `heartbeatMs + probeTimeoutMs`.
   */
  readonly heartbeatMs?: number;
  /**
   * How long, in milliseconds, a probe or heartbeat may take to come back
   * before the connection is given up and everything cached is dropped
   * (default 2000; 10 to 60 000).
   */
  readonly probeTimeoutMs?: number;
  /**
   * Called with a token id when a notification arrives for it (from any
   * instance, this one included), and with `null` whenever the whole cache is
   * dropped (the LISTEN connection was lost, a probe or heartbeat went
   * unanswered, or a call through the cache found the database out of
   * reach). For metrics and tests.
   */
  readonly onInvalidate?: (id: string | null) => void;
}

/** Counters of a verification cache. */
export interface VerificationCacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Notifications of token changes received (from this and other instances). */
  readonly notifications: number;
  /** Times the whole cache was dropped (connection lost, probe unanswered, the database out of reach). */
  readonly resets: number;
  /**
   * Probes after a (re)connect that did not come back: the LISTEN connection
   * is not a session of its own (a pooler in transaction mode), or the
   * database did not answer in time.
   */
  readonly probeFailures: number;
  readonly size: number;
}

/** A `TokenRepository` whose `findById` is answered from memory where it safely can. */
export interface CachedTokenRepository extends TokenRepository {
  /**
   * True while the LISTEN connection is up and has passed its probe. While
   * false, every lookup reads the database.
   */
  readonly listening: boolean;
  /**
   * Resolves once the LISTEN connection is up and has passed its probe (the
   * cache serves nothing before that). Rejects with
   * `TokenError('unavailable')` when a probe goes unanswered (typically: the
   * connection goes through a pooler in transaction mode), so an app that
   * awaits it at start-up learns of the misconfiguration at once; the cache
   * keeps retrying, reading through meanwhile. Rejects the same way once the
   * cache is closed.
   */
  whenListening(): Promise<void>;
  stats(): VerificationCacheStats;
  /** Stops listening and destroys the LISTEN connection; the wrapped repository is closed too. */
  close(): Promise<void>;
}

/** The options with their defaults, checked. */
export interface CacheSettings {
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  readonly maxEntries: number;
  readonly heartbeatMs: number;
  readonly probeTimeoutMs: number;
}

function integer(value: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TokenError('invalid_request', `${field} must be an integer from ${min} to ${max}`, { field });
  }
  return value;
}

/** Checks the numeric options of `cachedRepository`; a bad one is `TokenError('invalid_request')` naming it. */
export function cacheSettings(options: VerificationCacheOptions): CacheSettings {
  const ttlMs = integer(options.ttlMs, 'ttlMs', 1, 3_600_000);
  return {
    ttlMs,
    negativeTtlMs: integer(options.negativeTtlMs, 'negativeTtlMs', 1, 3_600_000, Math.min(ttlMs, 1_000)),
    maxEntries: integer(options.maxEntries, 'maxEntries', 1, 10_000_000, 10_000),
    heartbeatMs: integer(options.heartbeatMs, 'heartbeatMs', 10, 600_000, 1_000),
    probeTimeoutMs: integer(options.probeTimeoutMs, 'probeTimeoutMs', 10, 60_000, 2_000),
  };
}
