/**
 * @internal The options of the PostgreSQL factories, checked at
 * construction (`TokenError('invalid_request')` naming the field). A new
 * option goes into the key list of its factory here, with its check.
 */
import type { Pool } from 'pg';
import { integerOption, optionsObject, required, withMethods } from '../../core/options.js';
import { type TableNames, tableNames } from './names.js';
import { type PreparedStatements, preparedStatementsOption } from './statements.js';

const LOCATION_KEYS = ['schema', 'tablePrefix'] as const;

/** The options of `postgresRepository`, checked. */
export interface RepositorySettings {
  readonly pool: Pick<Pool, 'query' | 'connect'>;
  readonly names: TableNames;
  readonly preparedStatements: PreparedStatements;
}

export function repositorySettings(options: unknown): RepositorySettings {
  const given = optionsObject(options, 'options', ['pool', ...LOCATION_KEYS, 'preparedStatements']);
  const pool = withMethods<Pick<Pool, 'query' | 'connect'>>(
    required(given.pool, 'pool'),
    'pool',
    ['query', 'connect'],
    'a pg Pool',
  );
  return { pool, names: tableNames(given), preparedStatements: preparedStatementsOption(given.preparedStatements) };
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

/** The options of `postgresDirectoryStore`, checked. */
export function directorySettings(options: unknown): { readonly pool: PostgresPoolLike; readonly names: TableNames } {
  const given = optionsObject(options, 'options', ['pool', ...LOCATION_KEYS]);
  const pool = withMethods<PostgresPoolLike>(required(given.pool, 'pool'), 'pool', ['query', 'connect'], 'a pg Pool');
  return { pool, names: tableNames(given) };
}

type PostgresPoolLike = Pick<Pool, 'query' | 'connect'>;
