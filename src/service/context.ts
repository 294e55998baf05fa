/**
 * @internal The service context: everything a capability works from, built
 * once by `createTokenService` from the checked options. Each capability
 * module (issue, verify, rotate, …) is a set of functions taking it as
 * their first argument, so a call's state is its parameters and this
 * context, never a closure over the whole service.
 */
import { TokenError } from '../core/errors.js';
import { opaqueFormat } from '../core/format.js';
import type { TokenFormat } from '../core/format-types.js';
import { createIdFactory } from '../core/ids.js';
import { brandOf } from '../core/principal.js';
import type { ServiceSettings } from './options.js';
import { outage, shielded } from './shield.js';
import { createUseRecorder, type UseRecorder } from './touch.js';

/** What every capability of one service shares. */
export interface ServiceContext
  extends Pick<ServiceSettings, 'repository' | 'directory' | 'directoryStore' | 'now' | 'random' | 'peppers'> {
  /** The options, checked; durations in milliseconds. */
  readonly settings: ServiceSettings;
  /** How token strings look. */
  readonly format: TokenFormat;
  /** New ULIDs (token, event and session ids) from the service's clock and randomness. */
  readonly nextId: () => string;
  /** Marks the principals this service made; only these are accepted as `{ principal }` actors. */
  readonly brand: object;
  /** Last-used writes: in place on a store with `touchSync`, else batched off the verification path (src/service/touch.ts). */
  readonly uses: UseRecorder;
}

/** Builds the context of one service from its checked options. */
export function createContext(settings: ServiceSettings): ServiceContext {
  const { now, random, peppers } = settings;
  // Every call into the outside parts goes through their shields (src/service/shield.ts).
  const repository = shielded(settings.repository, 'token storage');
  const directory = settings.directory === undefined ? undefined : shielded(settings.directory, 'the directory');
  const directoryStore =
    settings.directoryStore === undefined ? undefined : shielded(settings.directoryStore, 'the directory store');
  return {
    settings,
    repository,
    directory,
    directoryStore,
    now,
    random,
    peppers,
    format: settings.format ?? opaqueFormat(settings.prefix),
    nextId: createIdFactory(random, now),
    brand: Object.freeze({}),
    uses: createUseRecorder(repository, settings.touchInterval),
  };
}

/** True when `value` is a principal this service verified. */
export function madeHere(context: ServiceContext, value: unknown): boolean {
  return brandOf(value) === context.brand;
}

/**
 * Any failure that is not already a `TokenError` is a storage or directory
 * outage: report `unavailable` and never proceed as if it had worked.
 */
export async function guarded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw outage(error, 'token storage');
  }
}

/** The one answer for a token that does not verify, whatever the reason. */
export function tokenInvalid(): TokenError {
  return new TokenError('token_invalid', 'the token is invalid');
}
