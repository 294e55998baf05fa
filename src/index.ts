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

export { type StaticDirectoryData, staticDirectory } from './directory.js';
export { formatDuration, parseDuration } from './duration.js';
export {
  isTokenError,
  TOKEN_ERROR_CODES,
  TOKEN_ERROR_STATUS,
  TokenError,
  type TokenErrorCode,
  type TokenErrorDetails,
  type TokenErrorOptions,
} from './errors.js';
export { looksLikeToken, opaqueFormat, redact } from './format.js';
export {
  COMPONENT_ACTIONS,
  grantSetCovers,
  grantsAllow,
  intersectGrantSets,
  needToString,
  normalizeGrants,
  parseGrants,
} from './grants.js';
export { portableHasher } from './hashing.js';
export { memoryRepository } from './memory/index.js';
export { type ApplicablePolicy, resolveMaxTtl } from './policy.js';
export type { Principal } from './principal-types.js';
export {
  createRemoteVerifier,
  type RemoteVerifier,
  type RemoteVerifierOptions,
  type RemoteVerifierStats,
} from './remote-verifier.js';
export type {
  EventQuery,
  InsertLimits,
  ListQuery,
  RecordChange,
  TokenRepository,
  TokenUse,
} from './repository.js';
export { type FoundToken, findTokens } from './scanning/find.js';
export { TOKEN_PATTERN, type TokenPatternOptions, tokenPattern } from './scanning/pattern.js';
export { createTokenService } from './service.js';
export type * from './service-types.js';
export type * from './types.js';
