/**
 * tokenward: a complete API-token system — issue, verify, rotate, share,
 * revoke and audit tokens with typed grants and duration policies.
 *
 * This entry point is runtime-agnostic (Web Crypto only). Storage adapters
 * and framework helpers live in their own subpaths: `tokenward/sqlite`,
 * `tokenward/postgres`, `tokenward/express`, `tokenward/fastify`,
 * `tokenward/jwt`, `tokenward/testing`, and `tokenward/node` for the native
 * hasher.
 *
 * @packageDocumentation
 */

export { type StaticDirectoryData, staticDirectory } from './core/directory.js';
export { directoryUserOf, effectiveUserGrants, storeDirectory, unionGrantSets } from './core/directory-records.js';
export type * from './core/directory-store.js';
export { formatDuration, parseDuration } from './core/duration.js';
export {
  isTokenError,
  TOKEN_ERROR_CODES,
  TOKEN_ERROR_STATUS,
  TokenError,
  type TokenErrorCode,
  type TokenErrorDetails,
  type TokenErrorOptions,
} from './core/errors.js';
export { looksLikeToken, opaqueFormat, redact } from './core/format.js';
export type {
  ParsedClaims,
  ParsedToken,
  SessionClaims,
  SessionCodec,
  TokenFormat,
  TokenMaterial,
} from './core/format-types.js';
export {
  COMPONENT_ACTIONS,
  grantSetCovers,
  grantsAllow,
  intersectGrantSets,
  needToString,
  normalizeGrants,
  parseGrants,
} from './core/grants.js';
export { type KeyedHasherFactory, type PepperSet, portableHasher } from './core/hashing.js';
export { consoleLogger, type Logger } from './core/logger.js';
export {
  creditsAt,
  type RateLimitState,
  refilled,
  type SpendRequest,
  type SpendResult,
  type SpendStep,
  spendStep,
} from './core/metering.js';
export {
  type ApplicablePolicy,
  type MaxTtlExplanation,
  type MaxTtlSource,
  resolveMaxTtl,
} from './core/policy.js';
export type { Principal } from './core/principal-types.js';
export type {
  EventQuery,
  ExpiringMarkQuery,
  InsertLimits,
  ListQuery,
  RecordChange,
  RevokedSession,
  RevokeOwnerOptions,
  SessionLookup,
  TokenRepository,
  TokenUse,
  VerificationRecord,
} from './core/repository.js';
export { type FoundToken, findTokens } from './core/scanning/find.js';
export { TOKEN_PATTERN, type TokenPatternOptions, tokenPattern } from './core/scanning/pattern.js';
export type * from './core/types.js';
export type { VerificationTokenConfig } from './core/verification-tokens.js';
export {
  createRemoteVerifier,
  type RemoteVerifier,
  type RemoteVerifierOptions,
  type RemoteVerifierStats,
} from './http/remote-verifier.js';
export type * from './service/directory-types.js';
export { createTokenService } from './service/index.js';
export type { TokenService } from './service/token-service.js';
export type * from './service/types.js';
export { memoryDirectoryStore, memoryRepository } from './stores/memory/index.js';
