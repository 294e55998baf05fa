import { TokenError } from './errors.js';
import { grantsAllow, needToString, parseNeed } from './grants.js';
import type { Principal } from './principal-types.js';
import type { GrantSet, Need } from './types.js';

/** The fields a principal is made of: everything but its methods. */
export type PrincipalFields = Omit<Principal, 'can' | 'assert'>;

/**
 * @internal Which secret of a stored token a principal was verified with,
 * kept out of its public fields: the token's `rotatedAt` then (null: never
 * rotated) and whether the secret was the previous one, in its rotation
 * grace period. The service compares it with the record when the principal
 * acts, so a principal of a secret rotated away since, or of a secret being
 * retired, obtains nothing (SPEC §2).
 */
export interface SecretStamp {
  readonly rotatedAt: number | null;
  readonly graced: boolean;
}

class VerifiedPrincipal implements Principal {
  // Private: a copy made with spread or Object.create does not carry it, so it cannot be forged.
  readonly #brand: object;
  // The stamp's parts rather than an object: one allocation fewer per verification (issue 12).
  readonly #stamped: boolean;
  readonly #rotatedAt: number | null;
  readonly #graced: boolean;
  // `declare`: no initializers, so every field is written once, in this order, by the constructor.
  declare readonly tokenId: string;
  declare readonly type: Principal['type'];
  declare readonly tenant: string;
  declare readonly owner: string | null;
  declare readonly name: string;
  declare readonly grants: Principal['grants'];
  declare readonly ownerIsAdmin: boolean;
  declare readonly expiresAt: Date | null;
  declare readonly meta: Principal['meta'];
  declare readonly session?: NonNullable<Principal['session']>;
  declare readonly remaining?: number;
  declare readonly ratelimits?: NonNullable<Principal['ratelimits']>;

  /**
   * Field by field rather than `Object.assign`: every principal gets the
   * same hidden class and the copy costs a few stores (the verification
   * path makes one per call; issue 12).
   */
  constructor(fields: PrincipalFields, brand: object, stamped: boolean, rotatedAt: number | null, graced: boolean) {
    this.#brand = brand;
    this.#stamped = stamped;
    this.#rotatedAt = rotatedAt;
    this.#graced = graced;
    const self = this as { -readonly [K in keyof PrincipalFields]: PrincipalFields[K] };
    self.tokenId = fields.tokenId;
    self.type = fields.type;
    self.tenant = fields.tenant;
    self.owner = fields.owner;
    self.name = fields.name;
    self.grants = fields.grants;
    self.ownerIsAdmin = fields.ownerIsAdmin;
    self.expiresAt = fields.expiresAt;
    self.meta = fields.meta;
    // The optional fields only where they have a value, as before (a spread of the principal shows no key for them).
    if (fields.session !== undefined) self.session = fields.session;
    if (fields.remaining !== undefined) self.remaining = fields.remaining;
    if (fields.ratelimits !== undefined) self.ratelimits = fields.ratelimits;
  }

  can(need: Need): boolean {
    return grantsAllow(verifiedGrants(this), parseNeed(need));
  }

  static brandOf(value: unknown): object | undefined {
    return VerifiedPrincipal.isVerified(value) ? value.#brand : undefined;
  }

  static stampOf(value: unknown): SecretStamp | undefined {
    if (!VerifiedPrincipal.isVerified(value) || !value.#stamped) return undefined;
    return { rotatedAt: value.#rotatedAt, graced: value.#graced };
  }

  static isVerified(value: unknown): value is VerifiedPrincipal {
    return value instanceof VerifiedPrincipal && #brand in value;
  }

  assert(need: Need): void {
    const checked = parseNeed(need);
    if (!grantsAllow(verifiedGrants(this), checked)) {
      throw new TokenError('insufficient_scope', `token lacks the grant ${needToString(checked)}`, { need: checked });
    }
  }
}

/**
 * The grants of a principal this module made. `can` and `assert` called on
 * anything else (an object made with `Object.create` on a principal's
 * prototype, or the methods borrowed with `call`) answer `forbidden`: it
 * has no verified grants to decide from.
 */
function verifiedGrants(value: unknown): GrantSet {
  if (!VerifiedPrincipal.isVerified(value)) throw new TokenError('forbidden', 'not a principal verified by tokenward');
  return value.grants;
}

/**
 * @internal Whether a principal this module made holds every one of
 * `needs`, which the caller already checked with `parseNeed` (a route
 * guard does so once, at setup: `can` parses its need on every call);
 * undefined for any other object, which answers through its own `can`.
 */
export function verifiedAllows(value: unknown, needs: readonly Need[]): boolean | undefined {
  if (!VerifiedPrincipal.isVerified(value)) return undefined;
  for (const need of needs) if (!grantsAllow(value.grants, need)) return false;
  return true;
}

/** Brand of principals made outside a token service (remote verifiers): never accepted as actors. */
const UNBRANDED: object = Object.freeze({});

/**
 * @internal Builds a principal marked with `brand`, the identity of the
 * service that made it, and for a stored token with the `stamp` of the
 * secret it was verified with.
 */
export function createPrincipal(fields: PrincipalFields, brand: object = UNBRANDED, stamp?: SecretStamp): Principal {
  const stamped = stamp !== undefined;
  return Object.freeze(
    new VerifiedPrincipal(fields, brand, stamped, stamped ? stamp.rotatedAt : null, stamped && stamp.graced),
  );
}

/**
 * @internal `createPrincipal` with the stamp given as its two parts, so the
 * verification path builds no stamp object (issue 12).
 */
export function createStampedPrincipal(
  fields: PrincipalFields,
  brand: object,
  rotatedAt: number | null,
  graced: boolean,
): Principal {
  return Object.freeze(new VerifiedPrincipal(fields, brand, true, rotatedAt, graced));
}

/** @internal The secret a stored token's principal was verified with; undefined for anything else. */
export function stampOf(value: unknown): SecretStamp | undefined {
  return VerifiedPrincipal.stampOf(value);
}

/** @internal The brand a principal was made with, or undefined for anything else. */
export function brandOf(value: unknown): object | undefined {
  return VerifiedPrincipal.brandOf(value);
}
