/**
 * tokenward for Express: `tokenAuth` middleware, `requireGrant` guards, the
 * `managementRouter` for a "Personal access tokens" page, and an RFC 7662
 * `introspectionRouter`.
 *
 * @example
 * ```ts
 * import { tokenAuth, requireGrant, managementRouter } from 'tokenward/express';
 * ```
 *
 * @packageDocumentation
 */

export type { ErrorBody } from '../http/answers.js';
export type { AuthOptions, TokenVerifier } from '../http/authenticate.js';
export type { ExtractionOptions, TokenSource } from '../http/extract.js';
export type {
  ActiveIntrospection,
  IntrospectionClient,
  IntrospectionClients,
  IntrospectionOptions,
  IntrospectionResponse,
} from '../http/introspection.js';
export {
  createRemoteVerifier,
  type RemoteVerifier,
  type RemoteVerifierOptions,
  type RemoteVerifierStats,
} from '../http/remote-verifier.js';
export { type ExpressAuthOptions, type ExpressGuardOptions, requireGrant, tokenAuth } from './auth.js';
export { introspectionRouter } from './introspection.js';
export { type ExpressManagementOptions, managementRouter } from './management.js';
