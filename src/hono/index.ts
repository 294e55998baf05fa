/**
 * tokenward for Hono: `tokenAuth` middleware (`c.get('tokenPrincipal')`),
 * `requireGrant` guards, the `managementRoutes` app for a "Personal access
 * tokens" page and an RFC 7662 `introspectionRoute`, on the Fetch API layer
 * of `tokenward/fetch`: same rules and answers as Express and Fastify.
 *
 * @example
 * ```ts
 * import { managementRoutes, requireGrant, tokenAuth } from 'tokenward/hono';
 * ```
 *
 * @packageDocumentation
 */

export * from '../http/exports.js';
export {
  type HonoAuthOptions,
  type HonoGuardOptions,
  requireGrant,
  type TokenVariables,
  tokenAuth,
} from './auth.js';
export { type HonoManagementOptions, introspectionRoute, managementRoutes } from './routes.js';
