import { TokenError } from './errors.js';
import { grantsAllow, needToString, parseNeed } from './grants.js';
import type { Principal } from './principal-types.js';
import type { Need } from './types.js';

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
    return grantsAllow(this.grants, parseNeed(need));
  }

  static brandOf(value: unknown): object | undefined {
    return value instanceof VerifiedPrincipal && #brand in value ? value.#brand : undefined;
  }

  assert(need: Need): void {
    const checked = parseNeed(need);
    if (!grantsAllow(this.grants, checked)) {
      throw new TokenError('insufficient_scope', `token lacks the grant ${needToString(checked)}`, { need: checked });
    }
  }
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
