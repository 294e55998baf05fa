/**
 * What every framework adapter exports of the HTTP layer besides its own
 * helpers: the option, answer and verifier types, and the remote verifier.
 */
export type { ErrorBody } from './answers.js';
export type { AuthOptions, TokenVerifier } from './authenticate.js';
export type { ExtractionOptions, TokenSource } from './extract.js';
export type {
  ActiveIntrospection,
  IntrospectionClient,
  IntrospectionClients,
  IntrospectionOptions,
  IntrospectionResponse,
} from './introspection.js';
export type { MeteringOptions, RateLimitNames } from './metering.js';
export { type OpenApiDocument, type OpenApiOptions, openApiDocument, type PathItem } from './openapi-document.js';
export { AuthRefusal, isAuthRefusal } from './refusal.js';
export {
  createRemoteVerifier,
  type RemoteVerifier,
  type RemoteVerifierOptions,
  type RemoteVerifierStats,
} from './remote-verifier.js';
