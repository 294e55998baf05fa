/**
 * @internal `purgeExpired`, `pruneEvents` and `pruneRevokedSessions`:
 * deleting what the retention settings no longer keep.
 */
import { guarded, type ServiceContext } from './context.js';

/** See `TokenService.purgeExpired`. */
export function purgeExpired(context: ServiceContext): Promise<number> {
  return guarded(context.repository.purgeExpired(context.now() - context.settings.purgeAfter));
}

/** See `TokenService.pruneEvents`. */
export function pruneEvents(context: ServiceContext): Promise<number> {
  return guarded(context.repository.pruneEvents(context.now() - context.settings.eventRetention));
}

/** How long after a signed-out session's expiry its record is kept: one hour, for clocks that differ. */
export const SIGN_OUT_MARGIN_MS = 3_600_000;

/** See `TokenService.pruneRevokedSessions`. */
export async function pruneRevokedSessions(context: ServiceContext): Promise<number> {
  const { repository } = context;
  if (repository.pruneRevokedSessions === undefined) return 0;
  // An hour's margin: an instance whose clock runs behind still refuses a signed-out session it thinks alive.
  return guarded(repository.pruneRevokedSessions(context.now() - SIGN_OUT_MARGIN_MS));
}
