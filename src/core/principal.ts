import { TokenError } from './errors.js';
import { grantsAllow, needToString, parseNeed, readOnlyGrants } from './grants.js';
import type { Principal } from './principal-types.js';
import type { GrantSet, Need, TokenRecord } from './types.js';

/** The fields a principal is made of: everything but its methods. */
export type PrincipalFields = Omit<Principal, 'can' | 'assert'>;

/** The fields a principal has only in some cases: a session's, a meter's. */
export type OptionalFields = Pick<PrincipalFields, 'session' | 'remaining' | 'ratelimits'>;

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
   * path makes one per call; issue 12). The fields come as arguments, not
   * as an object, so the verification path builds no object of them first
   * (issue 12, round 4); the optional ones come in `optional`.
   */
  constructor(
    brand: object,
    stamped: boolean,
    rotatedAt: number | null,
    graced: boolean,
    tokenId: string,
    type: Principal['type'],
    tenant: string,
    owner: string | null,
    name: string,
    grants: Principal['grants'],
    ownerIsAdmin: boolean,
    expiresAt: Date | null,
    meta: Principal['meta'],
    optional: OptionalFields | undefined,
  ) {
    this.#brand = brand;
    this.#stamped = stamped;
    this.#rotatedAt = rotatedAt;
    this.#graced = graced;
    const self = this as { -readonly [K in keyof PrincipalFields]: PrincipalFields[K] };
    self.tokenId = tokenId;
    self.type = type;
    self.tenant = tenant;
    self.owner = owner;
    self.name = name;
    // Frozen through: a directory's live list is copied (see readOnlyGrants).
    self.grants = readOnlyGrants(grants);
    self.ownerIsAdmin = ownerIsAdmin;
    self.expiresAt = expiresAt;
    self.meta = meta;
    if (optional === undefined) return;
    // The optional fields only where they have a value, as before (a spread of the principal shows no key for them).
    if (optional.session !== undefined) self.session = optional.session;
    if (optional.remaining !== undefined) self.remaining = optional.remaining;
    if (optional.ratelimits !== undefined) self.ratelimits = optional.ratelimits;
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
    new VerifiedPrincipal(
      brand,
      stamped,
      stamped ? stamp.rotatedAt : null,
      stamped && stamp.graced,
      fields.tokenId,
      fields.type,
      fields.tenant,
      fields.owner,
      fields.name,
      fields.grants,
      fields.ownerIsAdmin,
      fields.expiresAt,
      fields.meta,
      fields,
    ),
  );
}

/**
 * @internal The principal of a stored token, stamped with the secret it was
 * verified with (`graced`: the previous one, in its rotation grace period)
 * and the record's `rotatedAt`: its id, type, tenant, owner, name and meta
 * are the record's, `grants` and `ownerIsAdmin` what the owner holds now,
 * `expiresAt` the expiry that governs. Made from the record with no object
 * of fields in between and no stamp object: the verification path makes
 * one per call (issue 12).
 */
export function principalOfRecord(
  record: TokenRecord,
  brand: object,
  graced: boolean,
  grants: GrantSet,
  ownerIsAdmin: boolean,
  expiresAt: Date | null,
  optional?: OptionalFields,
): Principal {
  return Object.freeze(
    new VerifiedPrincipal(
      brand,
      true,
      record.rotatedAt,
      graced,
      record.id,
      record.type,
      record.tenant,
      record.owner,
      record.name,
      grants,
      ownerIsAdmin,
      expiresAt,
      record.meta,
      optional,
    ),
  );
}

/** @internal The secret a stored token's principal was verified with; undefined for anything else. */
export function stampOf(value: unknown): SecretStamp | undefined {
  return VerifiedPrincipal.stampOf(value);
}

/** @internal The brand a principal was made with, or undefined for anything else. */
export function brandOf(value: unknown): object | undefined {
  return VerifiedPrincipal.brandOf(value);
}
