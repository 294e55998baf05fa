/**
 * @internal The options of the PostgreSQL factories, checked at
 * construction (`TokenError('invalid_request')` naming the field). A new
 * option goes into the key list of its factory here, with its check.
 */
import type { Pool } from 'pg';
import { functionOption, integerOption, optionsObject, repositoryOption, required, withMethods } from '../options.js';
import type { TokenRepository } from '../repository.js';
import { type TableNames, tableNames } from './names.js';

const LOCATION_KEYS = ['schema', 'tablePrefix'] as const;

/** The options of `postgresRepository`, checked. */
export interface RepositorySettings {
  readonly pool: Pick<Pool, 'query' | 'connect'>;
  readonly names: TableNames;
}

export function repositorySettings(options: unknown): RepositorySettings {
  const given = optionsObject(options, 'options', ['pool', ...LOCATION_KEYS]);
  const pool = withMethods<Pick<Pool, 'query' | 'connect'>>(
    required(given.pool, 'pool'),
    'pool',
    ['query', 'connect'],
    'a pg Pool',
  );
  return { pool, names: tableNames(given) };
}

/** The options of `cachedRepository`, checked. Times in milliseconds. */
export interface CacheSettings {
  readonly repository: TokenRepository;
  readonly pool: Pick<Pool, 'connect'>;
  readonly channel: string;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  readonly maxEntries: number;
  readonly onInvalidate: ((id: string | null) => void) | undefined;
}

const MAX_CACHE_TTL_MS = 3_600_000;

export function cacheSettings(repository: unknown, options: unknown): CacheSettings {
  const checked = repositoryOption(repository, 'repository');
  const given = optionsObject(options, 'options', [
    'pool',
    ...LOCATION_KEYS,
    'ttlMs',
    'negativeTtlMs',
    'maxEntries',
    'onInvalidate',
  ]);
  const pool = withMethods<Pick<Pool, 'connect'>>(required(given.pool, 'pool'), 'pool', ['connect'], 'a pg Pool');
  const ttlMs = integerOption(required(given.ttlMs, 'ttlMs'), 'ttlMs', { min: 1, max: MAX_CACHE_TTL_MS }, 0);
  return {
    repository: checked,
    pool,
    channel: tableNames(given).channel,
    ttlMs,
    // Zero: "no such token" is never answered from memory.
    negativeTtlMs: integerOption(
      given.negativeTtlMs,
      'negativeTtlMs',
      { min: 0, max: MAX_CACHE_TTL_MS },
      Math.min(ttlMs, 1_000),
    ),
    maxEntries: integerOption(given.maxEntries, 'maxEntries', { min: 1, max: Number.MAX_SAFE_INTEGER }, 10_000),
    onInvalidate: functionOption<(id: string | null) => void>(given.onInvalidate, 'onInvalidate'),
  };
}

/** The options of `migrate`, checked. */
export function migrateSettings(
  pool: unknown,
  options: unknown,
  newest: number,
): { readonly pool: Pick<Pool, 'connect'>; readonly names: TableNames; readonly toVersion: number } {
  const checked = withMethods<Pick<Pool, 'connect'>>(required(pool, 'pool'), 'pool', ['connect'], 'a pg Pool');
  const given = options === undefined ? {} : optionsObject(options, 'options', [...LOCATION_KEYS, 'toVersion']);
  return {
    pool: checked,
    names: tableNames(given),
    toVersion: integerOption(given.toVersion, 'toVersion', { min: 1, max: newest }, newest),
  };
}

/** The location given to `renderMigrations`, checked. */
export function locationNames(location: unknown): TableNames {
  return tableNames(location === undefined ? {} : optionsObject(location, 'location', LOCATION_KEYS));
}
