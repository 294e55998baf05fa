import { TokenError } from './errors.js';
import { grantsAllow, needToString, parseNeed } from './grants.js';
import type { Principal } from './principal-types.js';
import type { GrantSet, Need } from './types.js';

/** The fields a principal is made of: everything but its methods. */
export type PrincipalFields = Omit<Principal, 'can' | 'assert'>;

// Declaration merging gives the class the fields of `PrincipalFields`; the constructor copies them.
// biome-ignore lint/correctness/noUnusedVariables: merged into the class below
interface VerifiedPrincipal extends PrincipalFields {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface only declares the copied fields
class VerifiedPrincipal implements Principal {
  // Private: a copy made with spread or Object.create does not carry it, so it cannot be forged.
  readonly #brand: object;

  constructor(fields: PrincipalFields, brand: object) {
    this.#brand = brand;
    Object.assign(this, fields);
  }

  can(need: Need): boolean {
    return grantsAllow(verifiedGrants(this), parseNeed(need));
  }

  static brandOf(value: unknown): object | undefined {
    return VerifiedPrincipal.isVerified(value) ? value.#brand : undefined;
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

/** Brand of principals made outside a token service (remote verifiers): never accepted as actors. */
const UNBRANDED: object = Object.freeze({});

/**
 * @internal Builds a principal marked with `brand`, the identity of the
 * service that made it.
 */
export function createPrincipal(fields: PrincipalFields, brand: object = UNBRANDED): Principal {
  return Object.freeze(new VerifiedPrincipal(fields, brand));
}

/** @internal The brand a principal was made with, or undefined for anything else. */
export function brandOf(value: unknown): object | undefined {
  return VerifiedPrincipal.brandOf(value);
}
