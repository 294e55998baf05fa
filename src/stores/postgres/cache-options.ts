/**
 * Options, counters and the interface of the verification cache
 * (`cachedRepository`), and the checks of its options.
 */
import type { Pool } from 'pg';
import { invalid } from '../../core/errors.js';
import {
  functionOption,
  integerOption,
  optionsObject,
  repositoryOption,
  required,
  withMethods,
} from '../../core/options.js';
import type { TokenRepository } from '../../core/repository.js';
import { type PostgresLocation, tableNames } from './names.js';
import type { PostgresTokenRepository } from './repository.js';

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
  readonly pool: Pick<Pool, 'connect'>;
  readonly channel: string;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  readonly maxEntries: number;
  readonly heartbeatMs: number;
  readonly probeTimeoutMs: number;
  readonly onInvalidate: ((id: string | null) => void) | undefined;
}

const MAX_TTL_MS = 3_600_000;

/**
 * @internal The options of `cachedRepository`, checked at construction
 * (`TokenError('invalid_request')` naming the field). Times in milliseconds.
 */
export function cacheSettings(repository: unknown, options: unknown): CacheSettings {
  const checked = repositoryOption(repository, 'repository');
  // The cache sends its probes and heartbeats through the repository (`notify`).
  if (typeof (checked as Partial<PostgresTokenRepository>).notify !== 'function') {
    throw invalid('repository', 'must be a PostgreSQL repository (with notify)');
  }
  const given = optionsObject(options, 'options', [
    'pool',
    'schema',
    'tablePrefix',
    'ttlMs',
    'negativeTtlMs',
    'maxEntries',
    'heartbeatMs',
    'probeTimeoutMs',
    'onInvalidate',
  ]);
  const pool = withMethods<Pick<Pool, 'connect'>>(required(given.pool, 'pool'), 'pool', ['connect'], 'a pg Pool');
  const ttlMs = integerOption(required(given.ttlMs, 'ttlMs'), 'ttlMs', { min: 1, max: MAX_TTL_MS }, 0);
  return {
    pool,
    channel: tableNames(given).channel,
    ttlMs,
    // Zero: "no such token" is never answered from memory.
    negativeTtlMs: integerOption(
      given.negativeTtlMs,
      'negativeTtlMs',
      { min: 0, max: MAX_TTL_MS },
      Math.min(ttlMs, 1_000),
    ),
    maxEntries: integerOption(given.maxEntries, 'maxEntries', { min: 1, max: 10_000_000 }, 10_000),
    heartbeatMs: integerOption(given.heartbeatMs, 'heartbeatMs', { min: 10, max: 600_000 }, 1_000),
    probeTimeoutMs: integerOption(given.probeTimeoutMs, 'probeTimeoutMs', { min: 10, max: 60_000 }, 2_000),
    onInvalidate: functionOption<(id: string | null) => void>(given.onInvalidate, 'onInvalidate'),
  };
}
