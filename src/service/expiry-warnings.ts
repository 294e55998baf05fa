/**
 * @internal Expiry warnings (issue 13): the `onExpiring` hook, called once
 * per token and warning threshold (`expiryWarnings`) when the token comes
 * within it, so an app can tell owners before their tokens die. The store
 * marks each token before the hook runs (`markExpiring`, atomic across
 * instances), so no token is announced twice for one threshold and expiry.
 */
import { toInfo } from '../core/records.js';
import { guarded, type ServiceContext } from './context.js';
import { callHook } from './hooks.js';

/** How many tokens one `markExpiring` call claims. */
const BATCH = 100;

/**
 * Claims and announces every token due a warning, shortest threshold first:
 * a token that comes within several thresholds at once is announced for
 * the shortest only (the longer ones are marked, so they stay quiet).
 * Waits for each hook. Answers how many warnings the hook received; with
 * no `onExpiring` hook nothing is marked, so adding one later still warns.
 */
export async function sendExpiryWarnings(context: ServiceContext): Promise<number> {
  const { hooks, expiryWarnings } = context.settings;
  if (hooks.onExpiring === undefined) return 0;
  const announced = new Set<string>();
  for (const within of expiryWarnings) {
    for (;;) {
      const now = context.now();
      const due = await guarded(context.repository.markExpiring({ within, now, limit: BATCH }));
      for (const record of due) {
        if (announced.has(record.id)) continue;
        announced.add(record.id);
        await callHook(context, 'onExpiring', () => ({
          token: toInfo(record, now),
          within,
          expiresAt: new Date(record.expiresAt!),
        }));
      }
      if (due.length < BATCH) break;
    }
  }
  return announced.size;
}
