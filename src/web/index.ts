/**
 * `tokenward/web`: the API-tokens page (Express), served from the package
 * with no external request: create, copy once, list with Hide expired /
 * Hide revoked, edit comment, rotate, share and claim, revoke, events;
 * every user's tokens and the duration policies for admins; demo and
 * token sign-in.
 *
 * @example
 * ```ts
 * import { tokenPage } from 'tokenward/web';
 * app.use('/', tokenPage(tokens, { tenant: 'acme', actAs: { user: 'alice' } }));
 * ```
 *
 * @packageDocumentation
 */
export type { PageActor, TokenPageOptions } from './options.js';
export { PAGE_CSP, tokenPage } from './page.js';
export {
  type MemoryPageSessionsOptions,
  memoryPageSessions,
  type PageSession,
  type PageSessionStore,
} from './sessions.js';
export type { PageStatus } from './signin.js';
