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

export * from '../http/exports.js';
export { type ExpressAuthOptions, type ExpressGuardOptions, requireGrant, tokenAuth } from './auth.js';
export { introspectionRouter } from './introspection.js';
export { type ExpressManagementOptions, managementRouter } from './management.js';
export type { ExpressRefusalOptions } from './refuse.js';
