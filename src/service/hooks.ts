/**
 * @internal Calling the application's hooks (issue 13): after the change is
 * stored, without waiting for them, and never letting one change a call's
 * outcome. A hook that throws or rejects is logged with its name and the
 * failure's code only.
 */
import { failureCode, safeLog } from '../core/logger.js';
import { toInfo } from '../core/records.js';
import type { TokenRecord } from '../core/types.js';
import type { ServiceContext } from './context.js';
import type { TokenHookEvent, TokenHooks } from './types.js';

type HookName = keyof TokenHooks;
type Payload<K extends HookName> = Parameters<NonNullable<TokenHooks[K]>>[0];

/** Logs a hook's failure. */
function hookFailed(context: ServiceContext, name: HookName, error: unknown): void {
  safeLog(context.settings.logger, 'error', `the ${name} hook failed`, { hook: name, code: failureCode(error) });
}

/** Calls hook `name` with what `payload` builds (built only when the hook is set); returns its promise, if any. */
export function callHook<K extends HookName>(
  context: ServiceContext,
  name: K,
  payload: () => Payload<K>,
): Promise<void> | undefined {
  const hook = context.settings.hooks[name] as ((value: Payload<K>) => unknown) | undefined;
  if (hook === undefined) return undefined;
  let result: unknown;
  try {
    result = hook(payload());
  } catch (error) {
    hookFailed(context, name, error);
    return undefined;
  }
  if (typeof (result as PromiseLike<void> | null)?.then !== 'function') return undefined;
  return Promise.resolve(result as PromiseLike<void>).then(
    () => undefined,
    (error: unknown) => hookFailed(context, name, error),
  );
}

/** Fires a lifecycle hook about one token, without waiting for it. */
export function fireTokenHook(
  context: ServiceContext,
  name: 'onIssued' | 'onRotated' | 'onRevoked' | 'onClaimed' | 'onImported',
  record: TokenRecord,
  actor: string,
): void {
  void callHook(context, name, () => tokenHookEvent(context, record, actor));
}

/** The payload of a lifecycle hook. */
export function tokenHookEvent(context: ServiceContext, record: TokenRecord, actor: string): TokenHookEvent {
  const at = context.now();
  return { token: toInfo(record, at), actor, at: new Date(at) };
}
