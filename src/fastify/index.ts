/**
 * tokenward for Fastify: the `tokenward` authentication plugin
 * (`request.tokenPrincipal`), `requireGrant` preHandler guards, the
 * `managementRoutes` plugin for a "Personal access tokens" page, and an
 * RFC 7662 `introspectionRoute`.
 *
 * @example
 * ```ts
 * import { tokenward, requireGrant, managementRoutes } from 'tokenward/fastify';
 * ```
 *
 * @packageDocumentation
 */

export * from '../http/exports.js';
export { type FastifyAuthOptions, type FastifyGuardOptions, requireGrant, tokenward } from './auth.js';
export { frameworkErrors } from './framework-errors.js';
export { type FastifyIntrospectionOptions, introspectionRoute } from './introspection.js';
export { type FastifyManagementOptions, managementRoutes } from './management.js';
export type { RouteConfig as TokenwardRouteConfig } from './route.js';
