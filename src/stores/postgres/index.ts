/**
 * `tokenward/postgres`: the PostgreSQL token store on `pg` (an optional peer
 * dependency), its versioned migrations, an optional verification cache
 * invalidated across instances with LISTEN/NOTIFY, and the pool settings that
 * bound every wait (`postgresTimeouts`).
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createTokenService } from 'tokenward';
 * import { migrate, postgresRepository } from 'tokenward/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const tokens = createTokenService({ repository: postgresRepository({ pool }), pepper, directory });
 * ```
 */
export {
  type CachedTokenRepository,
  cachedRepository,
  type VerificationCacheOptions,
  type VerificationCacheStats,
} from './cache.js';
export { type PostgresDirectoryOptions, postgresDirectoryStore } from './directory.js';
export {
  type MigrateOptions,
  type MigrateResult,
  migrate,
  type RenderedMigration,
  renderMigrations,
  SCHEMA_VERSION,
} from './migrate.js';
export { DEFAULT_SCHEMA, DEFAULT_TABLE_PREFIX, invalidationChannel, type PostgresLocation } from './names.js';
export {
  type PostgresPool,
  type PostgresRepositoryOptions,
  type PostgresTokenRepository,
  postgresRepository,
} from './repository.js';
export type { PreparedStatements } from './statements.js';
export { type PostgresTimeoutOptions, type PostgresTimeouts, postgresTimeouts } from './timeouts.js';
