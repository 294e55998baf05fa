/**
 * tokenward for Fetch API servers (Bun, Deno, Cloudflare Workers, Next.js
 * route handlers, anything that speaks `Request` and `Response`):
 * `tokenAuth` (authenticate a request, or `protect` a handler), `requireGrant`
 * guards, the `managementHandler` for a "Personal access tokens" page and an
 * RFC 7662 `introspectionHandler`. Same rules and answers as
 * `tokenward/express` and `tokenward/fastify`.
 *
 * @example
 * ```ts
 * import { managementHandler, requireGrant, tokenAuth } from 'tokenward/fetch';
 * ```
 *
 * @packageDocumentation
 */

export * from '../http/exports.js';
export {
  type FetchAuth,
  type FetchAuthOptions,
  type FetchAuthResult,
  type FetchGuardOptions,
  type GrantCheck,
  type PrincipalHandler,
  type ProtectOptions,
  requireGrant,
  tokenAuth,
} from './auth.js';
export { introspectionHandler } from './introspection.js';
export { type FetchManagementOptions, managementHandler } from './management.js';
