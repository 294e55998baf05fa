import { formatDuration } from './duration.js';
import { TokenError } from './errors.js';

/** Where an effective maximum lifetime came from. */
export type MaxTtlSource =
  | { readonly kind: 'user'; readonly name: string }
  | { readonly kind: 'role'; readonly name: string }
  | { readonly kind: 'system' };

/** The answer of `explainMaxTtl`. */
export interface MaxTtlExplanation {
  /** Effective maximum lifetime in milliseconds. */
  readonly maxTtl: number;
  /** The policy that set it (the least restrictive applicable one), or the system default. */
  readonly source: MaxTtlSource;
  /** True when the winning policy was above the system ceiling and was capped. */
  readonly capped: boolean;
  /** Every policy that applied, for display. */
  readonly applicable: readonly { readonly source: MaxTtlSource; readonly maxTtl: number }[];
}

/** One policy that applies to a user, with where it came from. */
export interface ApplicablePolicy {
  readonly source: MaxTtlSource;
  readonly maxTtl: number;
}

/**
 * The effective maximum lifetime: the least restrictive (longest) of the
 * applicable policies, never above the system ceiling; with no policy, the
 * ceiling itself.
 */
export function resolveMaxTtl(applicable: readonly ApplicablePolicy[], ceiling: number): MaxTtlExplanation {
  let winner: ApplicablePolicy | undefined;
  for (const policy of applicable) {
    if (winner === undefined || policy.maxTtl > winner.maxTtl) winner = policy;
  }
  if (winner === undefined) return { maxTtl: ceiling, source: { kind: 'system' }, capped: false, applicable: [] };
  return {
    maxTtl: Math.min(winner.maxTtl, ceiling),
    source: winner.source,
    capped: winner.maxTtl > ceiling,
    applicable: [...applicable],
  };
}

/** Lifetime settings that decide a token's expiry. */
export interface LifetimeDefaults {
  readonly defaultTtl: number;
  readonly allowNoExpiry: boolean;
}

function describeSource(source: MaxTtlSource): string {
  return source.kind === 'system' ? 'the system maximum' : `the ${source.kind} policy of ${source.name}`;
}

/**
 * Decides a new token's lifetime in milliseconds (`null`: no expiry).
 * No request → min(default, effective maximum). A longer request than the
 * maximum is refused, never shortened. No expiry only where allowed and no
 * user or role policy applies.
 *
 * @param field - the input field a refusal names (`details.field`): `ttl` for
 *   `issue`, `patch.ttl` for `update`, `records[i].expiresAt` for an import.
 * @throws {TokenError} `duration_exceeds_policy` naming `field`, with `limit` (ms) and `source`.
 */
export function resolveLifetime(
  requested: number | null | undefined,
  limit: MaxTtlExplanation,
  defaults: LifetimeDefaults,
  field = 'ttl',
): number | null {
  if (requested === undefined) return Math.min(defaults.defaultTtl, limit.maxTtl);
  if (requested === null) {
    if (defaults.allowNoExpiry && limit.source.kind === 'system') return null;
    throw new TokenError(
      'duration_exceeds_policy',
      defaults.allowNoExpiry
        ? `tokens without expiry are not allowed: the maximum is ${formatDuration(limit.maxTtl)}, set by ${describeSource(limit.source)}`
        : 'tokens without expiry are not allowed',
      { field, limit: limit.maxTtl, source: limit.source },
    );
  }
  if (requested > limit.maxTtl) {
    throw new TokenError(
      'duration_exceeds_policy',
      `ttl exceeds the maximum of ${formatDuration(limit.maxTtl)} set by ${describeSource(limit.source)}`,
      { field, limit: limit.maxTtl, source: limit.source },
    );
  }
  return requested;
}
