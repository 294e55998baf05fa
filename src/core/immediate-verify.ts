/**
 * @internal The synchronous form of a token service's `verify`, for the
 * framework adapters (issue 12).
 *
 * When every step of a verification answers directly (the memory store,
 * a directory that answers directly, a token without a meter), `verify`
 * has its principal before it returns, yet hands it over in a promise:
 * Express and Fastify then finish the request in a microtask, which on
 * Express costs several microseconds of server CPU per request. A service
 * made by `createTokenService` (without tracing) carries, under this
 * symbol, a non-enumerable entry whose `now` answers with the principal
 * itself when it has one, a promise when a step waits, and throws the
 * refusal's `TokenError` at once. It runs the very same checks as
 * `verify` (it is what `verify` wraps).
 *
 * The entry names the `verify` it stands for. An adapter uses `now` only
 * while the verifier's `verify` is still that function, so a service an
 * application wrapped or changed (`{ ...tokens, verify: logged }`, a
 * replaced method, a traced service) is asked through its own `verify`.
 * The symbol is registered (`Symbol.for`), so every copy of tokenward
 * loaded in one process sees the same one.
 */
import type { Principal } from './principal-types.js';

/** The registered symbol of the entry. */
export const IMMEDIATE_VERIFY: unique symbol = Symbol.for('tokenward.immediateVerify');

/** The entry: the `verify` it answers for, and its synchronous form. */
export interface ImmediateVerify<Options> {
  readonly verify: (token: string, options?: Options) => Promise<Principal>;
  /** The principal, or a promise of it when a step waits; a refusal throws its `TokenError` at once. */
  readonly now: (token: string, options?: Options) => Principal | Promise<Principal>;
}

/**
 * Puts the entry on `target`: not enumerable, so spreading or copying the
 * service leaves it behind. Configurable: a Proxy around the service may
 * answer a wrapped value for it (a non-configurable, non-writable property
 * must be answered as it is, or the Proxy throws), which then names
 * another `verify` and is not used.
 */
export function attachImmediateVerify<Options>(target: object, entry: ImmediateVerify<Options>): void {
  Object.defineProperty(target, IMMEDIATE_VERIFY, { value: Object.freeze({ ...entry }), configurable: true });
}

/**
 * The synchronous form of `verifier.verify`, or undefined when it has none
 * or its `verify` is no longer the one the entry was made for.
 */
export function immediateVerifyOf<Options>(verifier: {
  readonly verify: (token: string, options?: Options) => Promise<Principal>;
}): ImmediateVerify<Options>['now'] | undefined {
  const entry = (verifier as { readonly [IMMEDIATE_VERIFY]?: ImmediateVerify<Options> })[IMMEDIATE_VERIFY];
  return entry !== undefined && entry.verify === verifier.verify ? entry.now : undefined;
}
