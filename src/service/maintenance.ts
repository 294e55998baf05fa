/** @internal `purgeExpired` and `pruneEvents`: deleting what the retention settings no longer keep. */
import { guarded, type ServiceContext } from './context.js';

/** See `TokenService.purgeExpired`. */
export function purgeExpired(context: ServiceContext): Promise<number> {
  return guarded(context.repository.purgeExpired(context.now() - context.settings.purgeAfter));
}

/** See `TokenService.pruneEvents`. */
export function pruneEvents(context: ServiceContext): Promise<number> {
  return guarded(context.repository.pruneEvents(context.now() - context.settings.eventRetention));
}
