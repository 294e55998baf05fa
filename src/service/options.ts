/**
 * @internal The options of `createTokenService`, checked once at
 * construction: every one of them, and the combinations that would build a
 * service accepting no token at all.
 */

import { storeDirectory } from '../core/directory-records.js';
import type { DirectoryStore } from '../core/directory-store.js';
import { invalid } from '../core/errors.js';
import type { SessionCodec, TokenFormat } from '../core/format-types.js';
import type { KeyedHasherFactory } from '../core/hashing.js';
import { createPepperRing, type PepperRing, portableHasher } from '../core/hashing.js';
import { identifier, isPlainObject } from '../core/input.js';
import {
  booleanOption,
  durationOption,
  functionOption,
  integerOption,
  nestedOptions,
  optionsObject,
  recordSnapshot,
  repositoryOption,
  required,
  withMethods,
} from '../core/options.js';
import type { TokenRepository } from '../core/repository.js';
import { checkPrefix } from '../core/token-shape.js';
import type { Directory } from '../core/types.js';
import {
  MAX_SECRET_LENGTH,
  type VerificationEntry,
  verificationEntries,
  verificationSnapshot,
} from '../core/verification-tokens.js';
import { type LifecycleSettings, lifecycleSettings } from './options-lifecycle.js';
import { shieldedHasher } from './shield.js';
import type { TokenServiceOptions } from './types.js';

/** The longest token string `verify` looks at, and the longest verification secret. */
export const MAX_TOKEN_LENGTH = MAX_SECRET_LENGTH;

/** Session settings: the codec and its lifetimes in milliseconds. */
export interface SessionSettings {
  readonly codec: SessionCodec;
  /** Already capped by `maxTtl`: the smaller applies, as for tokens (SPEC §4). */
  readonly defaultTtl: number;
  readonly maxTtl: number;
}

/** Everything `createTokenService` works from, checked. Durations in milliseconds. */
export interface ServiceSettings extends LifecycleSettings {
  readonly repository: TokenRepository;
  readonly directory: Directory | undefined;
  /** The store-backed directory, managed through `service.directory`; it is then also `directory`. */
  readonly directoryStore: DirectoryStore | undefined;
  readonly now: () => number;
  readonly random: (length: number) => Uint8Array;
  readonly peppers: PepperRing;
  readonly prefix: string;
  /** The format given, or undefined for the opaque format with `prefix`. */
  readonly format: TokenFormat | undefined;
  readonly ceiling: number;
  readonly defaultTtl: number;
  readonly allowNoExpiry: boolean;
  readonly purgeAfter: number;
  readonly eventRetention: number;
  readonly claimTtl: number;
  readonly maxGracePeriod: number;
  readonly maxTokensPerUser: number | undefined;
  readonly creation: 'users' | 'admins';
  readonly touchInterval: number;
  readonly enablePersonalTokens: boolean;
  readonly personalTokensOnly: boolean;
  readonly verificationTokens: readonly VerificationEntry[];
  readonly sessions: SessionSettings | undefined;
}

const SERVICE_KEYS = [
  'repository',
  'pepper',
  'prefix',
  'directory',
  'directoryStore',
  'policy',
  'verificationTokens',
  'personalTokensOnly',
  'enablePersonalTokens',
  'defaultTenant',
  'touchInterval',
  'format',
  'sessions',
  'hasher',
  'now',
  'random',
  'legacyPrefixes',
  'hooks',
  'logger',
  'tracer',
  'expiryWarnings',
] as const;

const POLICY_KEYS = [
  'defaultTtl',
  'maxTtl',
  'allowNoExpiry',
  'maxTokensPerUser',
  'creation',
  'purgeAfter',
  'eventRetention',
  'claimTtl',
  'maxGracePeriod',
] as const;

function defaultRandom(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** The pepper ring; a custom hasher must agree with the reference HMAC-SHA-256. */
function pepperRing(pepper: unknown, hasherOption: unknown): PepperRing {
  if (isPlainObject(pepper) && !(pepper instanceof Uint8Array)) {
    // The set as read once here (a snapshot) is the one the ring is built from.
    const set = optionsObject(pepper, 'pepper', ['current', 'peppers']);
    if (!isPlainObject(set.peppers)) throw invalid('pepper.peppers', 'must map versions to secrets');
    if (typeof set.current !== 'number') throw invalid('pepper.current', 'must be a version number');
    // Each pepper read once, own keys only: the ring never reads the app's object.
    pepper = { current: set.current, peppers: recordSnapshot(set.peppers, 'pepper.peppers') };
  }
  const hasher = functionOption<KeyedHasherFactory>(hasherOption, 'hasher');
  if (hasher === undefined) return createPepperRing(pepper, portableHasher);
  const reference = createPepperRing(pepper, portableHasher);
  const probe = 'tokenward hasher check';
  let ring: PepperRing;
  let answer: string | null;
  try {
    ring = createPepperRing(pepper, hasher === portableHasher ? hasher : shieldedHasher(hasher));
    answer = ring.hash(probe, ring.current);
  } catch {
    throw invalid('hasher', 'must compute HMAC-SHA-256 (it failed on a test message)');
  }
  if (answer !== reference.hash(probe, reference.current)) {
    throw invalid('hasher', 'must compute HMAC-SHA-256 (its answer differs from the reference)');
  }
  return ring;
}

function sessionSettings(value: unknown): SessionSettings | undefined {
  const sessions = nestedOptions(value, 'sessions', ['codec', 'defaultTtl', 'maxTtl']);
  if (sessions === undefined) return undefined;
  const codec = withMethods<SessionCodec>(
    required(sessions.codec, 'sessions.codec'),
    'sessions.codec',
    ['sign', 'parse', 'looksLike'],
    'a SessionCodec',
  );
  const defaultTtl = durationOption(sessions.defaultTtl, 'sessions.defaultTtl', '15m');
  const maxTtl = durationOption(sessions.maxTtl, 'sessions.maxTtl', '12h');
  return { codec, defaultTtl: Math.min(defaultTtl, maxTtl), maxTtl };
}

/** The methods every `DirectoryStore` has (`close` is optional). */
const DIRECTORY_STORE_METHODS: readonly (keyof DirectoryStore)[] = [
  'findUser',
  'findRoles',
  'listUsers',
  'insertUser',
  'updateUser',
  'deleteUser',
  'listRoles',
  'insertRole',
  'updateRole',
  'deleteRole',
  'listAudit',
];

/**
 * `directory`, or `directoryStore` (whose users then are the directory):
 * not both, since the service would answer from one and manage the other.
 */
function directoryOptions(given: Record<string, unknown>): {
  directory: Directory | undefined;
  directoryStore: DirectoryStore | undefined;
} {
  if (given.directoryStore !== undefined) {
    if (given.directory !== undefined) {
      throw invalid('directory', 'cannot be combined with directoryStore: the store is the directory');
    }
    const store = withMethods<DirectoryStore>(
      given.directoryStore,
      'directoryStore',
      DIRECTORY_STORE_METHODS,
      'a DirectoryStore',
    );
    return { directory: storeDirectory(store), directoryStore: store };
  }
  const directory =
    given.directory === undefined
      ? undefined
      : withMethods<Directory>(given.directory, 'directory', ['getUser'], 'a Directory');
  return { directory, directoryStore: undefined };
}

/**
 * Checks every option of `createTokenService` and answers the settings.
 * Throws `TokenError('invalid_request')` with `details.field` naming the
 * option: its dotted path, such as `policy.maxTtl` or `verificationTokens[1]`.
 */
export function serviceSettings(options: TokenServiceOptions): ServiceSettings {
  const given = optionsObject(options, 'options', SERVICE_KEYS);
  const repository = repositoryOption(given.repository, 'repository');
  const { directory, directoryStore } = directoryOptions(given);
  const peppers = pepperRing(given.pepper, given.hasher);
  const prefix = given.prefix === undefined ? 'tw' : checkPrefix(given.prefix, 'prefix');
  const format =
    given.format === undefined
      ? undefined
      : withMethods<TokenFormat>(given.format, 'format', ['encode', 'parse', 'looksLike'], 'a TokenFormat');
  const defaultTenant =
    given.defaultTenant === undefined ? 'default' : identifier(given.defaultTenant, 'defaultTenant');

  const policy = nestedOptions(given.policy, 'policy', POLICY_KEYS) ?? {};
  const creation = policy.creation ?? 'users';
  if (creation !== 'users' && creation !== 'admins') throw invalid('policy.creation', "must be 'users' or 'admins'");

  const enablePersonalTokens = booleanOption(given.enablePersonalTokens, 'enablePersonalTokens', true);
  const personalTokensOnly = booleanOption(given.personalTokensOnly, 'personalTokensOnly', false);
  // Read once: the checks, the hash and the legacy-prefix checks all use this copy.
  const verification = verificationSnapshot(given.verificationTokens, 'verificationTokens');
  const verificationTokens = verificationEntries(
    verification,
    'verificationTokens',
    defaultTenant,
    (secret) => peppers.hash(secret, peppers.current)!,
  );
  const sessions = sessionSettings(given.sessions);
  // A session must be revocable alone (sign-out), so its store must record sign-outs.
  if (sessions !== undefined && (repository.findSession === undefined || repository.revokeSession === undefined)) {
    throw invalid('repository', 'must have findSession and revokeSession to be used with sessions (sign-out)');
  }
  // Database Lab Engine's two switches: together, or without any verification token, nothing is accepted.
  if (!enablePersonalTokens) {
    if (personalTokensOnly) {
      throw invalid(
        'personalTokensOnly',
        'cannot be true when enablePersonalTokens is false: no token would be accepted',
      );
    }
    if (verificationTokens.length === 0) {
      throw invalid(
        'verificationTokens',
        'must list a token when enablePersonalTokens is false: none would be accepted',
      );
    }
    if (sessions !== undefined) {
      throw invalid('sessions', 'cannot be used when enablePersonalTokens is false: sessions come from issued tokens');
    }
  }

  return {
    repository,
    directory,
    directoryStore,
    now: functionOption<() => number>(given.now, 'now') ?? Date.now,
    random: functionOption<(length: number) => Uint8Array>(given.random, 'random') ?? defaultRandom,
    peppers,
    prefix,
    format,
    // A default above the ceiling is no contradiction: the smaller applies (SPEC §4).
    ceiling: durationOption(policy.maxTtl, 'policy.maxTtl', '365d'),
    defaultTtl: durationOption(policy.defaultTtl, 'policy.defaultTtl', '365d'),
    allowNoExpiry: booleanOption(policy.allowNoExpiry, 'policy.allowNoExpiry', false),
    purgeAfter: durationOption(policy.purgeAfter, 'policy.purgeAfter', '30d'),
    eventRetention: durationOption(policy.eventRetention, 'policy.eventRetention', '183d'),
    claimTtl: durationOption(policy.claimTtl, 'policy.claimTtl', '7d'),
    maxGracePeriod: durationOption(policy.maxGracePeriod, 'policy.maxGracePeriod', '7d'),
    maxTokensPerUser:
      policy.maxTokensPerUser === undefined
        ? undefined
        : integerOption(
            policy.maxTokensPerUser,
            'policy.maxTokensPerUser',
            { min: 1, max: Number.MAX_SAFE_INTEGER },
            1,
          ),
    creation,
    touchInterval: durationOption(given.touchInterval, 'touchInterval', '1m'),
    enablePersonalTokens,
    personalTokensOnly,
    verificationTokens,
    sessions,
    ...lifecycleSettings(given, prefix, verification),
  };
}
