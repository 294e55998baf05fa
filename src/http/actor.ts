import type { Principal } from '../core/principal-types.js';
import type { Actor } from '../service/types.js';

/**
 * @internal The default actor of every adapter's management routes: the
 * verified token, if any. No principal — `null` (optional authentication
 * found no token) or `undefined` (no authentication registered at all) —
 * is no actor, so the route answers 401 `token_missing` alike everywhere.
 */
export function tokenActor(principal: Principal | null | undefined): Actor | null {
  return principal === null || principal === undefined ? null : { principal };
}
